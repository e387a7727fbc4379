"""Web chat replies in DynamoDB, one item per message (pk = session id, sk = a cursor that sorts
in the order the replies were written), kept for a day by the table's TTL."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3

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
        for n, one in enumerate(outgoing):
            self._client.put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": session_id},
                    # Milliseconds first, so later replies sort after earlier ones; the message
                    # id and part number keep the parts of one answer in order.
                    "sk": {"S": f"{int(now * 1000):013d}:{message_id}:{n:02d}"},
                    "text": {"S": one.text},
                    "options": {"L": [{"S": o} for o in one.options]},
                    "expires_at": {"N": str(int(now) + RETENTION_S)},
                },
            )

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
