"""Replies on every channel: the worker function answers what each webhook parsed, through the
platform's API (the sandbox on loopback), the way the platform expects."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest

from socialcare import bootstrap
from socialcare.model import Channel, InboundMessage
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from socialcare_local.traffic import (
    Delivery,
    line_events,
    line_text,
    meta_comment,
    x_mention,
)
from tests.channel_cases import CASES, ChannelCase
from tests.integration.functions import call_webhook, function, sqs_event

DELIVERY_TIME = "how long does delivery take?"


def _parsed(channel: str, delivery: Delivery) -> list[InboundMessage]:
    return bootstrap.inbound_channel(Channel(channel)).parse(delivery.body)


def _answer(template: Template, *messages: InboundMessage) -> dict[str, Any]:
    result: dict[str, Any] = function(template, "WorkerFunction").invoke(sqs_event(*messages))
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.channel for c in CASES])
def test_question_is_answered_through_the_platforms_api(
    aws: Template, sandbox: tuple[PlatformSandbox, str], case: ChannelCase
) -> None:
    """GIVEN a customer's question parsed from a real-shaped delivery WHEN the worker answers it
    THEN the platform's send API got the help-centre answer for that customer."""
    platforms, _ = sandbox
    delivery = case.deliver([DELIVERY_TIME])
    assert _answer(aws, *_parsed(case.channel, delivery)) == {"batchItemFailures": []}
    [sent] = platforms.sent()
    assert (sent["channel"], sent["recipient"], sent["audience"]) == (
        case.channel,
        delivery.recipient,
        "private",
    )
    assert "3-5 business days" in sent["text"]


def test_greeting_topics_are_native_buttons_or_numbered(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    platforms, _ = sandbox
    telegram, whatsapp = (
        next(c for c in CASES if c.channel == n) for n in ("telegram", "whatsapp")
    )
    _answer(aws, *_parsed("telegram", telegram.deliver(["/start"])))
    _answer(aws, *_parsed("whatsapp", whatsapp.deliver(["hi"])))
    tg, wa = platforms.sent()
    assert len(tg["options"]) == 5 and "1. " not in tg["text"]
    assert wa["options"] == [] and "\n1. Track my order" in wa["text"]


@pytest.mark.parametrize("channel", ["messenger", "instagram"])
def test_comment_gets_a_public_answer_and_a_private_reply(
    aws: Template, sandbox: tuple[PlatformSandbox, str], channel: str
) -> None:
    """GIVEN a customer asks in a public comment WHEN answered THEN a short public reply under
    the comment invites them to a private message, and the answer goes privately to them."""
    platforms, _ = sandbox
    delivery = meta_comment(
        channel, "5566778899001122", f"{DELIVERY_TIME} call me +44 20 7946 0958"
    )
    _answer(aws, *_parsed(channel, delivery))
    public, private = platforms.sent()
    assert (public["audience"], public["recipient"]) == ("public", delivery.recipient)
    assert "private message" in public["text"] and "7946" not in public["text"]
    assert private["request"]["recipient"] == {"comment_id": delivery.recipient}
    assert "3-5 business days" in private["text"]


def test_x_mention_gets_one_public_reply_within_280_characters(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    platforms, _ = sandbox
    delivery = x_mention("1205290247124217856", DELIVERY_TIME)
    _answer(aws, *_parsed("x", delivery))
    [reply] = platforms.sent()
    assert reply["audience"] == "public"
    assert reply["request"]["reply"] == {"in_reply_to_tweet_id": delivery.recipient}
    assert len(reply["text"]) <= 280


def test_line_replies_with_a_fresh_token_and_pushes_after_it_expired(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    platforms, _ = sandbox
    user = "U206d25c2ea6bd87c17655609a1c37cb8"
    [fresh] = _parsed("line", line_events(user, [line_text(DELIVERY_TIME)]))
    [old] = _parsed("line", line_events(user, [line_text("how do I cancel my order?")]))
    _answer(aws, fresh, replace(old, sent_at=int(time.time()) - 3600))
    by_reply, by_push = platforms.sent()
    assert "replyToken" in by_reply["request"] and by_reply["recipient"] == user
    assert by_push["request"]["to"] == user and "replyToken" not in by_push["request"]


def test_whatsapp_after_24_hours_gets_the_approved_template(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    platforms, _ = sandbox
    whatsapp = next(c for c in CASES if c.channel == "whatsapp")
    [message] = _parsed("whatsapp", whatsapp.deliver([DELIVERY_TIME]))
    _answer(aws, replace(message, sent_at=int(time.time()) - 25 * 3600))
    [sent] = platforms.sent()
    assert sent["audience"] == "template"
    assert sent["request"]["template"]["name"] == "customer_care_follow_up"


def test_wechat_keeps_its_access_token_between_replies(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    platforms, _ = sandbox
    wechat = next(c for c in CASES if c.channel == "wechat")
    first = _parsed("wechat", wechat.deliver([DELIVERY_TIME]))
    second = _parsed("wechat", wechat.deliver(["如何取消订单"]))
    _answer(aws, *first, *second)
    replies = platforms.sent()
    assert [r["recipient"] for r in replies] == ["oLumenCustomer004242"] * 2
    assert "取消" in replies[1]["text"]


def test_webchat_session_message_and_long_polled_reply(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN a visitor on the brand's site WHEN the widget opens a session, sends a question and
    long-polls THEN the reply arrives through GET /webchat/replies, not before it exists."""
    session = json.loads(
        call_webhook(function(aws, "WebchatSessionFunction"), "POST", "/webchat/session")["body"]
    )
    auth = {"Authorization": f"Bearer {session['token']}", "Content-Type": "application/json"}
    body = json.dumps({"session_id": session["session_id"], "id": "c1", "text": DELIVERY_TIME})
    webhook = function(aws, "WebhookWebchatFunction")
    assert (
        call_webhook(webhook, "POST", "/webhooks/webchat", body.encode(), auth)["statusCode"] == 200
    )
    forged = {**auth, "Authorization": "Bearer forged.token"}
    assert (
        call_webhook(webhook, "POST", "/webhooks/webchat", body.encode(), forged)["statusCode"]
        == 401
    )

    replies_fn = function(aws, "WebchatRepliesFunction")
    empty = call_webhook(replies_fn, "GET", "/webchat/replies", headers=auth, query="wait=0")
    assert json.loads(empty["body"]) == {"replies": []}
    [message] = bootstrap.inbound_channel(Channel.WEBCHAT).parse(body.encode())
    _answer(aws, message)
    answer = call_webhook(replies_fn, "GET", "/webchat/replies", headers=auth, query="wait=5")
    [reply] = json.loads(answer["body"])["replies"]
    assert "3-5 business days" in reply["text"]
    later = call_webhook(
        replies_fn, "GET", "/webchat/replies", headers=auth, query=f"wait=0&after={reply['cursor']}"
    )
    assert json.loads(later["body"]) == {"replies": []}
    refused = call_webhook(replies_fn, "GET", "/webchat/replies", query="wait=0")
    assert refused["statusCode"] == 401
