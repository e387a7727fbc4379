"""Web chat: signed short-lived session tokens, messages under them, long polling for replies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialcare.channels.outbound import Outgoing
from socialcare.channels.webchat import (
    MAX_TEXT_CHARS,
    MAX_WAIT_S,
    SESSION_TTL_S,
    WebchatInbound,
    WebchatSessions,
    wait_for_replies,
)
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.webhook import (
    BadSignature,
    MalformedPayload,
    PayloadTooLarge,
    WebhookRequest,
    receive,
)

NOW = 1_700_000_000.0


@pytest.fixture
def sessions() -> WebchatSessions:
    return WebchatSessions("signing-key", clock=lambda: NOW)


def _post(token: str | None, body: dict[str, Any]) -> WebhookRequest:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    return WebhookRequest("POST", headers, {}, json.dumps(body).encode())


def test_a_session_token_names_its_session(sessions: WebchatSessions) -> None:
    session = sessions.issue()
    assert sessions.session_of(session.token) == session.session_id
    assert session.expires_at == NOW + SESSION_TTL_S


def test_tokens_expire(sessions: WebchatSessions) -> None:
    """GIVEN a token WHEN its half hour is over THEN it no longer opens the session."""
    token = sessions.issue().token
    later = WebchatSessions("signing-key", clock=lambda: NOW + SESSION_TTL_S + 1)
    with pytest.raises(BadSignature, match="expired"):
        later.session_of(token)


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # another signature
        lambda t: "eyJzaWQiOiAiYXR0YWNrZXIiLCAiZXhwIjogOTk5OTk5OTk5OX0." + t.split(".")[1],
        lambda t: t.split(".")[0],  # no signature
        lambda t: "",
    ],
    ids=["signature", "claims", "unsigned", "empty"],
)
def test_forged_tokens_are_refused(sessions: WebchatSessions, forge: Any) -> None:
    with pytest.raises(BadSignature):
        sessions.session_of(forge(sessions.issue().token))


def test_token_from_another_key_is_refused(sessions: WebchatSessions) -> None:
    other = WebchatSessions("another-key", clock=lambda: NOW).issue().token
    with pytest.raises(BadSignature):
        sessions.session_of(other)


def test_message_under_its_session_is_a_customer_message(sessions: WebchatSessions) -> None:
    session = sessions.issue()
    inbound = WebchatInbound(sessions, clock=lambda: NOW)
    request = _post(session.token, {"session_id": session.session_id, "id": "c1", "text": "hi"})
    inbound.verify(request)
    [message] = inbound.parse(request.body)
    assert (message.channel, message.kind, message.text) == (Channel.WEBCHAT, Kind.TEXT, "hi")
    assert message.message_id == f"{session.session_id}:c1"
    assert message.conversation_id == f"webchat:{session.session_id}"
    assert message.sent_at == NOW


def test_chosen_option_carries_its_payload(sessions: WebchatSessions) -> None:
    inbound = WebchatInbound(sessions)
    body = {"session_id": "s", "id": "c2", "payload": "Delivery times"}
    [message] = inbound.parse(json.dumps(body).encode())
    assert (message.text, message.payload, message.platform_type) == (
        "Delivery times",
        "Delivery times",
        "postback",
    )


@pytest.mark.parametrize("token", [None, "garbage"], ids=["missing", "forged"])
def test_messages_without_a_valid_token_are_refused(
    sessions: WebchatSessions, token: str | None
) -> None:
    with pytest.raises(BadSignature):
        WebchatInbound(sessions).verify(_post(token, {"session_id": "s", "id": "1", "text": "x"}))


def test_a_token_cannot_write_into_another_session(sessions: WebchatSessions) -> None:
    mine, theirs = sessions.issue(), sessions.issue()
    request = _post(mine.token, {"session_id": theirs.session_id, "id": "1", "text": "x"})
    with pytest.raises(BadSignature):
        WebchatInbound(sessions).verify(request)


@pytest.mark.parametrize(
    "body",
    [
        {"session_id": "s", "text": "x"},
        {"session_id": "s", "id": "", "text": "x"},
        {"session_id": "s", "id": "x" * 65, "text": "x"},
        {"id": "1", "text": "x"},
    ],
    ids=["no-id", "empty-id", "long-id", "no-session"],
)
def test_malformed_messages_are_400(sessions: WebchatSessions, body: dict[str, Any]) -> None:
    with pytest.raises(MalformedPayload):
        WebchatInbound(sessions).parse(json.dumps(body).encode())


@pytest.mark.parametrize("field", ["text", "payload"])
def test_over_long_messages_are_413_and_nothing_is_queued(
    sessions: WebchatSessions, field: str
) -> None:
    """GIVEN a web chat message longer than MAX_TEXT_CHARS (free sessions make this the cheapest
    way in) WHEN received THEN 413 with a message that says why, and nothing is queued; at
    exactly the cap it is queued whole."""
    session = sessions.issue()
    queued: list[InboundMessage] = []
    inbound = WebchatInbound(sessions)
    base = {"session_id": session.session_id, "id": "long"}
    with pytest.raises(PayloadTooLarge) as refused:
        receive(
            _post(session.token, {**base, field: "a@" * MAX_TEXT_CHARS}), inbound, queued.append
        )
    assert refused.value.status == 413
    assert f"over {MAX_TEXT_CHARS}" in str(refused.value)
    assert queued == []
    receive(_post(session.token, {**base, field: "x" * MAX_TEXT_CHARS}), inbound, queued.append)
    assert [len(m.text) for m in queued] == [MAX_TEXT_CHARS]


def test_a_chosen_options_payload_is_redacted_before_it_is_queued(
    sessions: WebchatSessions,
) -> None:
    """GIVEN a web chat client that sends personal data as an option's payload WHEN received
    THEN the queued message carries placeholders in the payload as in the text."""
    session = sessions.issue()
    queued: list[InboundMessage] = []
    body = {"session_id": session.session_id, "id": "p1", "payload": "mail jane@example.com"}
    receive(_post(session.token, body), WebchatInbound(sessions), queued.append)
    assert [(m.text, m.payload) for m in queued] == [("mail [EMAIL]", "mail [EMAIL]")]


class ListOutbox:
    """An outbox in a list, filled after `delay` polls."""

    def __init__(self, delay: int = 0) -> None:
        self.items: list[dict[str, Any]] = []
        self.polls = 0
        self.delay = delay

    def append(self, session_id: str, message_id: str, outgoing: list[Outgoing]) -> None:
        self.items.extend(
            {"cursor": f"{len(self.items) + n:04d}", "text": o.text, "options": list(o.options)}
            for n, o in enumerate(outgoing)
        )

    def since(self, session_id: str, cursor: str) -> list[dict[str, Any]]:
        self.polls += 1
        if self.polls <= self.delay:
            return []
        return [i for i in self.items if i["cursor"] > cursor]


def test_long_polling_returns_as_soon_as_a_reply_is_there() -> None:
    """GIVEN a reply that arrives on the third look WHEN a client long-polls THEN it gets the
    reply then, without waiting out the rest of its wait."""
    outbox = ListOutbox(delay=2)
    outbox.append("s", "m", [Outgoing("hello")])
    ticks = iter(range(100))
    replies = wait_for_replies(
        outbox, "s", "", wait_s=10, clock=lambda: float(next(ticks)), sleep=lambda _s: None
    )
    assert [r["text"] for r in replies] == ["hello"]
    assert outbox.polls == 3


def test_long_polling_gives_up_after_the_wait_capped_at_the_maximum() -> None:
    outbox = ListOutbox()
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    replies = wait_for_replies(outbox, "s", "", wait_s=999, clock=lambda: now[0], sleep=sleep)
    assert replies == []
    assert MAX_WAIT_S <= now[0] < MAX_WAIT_S + 1


def test_cursor_skips_replies_already_read() -> None:
    outbox = ListOutbox()
    outbox.append("s", "m1", [Outgoing("one"), Outgoing("two")])
    first = wait_for_replies(outbox, "s", "", wait_s=0)
    assert [r["text"] for r in wait_for_replies(outbox, "s", first[0]["cursor"], wait_s=0)] == [
        "two"
    ]


def test_a_held_poll_reads_the_outbox_a_few_times_not_every_quarter_second() -> None:
    """GIVEN an open tab whose customer is quiet WHEN its request is held for the longest wait
    THEN the function is held at most 10 s and reads the outbox with growing gaps (8 reads,
    where a 20 s hold read it 80 times), so one tab costs a few reads a minute."""
    outbox = ListOutbox()
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    wait_for_replies(outbox, "s", "", wait_s=999, clock=lambda: now[0], sleep=sleep)

    assert now[0] == MAX_WAIT_S <= 10
    assert outbox.polls <= 10
