"""Conversations in DynamoDB: one partition per conversation, one item per turn.

    pk = conversation id    sk = T#<time>#<message id>#<0 customer | 1 agent>   a turn
                            sk = R#<message id>                                the reply claim
Every item carries `expires_at` for the table's TTL.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from socialcare.model import Channel, Conversation, Turn

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBConversations:
    def __init__(
        self, table_name: str, retention_days: int, client: DynamoDBClient | None = None
    ) -> None:
        self._table = table_name
        self._retention = retention_days * 86400
        self._client = client or boto3.client("dynamodb")

    def load(self, conversation_id: str, channel: Channel, limit: int) -> Conversation:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :turns)",
            ExpressionAttributeValues={":pk": {"S": conversation_id}, ":turns": {"S": "T#"}},
            ScanIndexForward=False,
            Limit=limit,
        )
        turns = [_turn(item) for item in reversed(response.get("Items", []))]
        return Conversation(conversation_id, channel, turns)

    def append(self, conversation_id: str, turns: list[Turn]) -> None:
        for turn in turns:
            order = 0 if turn.role == "customer" else 1
            self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(conversation_id, f"T#{turn.at:017.6f}#{turn.message_id}#{order}"),
                    "role": {"S": turn.role},
                    "text": {"S": turn.text},
                    "at": {"N": repr(turn.at)},
                    "message_id": {"S": turn.message_id},
                    "language": {"S": turn.language},
                    "source": {"S": turn.source},
                },
            )

    def claim_reply(self, conversation_id: str, message_id: str) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._key(conversation_id, f"R#{message_id}"),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_reply(self, conversation_id: str, message_id: str) -> None:
        self._client.delete_item(
            TableName=self._table,
            Key={"pk": {"S": conversation_id}, "sk": {"S": f"R#{message_id}"}},
        )

    def _key(self, conversation_id: str, sort_key: str) -> dict[str, Any]:
        return {
            "pk": {"S": conversation_id},
            "sk": {"S": sort_key},
            "expires_at": {"N": str(int(time.time()) + self._retention)},
        }


def _turn(item: dict[str, Any]) -> Turn:
    return Turn(
        role=item["role"]["S"],
        text=item["text"]["S"],
        at=float(item["at"]["N"]),
        message_id=item["message_id"]["S"],
        language=item["language"]["S"],
        source=item["source"]["S"],
    )
