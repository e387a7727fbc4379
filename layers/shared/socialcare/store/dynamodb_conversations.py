"""Conversations in DynamoDB: one partition per conversation, one item per turn.

    pk = conversation id  sk = T#<time>#<message id>#<0 customer | 1 agent>  a turn
                          sk = R#<message id>                               the right to answer
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

    def begin_turn(self, conversation_id: str, customer: Turn) -> bool:
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._key(conversation_id, _claim_key(customer)),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": self._turn_item(conversation_id, customer),
                        }
                    },
                ]
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def abandon_turn(self, conversation_id: str, customer: Turn) -> None:
        self._client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": self._table, "Key": _only_key(item)}}
                for item in (
                    self._key(conversation_id, _claim_key(customer)),
                    self._turn_item(conversation_id, customer),
                )
            ]
        )

    def finish_turn(self, conversation_id: str, agent: Turn) -> None:
        self._client.put_item(TableName=self._table, Item=self._turn_item(conversation_id, agent))

    def _turn_item(self, conversation_id: str, turn: Turn) -> dict[str, Any]:
        order = 0 if turn.role == "customer" else 1
        return {
            **self._key(conversation_id, f"T#{turn.at:017.6f}#{turn.message_id}#{order}"),
            "role": {"S": turn.role},
            "text": {"S": turn.text},
            "at": {"N": repr(turn.at)},
            "message_id": {"S": turn.message_id},
            "language": {"S": turn.language},
            "source": {"S": turn.source},
        }

    def _key(self, conversation_id: str, sort_key: str) -> dict[str, Any]:
        return {
            "pk": {"S": conversation_id},
            "sk": {"S": sort_key},
            "expires_at": {"N": str(int(time.time()) + self._retention)},
        }


def _claim_key(customer: Turn) -> str:
    return f"R#{customer.message_id}"


def _only_key(item: dict[str, Any]) -> dict[str, Any]:
    return {"pk": item["pk"], "sk": item["sk"]}


def _turn(item: dict[str, Any]) -> Turn:
    return Turn(
        role=item["role"]["S"],
        text=item["text"]["S"],
        at=float(item["at"]["N"]),
        message_id=item["message_id"]["S"],
        language=item["language"]["S"],
        source=item["source"]["S"],
    )
