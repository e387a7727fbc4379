"""The Agent API's answers to what goes wrong: a reply the channel can no longer deliver, a
platform that refuses the message, ids and bodies that are not what a route takes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialcare.agents.api import handle
from socialcare.agents.desk import AgentDesk
from socialcare.model import Channel, Conversation, InboundMessage, Kind, State, Turn
from tests.fakes.ports import FakeConversationStore, FakeCustomers, FakeOutbound, RecordingErasure

NOW = 1_700_100_000.0
CONVERSATION = "messenger:page:42"


def _waiting(last_wrote: float) -> Conversation:
    contact = InboundMessage(
        Channel.MESSENGER, "m1", CONVERSATION, "42", "42", Kind.TEXT, "", account_id="page"
    )
    turn = Turn("customer", "a person please", last_wrote, "m1", "en")
    waiting = Conversation(CONVERSATION, Channel.MESSENGER, turns=(turn,), contact=contact)
    return waiting.hand_off("asked_for_human", last_wrote)


def _desk(
    conversation: Conversation | None = None, outbound: FakeOutbound | None = None
) -> tuple[AgentDesk, FakeConversationStore, FakeOutbound]:
    store, sender = FakeConversationStore(), outbound or FakeOutbound()
    if conversation is not None:
        store.conversations[conversation.id] = conversation
    desk = AgentDesk(
        store, FakeCustomers(), lambda _channel: sender, RecordingErasure, clock=lambda: NOW
    )
    return desk, store, sender


def _event(route: str, *, body: str = "", query: Any = None, path: Any = None) -> Any:
    return {
        "routeKey": route,
        "body": body,
        "queryStringParameters": query,
        "pathParameters": path or {"id": CONVERSATION},
        "requestContext": {
            "authorizer": {"jwt": {"claims": {"sub": "ann", "scope": "socialcare/agent"}}}
        },
    }


REPLY = "POST /agent/conversations/{id}/messages"


def test_a_reply_after_the_window_closed_is_409_and_neither_stored_nor_sent() -> None:
    """GIVEN a Messenger customer who last wrote 25 hours ago (the window is 24 h) WHEN an agent
    replies THEN 409 says the window closed, nothing goes out, and the transcript and the queue
    are as they were: the reply is not shown as sent."""
    before = _waiting(NOW - 25 * 3600)
    desk, store, sender = _desk(before)

    status, body = handle(desk, _event(REPLY, body=json.dumps({"text": "Hello from Ann"})))

    assert status == 409
    assert "window" in body["message"]
    assert sender.attempts == 0
    assert store.conversations[CONVERSATION] == before


def test_a_reply_the_platform_refuses_leaves_the_conversation_waiting_in_the_queue() -> None:
    """GIVEN a customer waiting for a person WHEN the agent's reply fails at the platform THEN
    502, the transcript has no agent message, and the conversation still waits in the queue
    with no owner, so that someone answers it."""
    desk, store, _ = _desk(_waiting(NOW - 60), FakeOutbound(fail_next=1))

    status, _ = handle(desk, _event(REPLY, body=json.dumps({"text": "Hello from Ann"})))

    assert status == 502
    after = store.conversations[CONVERSATION]
    assert (after.state, after.owner) == (State.PENDING_HUMAN, "")
    assert [t.role for t in after.turns] == ["customer"]
    assert [c.id for c in store.queue(State.PENDING_HUMAN, 10)] == [CONVERSATION]


def test_a_reply_that_goes_out_makes_the_agent_the_owner() -> None:
    desk, store, sender = _desk(_waiting(NOW - 60))

    status, body = handle(desk, _event(REPLY, body=json.dumps({"text": "Hello from Ann"})))

    assert (status, body["state"]) == (200, "human")
    assert [s.text for s in sender.sent] == ["Hello from Ann"]
    assert store.conversations[CONVERSATION].owner == "ann"


@pytest.mark.parametrize(
    "route",
    [REPLY, "POST /agent/customers/{id}/link"],
)
def test_a_deeply_nested_body_is_400_not_500(route: str) -> None:
    """GIVEN a body of 100,000 nested arrays WHEN posted to a route that reads JSON THEN 400."""
    desk, _, sender = _desk(_waiting(NOW - 60))

    status, _ = handle(desk, _event(route, body="[" * 100_000 + "]" * 100_000))

    assert status == 400
    assert sender.attempts == 0


@pytest.mark.parametrize("limit", ["-5", "0", "abc", "1e3", "99999999999999999999"])
def test_a_limit_that_is_not_a_positive_whole_number_is_400(limit: str) -> None:
    desk, _, _ = _desk(_waiting(NOW - 60))

    status, body = handle(desk, _event("GET /agent/conversations", query={"limit": limit}))

    assert status == 400
    assert "limit" in body["message"]


def test_a_limit_caps_the_queue() -> None:
    desk, _, _ = _desk(_waiting(NOW - 60))

    status, body = handle(desk, _event("GET /agent/conversations", query={"limit": "1"}))

    assert status == 200
    assert [c["id"] for c in body["conversations"]] == [CONVERSATION]


@pytest.mark.parametrize(
    ("customer", "other"),
    [("telegram:5", "nobody"), ("telegram:5", "fax:1"), ("x", "telegram:6")],
)
def test_linking_an_id_that_names_no_customer_is_400_and_links_nothing(
    customer: str, other: str
) -> None:
    customers = FakeCustomers()
    desk = AgentDesk(
        FakeConversationStore(), customers, lambda _c: FakeOutbound(), RecordingErasure
    )

    status, body = handle(
        desk,
        _event(
            "POST /agent/customers/{id}/link",
            body=json.dumps({"other": other}),
            path={"id": customer},
        ),
    )

    assert status == 400
    assert "customer id" in body["message"]
    assert customers.links == {}
