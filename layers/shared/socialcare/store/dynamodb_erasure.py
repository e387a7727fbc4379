"""Erasing one customer's data from every table that holds it, and recording that it was done.

A customer is known by their conversation id ("<channel>:<platform id>"). Their data lives in
the conversations table (every item of that partition) and, for the web chat, in the outbox
(the session's replies and its idempotency markers). The idempotency table holds only hashes of
platform message ids and expires in a week: nothing there names anyone. No table has a
secondary index. The audit record says who erased, when, how many items from which table, and
the customer's pseudonym (so a request can be matched to its record), never the id itself.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.model import StoreUnavailable
from socialcare.understand.pii import pseudonym

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

AUDIT_PARTITION = "erasure"


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    customer_ref: str  # the pseudonym of the conversation id
    actor: str  # who asked for it (an agent, a data-protection officer ...)
    at: str  # ISO 8601, UTC
    deleted: dict[str, int] = field(default_factory=dict)  # table -> items deleted

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class DynamoDBErasure:
    def __init__(
        self,
        conversations_table: str,
        webchat_outbox_table: str,
        audit_table: str,
        client: DynamoDBClient | None = None,
    ) -> None:
        self._conversations = conversations_table
        self._outbox = webchat_outbox_table
        self._audit = audit_table
        self._client = client or boto3.session.Session().client("dynamodb")

    def erase(self, conversation_id: str, actor: str) -> ErasureRecord:
        """Delete everything stored about the customer, then write the audit record."""
        if not conversation_id or not actor:
            raise ValueError("erasure needs the customer's conversation id and who asks for it")
        try:
            deleted = {
                self._conversations: self._delete_partition(self._conversations, conversation_id)
            }
            channel, _, session = conversation_id.partition(":")
            if channel == "webchat" and session:
                deleted[self._outbox] = self._delete_partition(
                    self._outbox, session
                ) + self._delete_partition(self._outbox, f"{session}#sent")
            record = ErasureRecord(
                pseudonym(conversation_id), actor, datetime.now(UTC).isoformat(), deleted
            )
            self._client.put_item(
                TableName=self._audit,
                Item={
                    "pk": {"S": AUDIT_PARTITION},
                    "sk": {"S": f"{record.at}#{uuid.uuid4()}"},
                    "customer_ref": {"S": record.customer_ref},
                    "actor": {"S": actor},
                    "at": {"S": record.at},
                    "epoch": {"N": str(int(time.time()))},
                    "deleted": {"M": {t: {"N": str(n)} for t, n in deleted.items()}},
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"erasure stopped: {type(error).__name__}") from error
        return record

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
