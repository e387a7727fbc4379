"""Signed webhooks over HTTP to the running local stack; replies checked where a customer would
see them: in the platform sandbox."""

from __future__ import annotations

import itertools
import json
import re
import time
import urllib.request
from typing import Any

import boto3

from socialcare_local.credentials import credential
from socialcare_local.moto_server import AWS_ENV, http_status
from socialcare_local.traffic import (
    deliver,
    post,
    telegram_update,
    whatsapp_delivery,
    whatsapp_headers,
    whatsapp_text,
)
from tests.e2e.conftest import RunningStack, replies_to

_customers = itertools.count(1000)


def _new_chat() -> int:
    return next(_customers)


def test_health_answers_once_every_part_is_up(stack: RunningStack) -> None:
    assert http_status(f"{stack.gateway}/health") == 200


def test_telegram_question_is_answered_from_the_help_centre(stack: RunningStack) -> None:
    """GIVEN a customer on Telegram WHEN they ask about delivery times
    THEN the bot's reply with the help-centre answer and its link reaches their chat."""
    delivery = telegram_update(_new_chat(), {"text": "how long does delivery take?"})

    status, _ = deliver(stack.gateway, delivery)

    assert status == 200
    (reply,) = replies_to(stack, delivery.recipient, 1)
    assert "3-5 business days" in reply
    assert "https://help.lumen.example/en/delivery-time" in reply


def test_whatsapp_chinese_question_is_answered_in_chinese(stack: RunningStack) -> None:
    wa_id = f"86138{_new_chat():08d}"
    delivery = whatsapp_delivery(wa_id, [whatsapp_text("你好,我想咨询一下产品的退货政策?")])

    status, _ = deliver(stack.gateway, delivery)

    assert status == 200
    (reply,) = replies_to(stack, wa_id, 1)
    assert "30 天" in reply
    assert re.search(r"[\u4e00-\u9fff]{10}", reply)


def test_forged_signature_is_refused_and_never_answered(stack: RunningStack) -> None:
    wa_id = f"44{_new_chat():010d}"
    delivery = whatsapp_delivery(wa_id, [whatsapp_text("hi")])

    status, _ = post(
        stack.gateway,
        delivery.path,
        delivery.body,
        whatsapp_headers(delivery.body, app_secret="attacker-guess"),
    )

    assert status == 401
    time.sleep(1.0)
    assert replies_to(stack, wa_id, 0, wait_s=0) == []


def test_redelivered_webhook_gets_exactly_one_reply(stack: RunningStack) -> None:
    delivery = telegram_update(_new_chat(), {"text": "which payment methods can I use?"})

    statuses = [deliver(stack.gateway, delivery)[0] for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert len(replies_to(stack, delivery.recipient, 1)) == 1
    time.sleep(1.0)
    assert len(replies_to(stack, delivery.recipient, 0, wait_s=0)) == 1


def test_batched_delivery_gets_one_reply_per_message_in_order(stack: RunningStack) -> None:
    wa_id = f"49{_new_chat():010d}"
    questions = ["hi", "how long does delivery take?", "how do I cancel my order?"]
    delivery = whatsapp_delivery(wa_id, [whatsapp_text(q) for q in questions])

    deliver(stack.gateway, delivery)

    replies = replies_to(stack, wa_id, 3)
    assert len(replies) == 3
    assert replies[0].startswith("Hi!")
    assert "3-5 business days" in replies[1]


def test_sticker_gets_a_polite_fallback(stack: RunningStack) -> None:
    delivery = telegram_update(_new_chat(), {"sticker": {"file_id": "CAACAgIAAx", "emoji": "👍"}})

    assert deliver(stack.gateway, delivery)[0] == 200
    (reply,) = replies_to(stack, delivery.recipient, 1)
    assert "text" in reply.lower()


def test_malformed_and_oversized_bodies_get_4xx(stack: RunningStack) -> None:
    broken = b'{"object": "whatsapp_business_account", "entry": 5}'
    huge = b'{"x": "' + b"a" * (1024 * 1024) + b'"}'

    assert post(stack.gateway, "/webhooks/whatsapp", broken, whatsapp_headers(broken))[0] == 400
    assert post(stack.gateway, "/webhooks/whatsapp", huge, whatsapp_headers(huge))[0] == 413


def test_meta_verification_handshake(stack: RunningStack) -> None:
    token = credential("WHATSAPP_VERIFY_TOKEN")
    url = (
        f"{stack.gateway}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}"
        "&hub.challenge=424242"
    )

    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"424242"


def test_send_failing_past_every_retry_lands_in_the_dead_letter_queue(
    stack: RunningStack,
) -> None:
    """GIVEN the platform answers 500 to every send WHEN the worker has used all its retries and
    the queue its redeliveries THEN the message waits in the dead-letter queue, not lost."""
    _faults(stack, "POST", {"channel": "whatsapp", "status": 500, "count": 100})
    wa_id = f"33{_new_chat():010d}"
    try:
        deliver(stack.gateway, whatsapp_delivery(wa_id, [whatsapp_text("hi")]))
        dead = _wait_for_dead_letter(stack, wa_id, wait_s=30)
    finally:
        _faults(stack, "DELETE", None)

    assert dead["recipient"] == wa_id
    assert replies_to(stack, wa_id, 0, wait_s=0) == []


def _faults(stack: RunningStack, method: str, fault: dict[str, Any] | None) -> None:
    data = json.dumps(fault).encode() if fault else None
    request = urllib.request.Request(f"{stack.sandbox}/_faults", data=data, method=method)
    with urllib.request.urlopen(request, timeout=5):
        pass


def _wait_for_dead_letter(stack: RunningStack, recipient: str, wait_s: float) -> dict[str, Any]:
    sqs = boto3.client(
        "sqs",
        endpoint_url=stack.moto,
        region_name="us-east-1",
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )
    url = sqs.get_queue_url(QueueName="socialcare-local-inbound-dlq.fifo")["QueueUrl"]
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", []):
            body: dict[str, Any] = json.loads(message["Body"])
            if body["recipient"] == recipient:
                return body
        time.sleep(0.5)
    raise AssertionError(f"no dead letter for {recipient} within {wait_s} s")
