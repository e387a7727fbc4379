"""Conversations in DynamoDB, one item each (pk = conversation id, sk = "conversation"):
its recent turns, the message ids whose answer began, the replies still being sent (with their
idempotency keys), a version for optimistic concurrency, and `expires_at` for the table's TTL.
One GetItem loads a conversation, one conditional PutItem stores it. DynamoDB's failures leave
as the domain's StoreUnavailable, after botocore's own retries."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from socialcare.model import Channel, Conversation, Entity, Sending, StoreUnavailable, Turn

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SORT_KEY = "conversation"
MAX_ATTEMPTS = 5


class ConcurrentUpdates(StoreUnavailable):
    """Others kept storing the same conversation; the message goes back to the queue."""


class DynamoDBConversations:
    def __init__(
        self, table_name: str, retention_days: int, client: DynamoDBClient | None = None
    ) -> None:
        self._table = table_name
        self._retention = retention_days * 86400
        self._client = client or boto3.session.Session().client("dynamodb")

    def load(self, conversation_id: str, channel: Channel) -> Conversation:
        try:
            item = self._client.get_item(
                TableName=self._table,
                Key={"pk": {"S": conversation_id}, "sk": {"S": SORT_KEY}},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"loading a conversation: {_code(error)}") from error
        if item is None:
            return Conversation(conversation_id, channel)
        return Conversation(
            id=conversation_id,
            channel=Channel(item["channel"]["S"]),
            turns=tuple(_turn(t["M"]) for t in item["turns"]["L"]),
            answered=tuple(a["S"] for a in item["answered"]["L"]),
            version=int(item["version"]["N"]),
            sending=tuple(
                Sending(s["M"]["message_id"]["S"], s["M"]["key"]["S"], float(s["M"]["since"]["N"]))
                for s in item.get("sending", {}).get("L", [])
            ),
        )

    def save(
        self, conversation: Conversation, change: Callable[[Conversation], Conversation]
    ) -> Conversation | None:
        current = conversation
        for _ in range(MAX_ATTEMPTS):
            changed = change(current)
            if changed == current:
                return None
            stored = replace(changed, version=current.version + 1)
            try:
                self._put(stored, expected_version=current.version)
            except ClientError as error:
                if _code(error) != "ConditionalCheckFailedException":
                    raise StoreUnavailable(f"storing a conversation: {_code(error)}") from error
                current = self.load(conversation.id, conversation.channel)
                continue
            except BotoCoreError as error:
                raise StoreUnavailable(f"storing a conversation: {_code(error)}") from error
            return stored
        raise ConcurrentUpdates(f"{conversation.id} changed {MAX_ATTEMPTS} times while saving")

    def _put(self, conversation: Conversation, expected_version: int) -> None:
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected_version == 0
            else {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        )
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": conversation.id},
                "sk": {"S": SORT_KEY},
                "channel": {"S": conversation.channel.value},
                "turns": {"L": [{"M": _turn_item(t)} for t in conversation.turns]},
                "answered": {"L": [{"S": a} for a in conversation.answered]},
                "sending": {
                    "L": [
                        {
                            "M": {
                                "message_id": {"S": s.message_id},
                                "key": {"S": s.key},
                                "since": {"N": repr(s.since)},
                            }
                        }
                        for s in conversation.sending
                    ]
                },
                "version": {"N": str(conversation.version)},
                "expires_at": {"N": str(int(time.time()) + self._retention)},
            },
            **condition,
        )


def _code(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def _turn_item(turn: Turn) -> dict[str, Any]:
    return {
        "role": {"S": turn.role},
        "text": {"S": turn.text},
        "at": {"N": repr(turn.at)},
        "message_id": {"S": turn.message_id},
        "language": {"S": turn.language},
        "source": {"S": turn.source},
        "intent": {"S": turn.intent},
        "confidence": {"N": repr(turn.confidence)},
        "sentiment": {"S": turn.sentiment},
        "sentiment_score": {"N": repr(turn.sentiment_score)},
        "entities": {
            "L": [
                {
                    "M": {
                        "type": {"S": e.type},
                        "value": {"S": e.value},
                        "start": {"N": str(e.start)},
                        "end": {"N": str(e.end)},
                    }
                }
                for e in turn.entities
            ]
        },
        "toxic": {"BOOL": turn.toxic},
        "urgent": {"BOOL": turn.urgent},
    }


def _turn(item: dict[str, Any]) -> Turn:
    return Turn(
        role=item["role"]["S"],
        text=item["text"]["S"],
        at=float(item["at"]["N"]),
        message_id=item["message_id"]["S"],
        language=item["language"]["S"],
        source=item["source"]["S"],
        # Turns stored before the understanding came have none of what follows.
        intent=item.get("intent", {}).get("S", ""),
        confidence=float(item.get("confidence", {}).get("N", "0")),
        sentiment=item.get("sentiment", {}).get("S", ""),
        sentiment_score=float(item.get("sentiment_score", {}).get("N", "0")),
        entities=tuple(
            Entity(
                e["M"]["type"]["S"],
                e["M"]["value"]["S"],
                int(e["M"]["start"]["N"]),
                int(e["M"]["end"]["N"]),
            )
            for e in item.get("entities", {}).get("L", [])
        ),
        toxic=item.get("toxic", {}).get("BOOL", False),
        urgent=item.get("urgent", {}).get("BOOL", False),
    )
