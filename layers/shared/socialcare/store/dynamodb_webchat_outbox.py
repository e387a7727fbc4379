"""Web chat replies in DynamoDB, one item per message (pk = session id, sk = a cursor that sorts
in the order the replies were written), kept for a day by the table's TTL. A part that carries an
idempotency key is written together with a marker of its key (pk = "<session id>#sent"), in one
transaction that fails when the marker exists: a resent reply is written once."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from socialcare.channels.outbound import Outgoing

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RETENTION_S = 24 * 3600
MAX_PER_READ = 50


class DynamoDBWebchatOutbox:
    def __init__(self, table_name: str, client: DynamoDBClient | None = None) -> None:
        self._table = table_name
        self._client = client or boto3.session.Session().client("dynamodb")

    def append(self, session_id: str, message_id: str, outgoing: list[Outgoing]) -> None:
        now = time.time()
        expires = {"N": str(int(now) + RETENTION_S)}
        for n, one in enumerate(outgoing):
            reply: dict[str, Any] = {
                "pk": {"S": session_id},
                # Milliseconds first, so later replies sort after earlier ones; the message
                # id and part number keep the parts of one answer in order.
                "sk": {"S": f"{int(now * 1000):013d}:{message_id}:{n:02d}"},
                "text": {"S": one.text},
                "options": {"L": [{"S": o} for o in one.options]},
                "expires_at": expires,
            }
            if not one.key:
                self._client.put_item(TableName=self._table, Item=reply)
                continue
            marker: dict[str, Any] = {"pk": {"S": f"{session_id}#sent"}, "sk": {"S": one.key}}
            try:
                self._client.transact_write_items(
                    TransactItems=[
                        {
                            "Put": {
                                "TableName": self._table,
                                "Item": {**marker, "expires_at": expires},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {"Put": {"TableName": self._table, "Item": reply}},
                    ]
                )
            except ClientError as error:
                if not _written_before(error):
                    raise

    def since(self, session_id: str, cursor: str) -> list[dict[str, Any]]:
        # DynamoDB takes no empty key value: no cursor means the session's replies from the start.
        condition: dict[str, Any] = (
            {
                "KeyConditionExpression": "pk = :pk AND sk > :after",
                "ExpressionAttributeValues": {":pk": {"S": session_id}, ":after": {"S": cursor}},
            }
            if cursor
            else {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": session_id}},
            }
        )
        items = self._client.query(
            TableName=self._table, ConsistentRead=True, Limit=MAX_PER_READ, **condition
        )["Items"]
        return [
            {
                "cursor": item["sk"]["S"],
                "text": item["text"]["S"],
                "options": [o["S"] for o in item["options"]["L"]],
            }
            for item in items
        ]


def _written_before(error: ClientError) -> bool:
    """Whether a cancelled transaction failed on the marker's condition (and nothing else)."""
    reasons = error.response.get("CancellationReasons", [])
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"
