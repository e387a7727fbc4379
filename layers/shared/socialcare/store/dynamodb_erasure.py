"""Erasing one customer's data from every table that holds it, and recording that it was done.

Asked for a customer id (or one of their conversation ids), it finds everything that names them:
their profile in the customers table (following a link to the profile it was merged into, and
every id linked to that), each conversation the profile lists plus the partition of the id itself
(every item of it: turns, state, and through them the entries of the agents' `queue` index,
which DynamoDB keeps in step with the table), for web chat conversations the outbox (the
session's replies and its idempotency markers), and the orders the profile lists, which keep the
order (it is the brand's record) but lose the customer's id. The idempotency table holds only
hashes of platform message ids and expires in a week: nothing there names anyone. The audit
record says who erased, when, how many items from which table, and the pseudonym of the id asked
for (so a request can be matched to its record), never the id itself.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.erasure import ErasureRecord, check_customer_id
from socialcare.model import Channel, StoreUnavailable
from socialcare.understand.pii import pseudonym

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

AUDIT_PARTITION = "erasure"


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
    ) -> None:
        self._conversations = conversations_table
        self._outbox = webchat_outbox_table
        self._audit = audit_table
        self._customers = customers_table
        self._orders = orders_table
        self._client = client or boto3.session.Session().client("dynamodb")

    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        """Delete everything stored about the customer, then write the audit record."""
        if not actor:
            raise ValueError("erasure needs to know who asks for it")
        check_customer_id(customer_id)
        try:
            ids, conversations, orders = self._find(customer_id)
            deleted = {
                self._conversations: sum(
                    self._delete_partition(self._conversations, c) for c in conversations
                )
            }
            sessions = [c.partition(":")[2] for c in conversations if c.startswith("webchat:")]
            if sessions:
                deleted[self._outbox] = sum(
                    self._delete_partition(self._outbox, pk)
                    for session in sessions
                    for pk in (session, f"{session}#sent")
                )
            unlinked = {}
            if self._orders:
                unlinked[self._orders] = sum(self._unlink_order(o, ids) for o in orders)
            # The profile goes last: it is how a retry after a failure finds the rest again.
            if self._customers:
                deleted[self._customers] = sum(self._delete_item(self._customers, i) for i in ids)
            record = ErasureRecord(
                pseudonym(customer_id), actor, datetime.now(UTC).isoformat(), deleted, unlinked
            )
            self._client.put_item(TableName=self._audit, Item=_audit_item(record))
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"erasure stopped: {type(error).__name__}") from error
        return record

    def _find(self, customer_id: str) -> tuple[set[str], set[str], set[str]]:
        """The customer's ids, conversations and order numbers, as far as the tables know them."""
        ids, conversations, orders = {customer_id}, {customer_id}, set[str]()
        if not self._customers:
            return ids, conversations, orders
        profile = self._profile(customer_id)
        if profile and "linked_to" in profile:
            ids.add(profile["linked_to"]["S"])
            profile = self._profile(profile["linked_to"]["S"])
        for item in [profile] if profile else []:
            ids |= _strings(item, "linked")
            conversations |= _strings(item, "conversations")
            orders |= _strings(item, "orders")
        # A customer id is also the conversation id on channels without a brand account in it.
        conversations |= {i for i in ids if i.partition(":")[0] in set(Channel)}
        return ids, conversations, orders

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

    def _delete_partition(self, table: str, pk: str) -> int:
        deleted = 0
        pages = self._client.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
            ProjectionExpression="pk, sk",
            ConsistentRead=True,
        )
        for page in pages:
            for key in page["Items"]:
                self._client.delete_item(TableName=table, Key=key)
                deleted += 1
        return deleted


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
    }
