"""Conversations in DynamoDB (moto): history, the right to answer, and concurrent workers."""

from __future__ import annotations

import time
from dataclasses import replace

import boto3
import pytest

from socialcare.model import Channel, Conversation, Entity, Sending, Turn
from socialcare.store.dynamodb_conversations import (
    MAX_STORED_TURN_CHARS,
    TRUNCATED,
    ConcurrentUpdates,
    DynamoDBConversations,
)
from socialcare_local.cfn_template import Template


def _store(template: Template) -> DynamoDBConversations:
    return DynamoDBConversations(template.physical["ConversationsTable"]["Ref"], retention_days=30)


KEY = "0f6f5c1e-4c0e-5b7a-9d1e-3f1f0b7a2c11"


def _turn(n: int, role: str = "customer") -> Turn:
    return Turn(role, f"text {n}", float(n), f"m{n}", "en")


def test_a_new_conversation_is_stored_with_its_history_and_expiry(aws: Template) -> None:
    store = _store(aws)
    fresh = store.load("telegram:1", Channel.TELEGRAM)

    begun = store.save(fresh, lambda c: c.begin(_turn(1), KEY, 1.0))
    assert begun is not None
    assert store.load("telegram:1", Channel.TELEGRAM).sending == (Sending("m1", KEY, 1.0),)
    store.save(begun, lambda c: c.finish(_turn(1, "agent")))

    loaded = store.load("telegram:1", Channel.TELEGRAM)
    assert [t.role for t in loaded.turns] == ["customer", "agent"]
    assert loaded.answered == ("m1",)
    assert loaded.sending == ()
    assert loaded.has_answered("m1")
    item = boto3.client("dynamodb").get_item(
        TableName=aws.physical["ConversationsTable"]["Ref"],
        Key={"pk": {"S": "telegram:1"}, "sk": {"S": "conversation"}},
    )["Item"]
    assert int(item["expires_at"]["N"]) > time.time() + 29 * 86400


def test_two_workers_on_the_same_message_only_one_may_answer(aws: Template) -> None:
    """GIVEN two workers that loaded the same conversation for the same message
    WHEN both try to begin the turn THEN exactly one gets the right to answer."""
    store = _store(aws)
    first_view = store.load("telegram:2", Channel.TELEGRAM)
    second_view = store.load("telegram:2", Channel.TELEGRAM)

    def begin(c: Conversation) -> Conversation:
        return c if "m7" in c.answered else c.begin(_turn(7), KEY, 1.0)

    winner = store.save(first_view, begin)
    loser = store.save(second_view, begin)

    assert winner is not None
    assert loser is None
    assert [t.message_id for t in store.load("telegram:2", Channel.TELEGRAM).turns] == ["m7"]


def test_a_stale_writer_reapplies_its_change_instead_of_losing_the_other(aws: Template) -> None:
    """GIVEN a worker holding an old version WHEN it stores a different turn
    THEN both turns are kept: the conflict is retried on the fresh copy, not overwritten."""
    store = _store(aws)
    stale = store.load("telegram:3", Channel.TELEGRAM)
    store.save(stale, lambda c: c.begin(_turn(1), KEY, 1.0))

    store.save(stale, lambda c: c.begin(_turn(2), KEY, 1.0))

    assert [t.message_id for t in store.load("telegram:3", Channel.TELEGRAM).turns] == ["m1", "m2"]


def test_history_is_capped(aws: Template) -> None:
    store = _store(aws)
    conversation = store.load("telegram:4", Channel.TELEGRAM)
    for n in range(Conversation.MAX_TURNS + 5):
        saved = store.save(conversation, lambda c, n=n: c.begin(_turn(n), KEY, 1.0))
        assert saved is not None
        conversation = saved

    loaded = store.load("telegram:4", Channel.TELEGRAM)
    assert len(loaded.turns) == Conversation.MAX_TURNS
    assert loaded.turns[-1].message_id == f"m{Conversation.MAX_TURNS + 4}"


def test_what_was_understood_is_stored_with_the_turn(aws: Template) -> None:
    """GIVEN a customer turn with its intent, sentiment, entities and flags WHEN stored and loaded
    THEN all of it comes back as it was."""
    store = _store(aws)
    turn = Turn(
        "customer",
        "order 3707955617 is late again, call [PHONE]",
        1.0,
        "m1",
        "en",
        intent="track_order",
        confidence=0.8731,
        sentiment="negative",
        sentiment_score=-0.62,
        entities=(Entity("order_number", "3707955617", 6, 16),),
        toxic=False,
        urgent=True,
    )
    store.save(store.load("telegram:5", Channel.TELEGRAM), lambda c: c.begin(turn, KEY, 1.0))

    assert store.load("telegram:5", Channel.TELEGRAM).turns == (turn,)


def test_a_conversation_that_keeps_changing_fails_without_naming_the_customer(
    aws: Template,
) -> None:
    """GIVEN a WhatsApp conversation (its id holds the customer's phone number) that another
    worker changes before every save WHEN the save gives up THEN the error that the worker logs
    does not carry the phone number."""
    store, rival = _store(aws), _store(aws)
    conversation_id = "whatsapp:acct:4915550003"
    stored = store.save(
        store.load(conversation_id, Channel.WHATSAPP), lambda c: c.begin(_turn(1), KEY, 1.0)
    )
    assert stored is not None

    def racing(current: Conversation) -> Conversation:
        latest = rival.load(conversation_id, Channel.WHATSAPP)
        rival.save(latest, lambda c: c.remember("n", str(latest.version)))
        return current.remember("mine", "1")

    with pytest.raises(ConcurrentUpdates) as failed:
        store.save(stored, racing)

    assert "4915550003" not in str(failed.value)


def test_a_huge_message_is_stored_cut_with_a_marker_instead_of_failing(aws: Template) -> None:
    """GIVEN a customer message of 300,000 Chinese characters (900 KB, over DynamoDB's 400 KB
    item limit) WHEN its turn is stored THEN the save succeeds and the stored turn keeps the
    beginning of the text, marked as cut, so that the message is answered, not dead-lettered."""
    store = _store(aws)
    huge = Turn("customer", "退货" * 150_000, 1.0, "m1", "zh")

    stored = store.save(
        store.load("webchat:s1", Channel.WEBCHAT), lambda c: c.begin(huge, KEY, 1.0)
    )

    assert stored is not None
    (turn,) = store.load("webchat:s1", Channel.WEBCHAT).turns
    assert turn.text.startswith("退货退货")
    assert turn.text.endswith(TRUNCATED)
    assert len(turn.text) == MAX_STORED_TURN_CHARS


def test_a_long_history_of_long_messages_still_fits_in_one_item(aws: Template) -> None:
    """GIVEN fifty turns of 2,000 four-byte characters with an entity each WHEN the conversation
    is stored THEN it is, with its newest turns kept."""
    store = _store(aws)
    entity = Entity("order_number", "#12345", 0, 6)
    turns = tuple(
        replace(_turn(n), text="🙂" * 2000, entities=(entity,) * 40) for n in range(1, 51)
    )

    store.save(store.load("telegram:9", Channel.TELEGRAM), lambda c: replace(c, turns=turns))

    kept = store.load("telegram:9", Channel.TELEGRAM).turns
    assert kept[-1].message_id == "m50"
    assert all(len(t.entities) <= 20 for t in kept)
