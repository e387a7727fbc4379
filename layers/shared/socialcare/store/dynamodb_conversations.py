"""Conversations in DynamoDB, one item each (pk = conversation id, sk = "conversation"):
its recent turns, the message ids whose answer began, the replies still being sent (with their
idempotency keys), who owns it and what it remembers, a version for optimistic concurrency, and
`expires_at` for the table's TTL. One GetItem loads a conversation, one conditional PutItem
stores it. DynamoDB's failures leave as the domain's StoreUnavailable, after botocore's own
retries.

The agents' queue is the sparse `agents_queue` index. Only conversations waiting for or owned
by a person carry its partition key, `queue_shard` ("<state>#<shard>", the shard one of
QUEUE_SHARDS taken from the conversation id); the bot's conversations, nearly all of them, never
write to it. Its sort key is `queue_key` ("2#" for urgent handoffs, "1#" for VIP customers, "0#"
for the others, then the time it started waiting). A reader queries every shard of a state at once
and merges them, newest first: no index partition takes more than a small share of the writes,
whatever the traffic (tests/integration/test_queue_index.py counts them)."""

from __future__ import annotations

import hashlib
import heapq
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from socialcare.model import (
    Channel,
    Conversation,
    Entity,
    InboundMessage,
    Sending,
    State,
    StoreUnavailable,
    Turn,
)
from socialcare.store.dynamodb_client import dynamodb_client
from socialcare.store.optimistic import expecting_version

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SORT_KEY = "conversation"
QUEUE_INDEX = "agents_queue"
# Partition key values per state: a reader makes this many small queries; a writer's share of
# the index stays under 1% (each state's writes spread over QUEUE_SHARDS values).
QUEUE_SHARDS = 128
QUEUED_STATES = (State.PENDING_HUMAN, State.HUMAN)  # the only states the index carries
READERS = 10  # concurrent queries of one queue read (botocore pools 10 connections)
MAX_ATTEMPTS = 5
# DynamoDB refuses an item over 400 KB, and a refused save sends the message back to the queue
# until it dead-letters. A stored turn keeps MAX_STORED_TURN_CHARS characters of its text (cut with
# TRUNCATED; the whole text was understood and answered) and its first MAX_STORED_ENTITIES
# entities; should the turns still come near ITEM_BUDGET_BYTES, the oldest go first.
MAX_STORED_TURN_CHARS = 2000
MAX_STORED_ENTITIES = 20
TRUNCATED = " […]"
ITEM_BUDGET_BYTES = 300_000
TURN_OVERHEAD_BYTES = 400  # a turn's attribute names, numbers and flags


class ConcurrentUpdates(RuntimeError):
    """Others kept storing the same conversation; the message goes back to the queue."""


class DynamoDBConversations:
    def __init__(
        self, table_name: str, retention_days: int, client: DynamoDBClient | None = None
    ) -> None:
        self._table = table_name
        self._retention = retention_days * 86400
        self._client = client or dynamodb_client()

    def load(self, conversation_id: str, channel: Channel) -> Conversation:
        found = self.find(conversation_id)
        return Conversation(conversation_id, channel) if found is None else found

    def find(self, conversation_id: str) -> Conversation | None:
        """The stored conversation, or None when there is none by that id."""
        try:
            item = self._client.get_item(
                TableName=self._table,
                Key={"pk": {"S": conversation_id}, "sk": {"S": SORT_KEY}},
                ConsistentRead=True,
            ).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"loading a conversation: {_code(error)}") from error
        return None if item is None else conversation_from_item(item)

    def queue(self, state: State, limit: int) -> list[Conversation]:
        """Conversations in `state` (waiting for or owned by a person), VIP customers first,
        then the newest waiting first; none for the other states, which the index omits."""
        if state not in QUEUED_STATES:
            return []

        def shard(key: str) -> list[dict[str, Any]]:
            return self._query_shard(key, newest_first=True, limit=limit)

        items = heapq.merge(*self._each_shard(state, shard), key=_queue_order, reverse=True)
        return [conversation_from_item(item) for item, _ in zip(items, range(limit), strict=False)]

    def oldest_waiting_since(self, state: State) -> float | None:
        """When the longest-waiting conversation in `state` began waiting (None: none waits)."""
        if state not in QUEUED_STATES:
            return None

        def oldest(key: str) -> list[dict[str, Any]]:
            # the oldest regular ("0#..."), VIP ("1#...") and urgent ("2#...") conversation
            return [
                item
                for prefix in ("0#", "1#", "2#")
                for item in self._query_shard(key, newest_first=False, limit=1, prefix=prefix)
            ]

        found = [float(i["waiting_since"]["N"]) for s in self._each_shard(state, oldest) for i in s]
        return min(found, default=None)

    def _each_shard(
        self, state: State, read: Callable[[str], list[dict[str, Any]]]
    ) -> list[list[dict[str, Any]]]:
        """`read` of each of the state's shards, READERS at a time."""
        keys = [_shard_key(state, n) for n in range(QUEUE_SHARDS)]
        with ThreadPoolExecutor(READERS) as pool:
            return list(pool.map(read, keys))

    def _query_shard(
        self, key: str, *, newest_first: bool, limit: int, prefix: str = ""
    ) -> list[dict[str, Any]]:
        condition = "queue_shard = :shard"
        values = {":shard": {"S": key}}
        if prefix:
            condition += " AND begins_with(queue_key, :prefix)"
            values[":prefix"] = {"S": prefix}
        found: list[dict[str, Any]] = []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName=QUEUE_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ScanIndexForward=not newest_first,
            PaginationConfig={"MaxItems": limit},
        )
        try:
            for page in pages:
                found.extend(page["Items"])
        except (ClientError, BotoCoreError) as error:
            raise StoreUnavailable(f"reading the agents' queue: {_code(error)}") from error
        return found

    def scan(self) -> list[Conversation]:
        """Every stored conversation (insights over the retention period)."""
        paginator = self._client.get_paginator("scan")
        return [
            conversation_from_item(item)
            for page in paginator.paginate(TableName=self._table)
            for item in page["Items"]
        ]

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
        raise ConcurrentUpdates(f"the conversation changed {MAX_ATTEMPTS} times while saving")

    def _put(self, conversation: Conversation, expected_version: int) -> None:
        item = conversation_item(conversation)
        item["expires_at"] = {"N": str(int(time.time()) + self._retention)}
        self._client.put_item(
            TableName=self._table, Item=item, **expecting_version(expected_version)
        )


def _code(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__


def queue_key(conversation: Conversation) -> str:
    since = conversation.waiting_since or conversation.customer_last_wrote
    return f"{2 if conversation.urgent else int(conversation.vip)}#{since:017.6f}"


def queue_shard(conversation: Conversation) -> str | None:
    """The agents' queue partition the conversation belongs to, None outside the queue."""
    if conversation.state not in QUEUED_STATES:
        return None
    digest = hashlib.blake2b(conversation.id.encode(), digest_size=4).digest()
    return _shard_key(conversation.state, int.from_bytes(digest, "big") % QUEUE_SHARDS)


def _shard_key(state: State, shard: int) -> str:
    return f"{state.value}#{shard:03d}"


def _queue_order(item: dict[str, Any]) -> tuple[str, str]:
    return str(item["queue_key"]["S"]), str(item["pk"]["S"])


def conversation_item(conversation: Conversation) -> dict[str, Any]:
    c = conversation
    item: dict[str, Any] = {
        "pk": {"S": c.id},
        "sk": {"S": SORT_KEY},
        "channel": {"S": c.channel.value},
        "turns": {"L": [{"M": _turn_item(t)} for t in _fitting(c.turns)]},
        "answered": {"L": [{"S": a} for a in c.answered]},
        "sending": {
            "L": [
                {
                    "M": {
                        "message_id": {"S": s.message_id},
                        "key": {"S": s.key},
                        "since": {"N": repr(s.since)},
                    }
                }
                for s in c.sending
            ]
        },
        "version": {"N": str(c.version)},
        "state": {"S": c.state.value},
        "queue_key": {"S": queue_key(c)},
        "owner": {"S": c.owner},
        "handoff_reason": {"S": c.handoff_reason},
        "waiting_since": {"N": repr(c.waiting_since)},
        "handed_off_at": {"N": repr(c.handed_off_at)},
        "first_human_reply_at": {"N": repr(c.first_human_reply_at)},
        "human_active_at": {"N": repr(c.human_active_at)},
        "handoffs": {"N": str(c.handoffs)},
        "slots": {"M": {k: {"S": v} for k, v in c.slots}},
        "pending_intent": {"S": c.pending_intent},
        "vip": {"BOOL": c.vip},
        "urgent": {"BOOL": c.urgent},
        "customer_id": {"S": c.customer_id},
    }
    if c.contact is not None:
        item["contact"] = {"S": c.contact.to_json()}
    shard = queue_shard(c)
    if shard is not None:  # absent otherwise: the index never sees the bot's conversations
        item["queue_shard"] = {"S": shard}
    return item


def conversation_from_item(item: dict[str, Any]) -> Conversation:
    def number(name: str) -> float:
        return float(item.get(name, {}).get("N", "0"))

    def text(name: str) -> str:
        return str(item.get(name, {}).get("S", ""))

    contact = text("contact")
    # Conversations stored before the dialogue state came have none of it: they are the bot's.
    return Conversation(
        id=item["pk"]["S"],
        channel=Channel(item["channel"]["S"]),
        turns=tuple(_turn(t["M"]) for t in item["turns"]["L"]),
        answered=tuple(a["S"] for a in item["answered"]["L"]),
        version=int(item["version"]["N"]),
        sending=tuple(
            Sending(s["M"]["message_id"]["S"], s["M"]["key"]["S"], float(s["M"]["since"]["N"]))
            for s in item.get("sending", {}).get("L", [])
        ),
        state=State(text("state") or State.BOT),
        owner=text("owner"),
        handoff_reason=text("handoff_reason"),
        waiting_since=number("waiting_since"),
        handed_off_at=number("handed_off_at"),
        first_human_reply_at=number("first_human_reply_at"),
        human_active_at=number("human_active_at"),
        handoffs=int(number("handoffs")),
        slots=tuple((k, v["S"]) for k, v in item.get("slots", {}).get("M", {}).items()),
        pending_intent=text("pending_intent"),
        vip=item.get("vip", {}).get("BOOL", False),
        urgent=item.get("urgent", {}).get("BOOL", False),
        customer_id=text("customer_id"),
        contact=InboundMessage.from_json(contact) if contact else None,
    )


def _fitting(turns: tuple[Turn, ...]) -> list[Turn]:
    """The turns as stored: each within its caps, the oldest left out while the item would
    come near DynamoDB's limit."""
    stored = [_capped(t) for t in turns]
    sizes = [_size(t) for t in stored]
    total = sum(sizes)
    first = 0
    while total > ITEM_BUDGET_BYTES and first < len(stored) - 1:
        total -= sizes[first]
        first += 1
    return stored[first:]


def _capped(turn: Turn) -> Turn:
    if len(turn.text) <= MAX_STORED_TURN_CHARS and len(turn.entities) <= MAX_STORED_ENTITIES:
        return turn
    text, cut = turn.text, len(turn.text)
    if len(text) > MAX_STORED_TURN_CHARS:
        cut = MAX_STORED_TURN_CHARS - len(TRUNCATED)
        text = text[:cut] + TRUNCATED
    entities = tuple(e for e in turn.entities if e.end <= cut)[:MAX_STORED_ENTITIES]
    return replace(turn, text=text, entities=entities)


def _size(turn: Turn) -> int:
    """An upper bound of the turn's bytes in the item (UTF-8 takes at most 4 a character)."""
    characters = len(turn.text) + sum(len(e.value) + len(e.type) for e in turn.entities)
    return 4 * characters + TURN_OVERHEAD_BYTES * (1 + len(turn.entities))


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
