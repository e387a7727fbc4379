"""The webhook functions, invoked with API Gateway v2 events against template.yaml's resources
on a moto server: what a platform sees, and what reaches the queue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from socialcare_local.cfn_template import Template
from socialcare_local.credentials import credential
from socialcare_local.traffic import telegram_headers, telegram_update, whatsapp_headers
from tests.integration.functions import call_webhook, function, queued


@pytest.fixture
def sqs(aws: Template) -> Any:
    return boto3.client("sqs")


@pytest.fixture
def meta_signed(events: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The app secret and signature of a delivery Meta really sent (from pywa's test suite)."""
    meta: dict[str, Any] = json.loads((events / "whatsapp/signed_body.meta.json").read_text())
    monkeypatch.setenv("WHATSAPP_APP_SECRET", meta["app_secret"])
    return meta


@pytest.fixture
def inbound(aws: Template) -> str:
    return aws.physical["InboundQueue"]["Ref"]


def test_genuine_meta_signed_delivery_is_queued(
    meta_signed: dict[str, Any], aws: Template, sqs: Any, events: Path
) -> None:
    """GIVEN the app secret Meta signed a real delivery with (pywa's test suite)
    WHEN that exact body arrives with Meta's X-Hub-Signature-256
    THEN it is accepted and its one message is queued, text intact."""
    template = aws
    body = (events / "whatsapp/signed_body.json").read_bytes()
    fn = function(template, "WebhookWhatsAppFunction")

    response = call_webhook(
        fn,
        "POST",
        "/webhooks/whatsapp",
        body,
        {
            "X-Hub-Signature-256": meta_signed["signature_header"],
            "Content-Type": "application/json",
        },
    )

    assert response["statusCode"] == 200
    (message,) = queued(sqs, template.physical["InboundQueue"]["Ref"])
    # The sender's profile name is "PyWa Tests": queued with the name hidden, and without it.
    assert message["text"] == "Hey there! I am using [NAME]."
    assert message["sender_name"] == ""
    assert message["conversation_id"] == "whatsapp:277321005464405:972544401243"


def test_forged_signature_gets_401_and_queues_nothing(
    aws: Template, inbound: str, sqs: Any, events: Path
) -> None:
    """GIVEN a delivery signed with the wrong secret WHEN it arrives THEN 401, and no message."""
    body = (events / "whatsapp/text.json").read_bytes()
    fn = function(aws, "WebhookWhatsAppFunction")

    forged = call_webhook(
        fn,
        "POST",
        "/webhooks/whatsapp",
        body,
        whatsapp_headers(body, app_secret="not-the-app-secret"),
    )
    unsigned = call_webhook(
        fn, "POST", "/webhooks/whatsapp", body, {"Content-Type": "application/json"}
    )

    assert forged["statusCode"] == 401
    assert unsigned["statusCode"] == 401
    assert queued(sqs, inbound) == []


def test_telegram_wrong_secret_token_gets_401(aws: Template, inbound: str, sqs: Any) -> None:
    delivery = telegram_update(42, {"text": "hello"})
    fn = function(aws, "WebhookTelegramFunction")

    response = call_webhook(
        fn, "POST", delivery.path, delivery.body, telegram_headers(secret_token="guessed")
    )

    assert response["statusCode"] == 401
    assert queued(sqs, inbound) == []


def test_redelivered_webhook_is_queued_once(aws: Template, inbound: str, sqs: Any) -> None:
    """GIVEN Telegram retries a delivery it thinks failed WHEN it arrives twice THEN one message."""
    delivery = telegram_update(43, {"text": "where is my parcel?"})
    fn = function(aws, "WebhookTelegramFunction")

    first = call_webhook(fn, "POST", delivery.path, delivery.body, delivery.headers)
    second = call_webhook(fn, "POST", delivery.path, delivery.body, delivery.headers)

    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert [m["text"] for m in queued(sqs, inbound)] == ["where is my parcel?"]


def test_batched_delivery_queues_every_message_in_one_group_per_conversation(
    aws: Template, inbound: str, sqs: Any, events: Path
) -> None:
    body = (events / "whatsapp/batched.json").read_bytes()
    fn = function(aws, "WebhookWhatsAppFunction")

    response = call_webhook(fn, "POST", "/webhooks/whatsapp", body, whatsapp_headers(body))

    assert response["statusCode"] == 200
    messages = queued(sqs, inbound)
    assert len(messages) == 3
    assert len({m["message_id"] for m in messages}) == 3


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[]", 400),
        (b'{"object": "page", "entry": []}', 400),
        (b"\xff\xfe\x00garbage", 400),
        (b"{" + b" " * (1024 * 1024) + b"}", 413),
    ],
    ids=["broken-json", "array", "unknown-shape", "invalid-utf8", "over-1MB"],
)
def test_bad_bodies_get_4xx_and_queue_nothing(
    aws: Template, inbound: str, sqs: Any, body: bytes, status: int
) -> None:
    """GIVEN a correctly signed but malformed or oversized body THEN a 4xx, never a 5xx."""
    fn = function(aws, "WebhookWhatsAppFunction")

    response = call_webhook(fn, "POST", "/webhooks/whatsapp", body, whatsapp_headers(body))

    assert response["statusCode"] == status
    assert queued(sqs, inbound) == []


def test_meta_subscription_handshake(aws: Template) -> None:
    """GIVEN Meta's GET verification WHEN the verify token is ours THEN the challenge is echoed."""
    fn = function(aws, "WebhookWhatsAppFunction")
    token = credential("WHATSAPP_VERIFY_TOKEN")

    ok = call_webhook(
        fn,
        "GET",
        "/webhooks/whatsapp",
        query=f"hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444",
    )
    wrong = call_webhook(
        fn,
        "GET",
        "/webhooks/whatsapp",
        query="hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1",
    )

    assert (ok["statusCode"], ok["body"]) == (200, "1158201444")
    assert wrong["statusCode"] == 403
