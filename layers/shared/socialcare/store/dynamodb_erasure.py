"""Erasing one customer's data from every table that holds it, and recording what was done.

Asked for a customer id or one of their conversation ids, it finds everything that names them:
the owner a conversation stores (`customer_id`, or the sender its id ends with), their profile
in the customers table (following a link to the profile it was merged into, and every id linked
to that), each conversation the profile lists, every conversation whose stored `customer_id` is
one of their ids (a conversation whose first reply failed never reached the profile), and the
partition of each id itself (every item of it: turns, state, and through them the entries of
the agents' `queue` index, which DynamoDB keeps in step with the table); for web chat
conversations the outbox (the session's replies and its idempotency markers), and the orders
the profile lists, which keep the order (it is the brand's record) but lose the customer's id.
The idempotency table holds only hashes of platform message ids and nonces, and they expire
within a week: nothing there names anyone.

Conversations by owner are found with one paginated Scan projecting `pk` and `customer_id`: an
erasure is a rare, audited request by a person, and a Scan costs one read unit per 4 KB of the
table (a table of 100,000 conversations of ~8 KB: ~200,000 units, cents), where an index on
`customer_id` would be written on every turn of every conversation.

Afterwards it looks again (each partition, each profile id, and a second Scan for conversations a
worker stored meanwhile) and records what is left. The audit record says who erased, when, how
many items from which table, what remains, whether it stopped half-way, and the pseudonym of the
id asked for (so a request can be matched to its record), never the id itself: written also when
the erasure stops half-way, before StoreUnavailable is raised.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.erasure import ErasureRecord, check_customer_id
from socialcare.model import Channel, StoreUnavailable
from socialcare.pseudonyms import Pseudonyms, per_process

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

AUDIT_PARTITION = "erasure"
CONVERSATION_SK = "conversation"


@dataclass
class _Found:
    ids: set[str]
    conversations: set[str]
    orders: set[str] = field(default_factory=set)

    @property
    def sessions(self) -> list[str]:
        """The web chat sessions' outbox partitions: replies and their idempotency markers."""
        ids = sorted(c.partition(":")[2] for c in self.conversations if c.startswith("webchat:"))
        return [pk for session in ids for pk in (session, f"{session}#sent")]


@dataclass
class _Outcome:
    deleted: dict[str, int] = field(default_factory=dict)
    unlinked: dict[str, int] = field(default_factory=dict)
    remaining: dict[str, int] = field(default_factory=dict)
    stopped: str = ""


class DynamoDBErasure:
    def __init__(
        self,
        conversations_table: str,
        webchat_outbox_table: str,
        audit_table: str,
        *,
        customers_table: str = "",
        orders_table: str = "",
        client: DynamoDBClient | None = None,
        pseudonym: Callable[[str], str] | None = None,
    ) -> None:
        self._conversations = conversations_table
        self._outbox = webchat_outbox_table
        self._audit = audit_table
        self._customers = customers_table
        self._orders = orders_table
        self._client = client or boto3.session.Session().client("dynamodb")
        self._pseudonym: Callable[[str], str] = pseudonym or Pseudonyms(per_process())

    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        """Delete everything stored about the customer, look for what is left, then write the
        audit record; StoreUnavailable (after the record) when a table stopped it half-way."""
        if not actor:
            raise ValueError("erasure needs to know who asks for it")
        check_customer_id(customer_id)
        outcome = _Outcome()
        try:
            found = self._find(customer_id)
            self._delete(found, outcome)
            outcome.remaining = self._remaining(found)
        except (ClientError, BotoCoreError) as error:
            outcome.stopped = type(error).__name__
        record = ErasureRecord(
            self._pseudonym(customer_id),
            actor,
            datetime.now(UTC).isoformat(),
            outcome.deleted,
            outcome.unlinked,
            outcome.remaining,
            outcome.stopped,
        )
        try:
            self._client.put_item(TableName=self._audit, Item=_audit_item(record))
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"erasure not audited: {type(error).__name__}") from error
        if outcome.stopped:
            raise StoreUnavailable(f"erasure stopped: {outcome.stopped} (recorded as incomplete)")
        return record

    def _delete(self, found: _Found, outcome: _Outcome) -> None:
        """Deletes as it goes, counting into `outcome`, so a stop half-way records what was done."""
        deleted = outcome.deleted
        deleted[self._conversations] = 0
        for conversation in sorted(found.conversations):
            deleted[self._conversations] += self._delete_partition(
                self._conversations, conversation
            )
        if found.sessions:
            deleted[self._outbox] = 0
            for pk in found.sessions:
                deleted[self._outbox] += self._delete_partition(self._outbox, pk)
        if self._orders:
            outcome.unlinked[self._orders] = 0
            for order in sorted(found.orders):
                outcome.unlinked[self._orders] += self._unlink_order(order, found.ids)
        # The profile goes last: it is how a retry after a failure finds the rest again.
        if self._customers:
            deleted[self._customers] = 0
            for customer in sorted(found.ids):
                deleted[self._customers] += self._delete_item(self._customers, customer)

    def _find(self, asked: str) -> _Found:
        """The customer's ids, conversations and order numbers, as far as the tables know them."""
        found = _Found({asked}, {asked})
        found.ids |= {self._owner_of(asked), _sender_of(asked)} - {""}
        if self._customers:
            for start in sorted(found.ids):
                self._add_profile(start, found)
        # A customer id is also the conversation id on channels without a brand account in it.
        found.conversations |= {i for i in found.ids if i.partition(":")[0] in set(Channel)}
        found.conversations |= self._owned_by(found.ids)
        return found

    def _add_profile(self, customer_id: str, found: _Found) -> None:
        profile = self._profile(customer_id)
        if profile and "linked_to" in profile:
            found.ids.add(profile["linked_to"]["S"])
            profile = self._profile(profile["linked_to"]["S"])
        if profile:
            found.ids |= _strings(profile, "linked")
            found.conversations |= _strings(profile, "conversations")
            found.orders |= _strings(profile, "orders")

    def _owner_of(self, conversation_id: str) -> str:
        """The customer id a conversation stores ("" when the id is none of a conversation)."""
        item = self._client.get_item(
            TableName=self._conversations,
            Key={"pk": {"S": conversation_id}, "sk": {"S": CONVERSATION_SK}},
            ProjectionExpression="customer_id",
            ConsistentRead=True,
        ).get("Item", {})
        return str(item.get("customer_id", {}).get("S", ""))

    def _owned_by(self, ids: set[str]) -> set[str]:
        """Every conversation whose stored owner is one of `ids` (see the module's note)."""
        pages = self._client.get_paginator("scan").paginate(
            TableName=self._conversations,
            Select="SPECIFIC_ATTRIBUTES",  # the only Scan the functions' roles allow
            ProjectionExpression="pk, customer_id",
            ConsistentRead=True,
        )
        return {
            item["pk"]["S"]
            for page in pages
            for item in page["Items"]
            if item.get("customer_id", {}).get("S") in ids
        }

    def _remaining(self, found: _Found) -> dict[str, int]:
        """What still names the customer after the deletes: a count per table."""
        left = {
            self._conversations: sum(
                self._count(self._conversations, c)
                for c in found.conversations | self._owned_by(found.ids)
            )
        }
        if found.sessions:
            left[self._outbox] = sum(self._count(self._outbox, pk) for pk in found.sessions)
        if self._customers:
            left[self._customers] = sum(self._profile(i) is not None for i in found.ids)
        return {table: n for table, n in left.items() if n}

    def _profile(self, customer_id: str) -> dict[str, Any] | None:
        return self._client.get_item(
            TableName=self._customers, Key={"pk": {"S": customer_id}}, ConsistentRead=True
        ).get("Item")

    def _delete_item(self, table: str, pk: str) -> int:
        old = self._client.delete_item(
            TableName=table, Key={"pk": {"S": pk}}, ReturnValues="ALL_OLD"
        )
        return int("Attributes" in old)

    def _unlink_order(self, number: str, ids: set[str]) -> int:
        values = {f":id{n}": {"S": i} for n, i in enumerate(sorted(ids))}
        try:
            self._client.update_item(
                TableName=self._orders,
                Key={"pk": {"S": number}},
                UpdateExpression="REMOVE customer_id",
                ConditionExpression=f"customer_id IN ({', '.join(values)})",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return 0  # not this customer's order (or no such order): nothing of theirs there
        return 1

    def _keys(self, table: str, pk: str) -> list[dict[str, Any]]:
        pages = self._client.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ProjectionExpression="pk, sk",
            ConsistentRead=True,
        )
        return [key for page in pages for key in page["Items"]]

    def _count(self, table: str, pk: str) -> int:
        return len(self._keys(table, pk))

    def _delete_partition(self, table: str, pk: str) -> int:
        keys = self._keys(table, pk)
        for key in keys:
            self._client.delete_item(TableName=table, Key=key)
        return len(keys)


def _sender_of(conversation_id: str) -> str:
    """The customer id in a "<channel>:<account>:<sender>" conversation id ("" in others): how a
    conversation stored before conversations recorded their owner leads to its customer."""
    channel, _, rest = conversation_id.partition(":")
    account, _, sender = rest.partition(":")
    return f"{channel}:{sender}" if account and sender else ""


def _strings(item: dict[str, Any], name: str) -> set[str]:
    return {v["S"] for v in item.get(name, {}).get("L", [])}


def _audit_item(record: ErasureRecord) -> dict[str, Any]:
    def counts(by_table: dict[str, int]) -> dict[str, Any]:
        return {"M": {t: {"N": str(n)} for t, n in by_table.items()}}

    return {
        "pk": {"S": AUDIT_PARTITION},
        "sk": {"S": f"{record.at}#{uuid.uuid4()}"},
        "customer_ref": {"S": record.customer_ref},
        "actor": {"S": record.actor},
        "at": {"S": record.at},
        "epoch": {"N": str(int(time.time()))},
        "deleted": counts(record.deleted),
        "unlinked": counts(record.unlinked),
        "remaining": counts(record.remaining),
        "stopped": {"S": record.stopped},
        "complete": {"BOOL": record.complete},
    }
