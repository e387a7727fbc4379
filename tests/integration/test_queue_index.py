"""The agents' queue index on a moto server provisioned from template.yaml: sparse (the bot's
conversations never write to it) and spread, so that no partition key value of the index takes
more than 1% of its writes, however many conversations wait for or talk to a person."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import boto3
import pytest

from socialcare.model import Channel, Conversation, State, Turn
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare_local.cfn_template import Template

HANDED_OFF = 2000


class IndexWrites:
    """Counts the writes each index partition key value takes, as DynamoDB applies them to a
    GSI: a put where the new item carries the key, and a delete where an item leaves the key."""

    def __init__(self) -> None:
        self.per_key: Counter[str] = Counter()
        self.table_writes = 0
        self._current: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self._count(params["Item"])

    def _count(self, item: dict[str, Any]) -> None:
        self.table_writes += 1
        before, after = self._current.get(item["pk"]["S"]), item.get("queue_shard", {}).get("S")
        if before is not None and before != after:
            self.per_key[before] += 1  # the old index entry deleted
        if after is not None:
            self.per_key[after] += 1
            self._current[item["pk"]["S"]] = after
        else:
            self._current.pop(item["pk"]["S"], None)


@pytest.fixture
def counted(aws: Template) -> tuple[DynamoDBConversations, IndexWrites]:
    client = boto3.client("dynamodb")
    writes = IndexWrites()
    client.meta.events.register("provide-client-params.dynamodb.PutItem", writes)
    table = aws.physical["ConversationsTable"]["Ref"]
    return DynamoDBConversations(table, 30, client=client), writes


def _life_with_a_person(store: DynamoDBConversations, number: int) -> None:
    """A customer's message to the bot, the hand-off, an agent's reply, the customer's answer,
    resolved: every write the dialogue makes for a conversation that reaches a person."""
    cid = f"telegram:{100_000 + number}"
    at = 1_700_000_000.0 + number
    first = Turn("customer", "where is my parcel", at, f"{cid}:1", "en")
    steps = (
        lambda c: replace(c, turns=(first,)),
        lambda c: c.hand_off("asked_for_human", at + 1),
        lambda c: c.human_reply("agent-1", Turn("agent", "Hello", at + 2, f"{cid}:a", "en")),
        lambda c: replace(c, turns=(*c.turns, Turn("customer", "ok", at + 3, f"{cid}:2", "en"))),
        lambda c: c.resolve(),
    )
    conversation = Conversation(cid, Channel.TELEGRAM)
    for step in steps:
        stored = store.save(conversation, step)
        assert stored is not None
        conversation = stored


def test_no_index_key_takes_more_than_one_percent_of_the_queue_writes(
    counted: tuple[DynamoDBConversations, IndexWrites],
) -> None:
    """GIVEN 2,000 conversations that each go to a person and back WHEN every write lands
    THEN the bot's writes never touch the index, and the busiest index partition key value took
    under 1% of the index's writes (the old index put all of them under `state`)."""
    store, writes = counted
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: _life_with_a_person(store, n), range(HANDED_OFF)))

    index_writes = sum(writes.per_key.values())
    busiest_key, busiest = writes.per_key.most_common(1)[0]
    print(
        f"\nqueue index: {writes.table_writes} table writes, {index_writes} index writes over "
        f"{len(writes.per_key)} key values; busiest {busiest_key}: {busiest} "
        f"({busiest / index_writes:.2%} of index writes, {busiest / writes.table_writes:.2%} "
        "of table writes)"
    )
    assert index_writes == HANDED_OFF * 5  # in, moved to the agent, updated, moved, out
    assert busiest / index_writes < 0.01
    assert store.queue(State.PENDING_HUMAN, 10) == []  # all resolved: the index is empty


def test_the_queue_merges_every_shard_vip_first_then_newest_waiting(
    counted: tuple[DynamoDBConversations, IndexWrites],
) -> None:
    """GIVEN 40 waiting conversations spread over the shards, 2 of them VIPs, and one with the
    bot WHEN the agents read the first 10 THEN the VIPs come first, then the newest waiting,
    and the bot's conversation is in neither queue."""
    store, _ = counted
    for number in range(40):
        cid = f"whatsapp:{number}"
        turn = Turn("customer", "a person please", 100.0 + number, f"{cid}:1", "en")
        waiting = Conversation(cid, Channel.WHATSAPP, turns=(turn,), vip=number in (3, 7))
        waiting = waiting.hand_off("asked_for_human", 100.0 + number)
        store.save(Conversation(cid, Channel.WHATSAPP), lambda _c, w=waiting: w)
    hello = Turn("customer", "hi", 1.0, "whatsapp:bot:1", "en")
    store.save(Conversation("whatsapp:bot", Channel.WHATSAPP), lambda c: replace(c, turns=(hello,)))

    queue = [c.id for c in store.queue(State.PENDING_HUMAN, 10)]

    assert queue == ["whatsapp:7", "whatsapp:3", *[f"whatsapp:{n}" for n in range(39, 31, -1)]]
    assert store.oldest_waiting_since(State.PENDING_HUMAN) == 100.0
    assert "whatsapp:bot" not in [c.id for c in store.queue(State.HUMAN, 100)]
    assert store.queue(State.BOT, 100) == []
