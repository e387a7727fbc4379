"""Every channel on the running local stack: signed HTTP in, the customer's reply read where the
platform would deliver it (the sandbox), or from the web chat's long-polling endpoint."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
from typing import Any

import pytest

from socialcare_local.traffic import (
    deliver,
    line_events,
    meta_comment,
    meta_messages,
    post,
    webchat_message,
    webchat_replies,
    webchat_session,
    wechat_message,
    x_mention,
)
from tests.channel_cases import CASES, ChannelCase
from tests.e2e.conftest import RunningStack

_customers = itertools.count(50_000)
cases = pytest.mark.parametrize("case", CASES, ids=[c.channel for c in CASES])
# Questions whose help-centre answers differ, each recognised by its article's link.
TOPICS = [
    ("how long does delivery take?", "/delivery-time"),
    ("how do I cancel my order?", "/cancel-order"),
    ("Reset my password", "/recover-password"),
    ("Return my item", "/returns-policy"),
    ("can I get an invoice?", "/invoice"),
]


def _sent(stack: RunningStack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{stack.sandbox}/_sent", timeout=5) as response:
        return list(json.loads(response.read()))


def _replies(
    stack: RunningStack, channel: str, recipient: str, at_least: int, wait_s: float = 15.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + wait_s
    while True:
        mine = [s for s in _sent(stack) if s["channel"] == channel and s["recipient"] == recipient]
        if len(mine) >= at_least or time.monotonic() > deadline:
            return mine
        time.sleep(0.05)


@cases
def test_question_is_answered_on_the_channel(stack: RunningStack, case: ChannelCase) -> None:
    """GIVEN a customer on the channel WHEN they ask about delivery times THEN the help-centre
    answer reaches them through the platform's API."""
    delivery = case.deliver(["how long does delivery take?"], next(_customers))
    assert deliver(stack.gateway, delivery)[0] == 200
    [reply] = _replies(stack, case.channel, delivery.recipient, 1)
    assert "3-5 business days" in reply["text"]


@cases
def test_forged_and_unsigned_deliveries_are_refused_and_never_answered(
    stack: RunningStack, case: ChannelCase
) -> None:
    delivery = case.deliver(["refund me"], next(_customers))
    forged, unsigned = case.forged(delivery), case.unsigned(delivery)
    assert post(stack.gateway, forged.path, forged.body, forged.headers)[0] == 401
    assert post(stack.gateway, unsigned.path, unsigned.body, unsigned.headers)[0] == 401
    time.sleep(1.0)
    assert _replies(stack, case.channel, delivery.recipient, 0, wait_s=0) == []


@cases
def test_redelivered_webhook_gets_exactly_one_reply(stack: RunningStack, case: ChannelCase) -> None:
    delivery = case.deliver(["which payment methods can I use?"], next(_customers))
    assert [deliver(stack.gateway, delivery)[0] for _ in range(3)] == [200, 200, 200]
    assert len(_replies(stack, case.channel, delivery.recipient, 1)) == 1
    time.sleep(1.0)
    assert len(_replies(stack, case.channel, delivery.recipient, 0, wait_s=0)) == 1


@pytest.mark.parametrize("case", [c for c in CASES if c.batches], ids=lambda c: c.channel)
def test_batched_delivery_of_n_events_gets_n_replies_in_order(
    stack: RunningStack, case: ChannelCase
) -> None:
    delivery = case.deliver([q for q, _ in TOPICS], next(_customers))
    assert deliver(stack.gateway, delivery)[0] == 200
    replies = _replies(stack, case.channel, delivery.recipient, len(TOPICS))
    assert len(replies) == len(TOPICS)
    for (question, article), reply in zip(TOPICS, replies, strict=True):
        assert article in reply["text"], question


def test_burst_of_50_messages_from_one_customer_is_answered_in_order(
    stack: RunningStack,
) -> None:
    """GIVEN one Telegram customer sending 50 questions as fast as they can WHEN all are answered
    THEN the 50 replies arrive in the order the questions were asked."""
    telegram = next(c for c in CASES if c.channel == "telegram")
    customer = next(_customers)
    questions = [TOPICS[n % len(TOPICS)] for n in range(50)]
    for question, _ in questions:
        assert deliver(stack.gateway, telegram.deliver([question], customer))[0] == 200
    replies = _replies(stack, "telegram", str(customer), 50, wait_s=60)
    assert len(replies) == 50
    assert [next(a for _, a in TOPICS if a in r["text"]) for r in replies] == [
        a for _, a in questions
    ]


@pytest.mark.parametrize(
    ("channel", "make"),
    [
        (
            "messenger",
            lambda n: meta_messages(
                "messenger",
                f"67{n:014d}",
                [
                    {
                        "attachments": [
                            {"type": "image", "payload": {"url": "https://cdn.example/1.jpg"}}
                        ]
                    }
                ],
            ),
        ),
        (
            "line",
            lambda n: line_events(
                f"U{n:032x}",
                [
                    {
                        "type": "message",
                        "message": {"type": "sticker", "packageId": "1", "stickerId": "1"},
                    }
                ],
            ),
        ),
        (
            "wechat",
            lambda n: wechat_message(
                f"oLumenCustomer{n:06d}",
                "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m1]]></MediaId>"
                f"<MsgId>{n}</MsgId>",
            ),
        ),
    ],
)
def test_unsupported_content_gets_a_polite_answer(
    stack: RunningStack, channel: str, make: Any
) -> None:
    delivery = make(next(_customers))
    assert deliver(stack.gateway, delivery)[0] == 200
    [reply] = _replies(stack, channel, delivery.recipient, 1)
    assert "text" in reply["text"].lower()


@pytest.mark.parametrize("channel", ["messenger", "instagram"])
def test_public_comment_is_answered_publicly_then_privately_in_one_conversation(
    stack: RunningStack, channel: str
) -> None:
    """GIVEN a customer asks in a comment and then writes a direct message WHEN both are
    answered THEN the comment gets a public invitation without personal data and a private
    reply, and the direct message continues the same conversation (greeted once, in English)."""
    author = f"55{next(_customers):014d}"
    comment = meta_comment(channel, author, "where is my order? email me at ada@example.com")
    assert deliver(stack.gateway, comment)[0] == 200
    public, private = _replies(stack, channel, comment.recipient, 2)
    assert public["audience"] == "public" and "ada@" not in public["text"]
    assert private["audience"] == "private"
    dm = meta_messages(channel, author, [{"text": "how do I cancel my order?"}])
    assert deliver(stack.gateway, dm)[0] == 200
    [answer] = _replies(stack, channel, author, 1)
    assert "/cancel-order" in answer["text"]


def test_x_mention_gets_a_short_public_reply(stack: RunningStack) -> None:
    delivery = x_mention(f"{next(_customers)}", "my parcel is late and I am upset")
    assert deliver(stack.gateway, delivery)[0] == 200
    [reply] = _replies(stack, "x", delivery.recipient, 1)
    assert reply["audience"] == "public" and len(reply["text"]) <= 280


def test_web_chat_answers_through_long_polling(stack: RunningStack) -> None:
    """GIVEN a visitor on the brand's site WHEN the widget opens a session and asks THEN the
    answer comes back through GET /webchat/replies; a forged token is refused."""
    session = webchat_session(stack.gateway)
    delivery = webchat_message(session, "how long does delivery take?")
    assert deliver(stack.gateway, delivery)[0] == 200
    [reply] = webchat_replies(stack.gateway, session, 1)
    assert "3-5 business days" in reply["text"]
    forged = {**delivery.headers, "Authorization": "Bearer forged.token"}
    assert post(stack.gateway, delivery.path, delivery.body, forged)[0] == 401


def test_widget_page_is_served(stack: RunningStack) -> None:
    with urllib.request.urlopen(f"{stack.gateway}/widget", timeout=5) as response:
        page = response.read().decode()
    with urllib.request.urlopen(f"{stack.gateway}/widget/widget.js", timeout=5) as response:
        script = response.read().decode()
    assert '<script src="widget.js"' in page
    assert "/webchat/session" in script and "/webchat/replies" in script
