"""Every channel's webhook function, invoked with API Gateway v2 events against template.yaml's
resources on moto: what the platform sees, and what reaches the queue."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from socialcare.channels.wechat_crypto import signature
from socialcare_local.cfn_template import Template
from socialcare_local.credentials import credential
from socialcare_local.traffic import (
    Delivery,
    line_headers,
    meta_headers,
    telegram_headers,
    wechat_message,
    wechat_text,
    x_headers,
)
from tests.channel_cases import CASES, ChannelCase
from tests.integration.functions import call_webhook, function, queued


@pytest.fixture
def sqs(aws: Template) -> Any:
    return boto3.client("sqs")


@pytest.fixture
def inbound(aws: Template) -> str:
    return aws.physical["InboundQueue"]["Ref"]


def _post(template: Template, case: ChannelCase, delivery: Delivery) -> dict[str, Any]:
    path, _, query = delivery.path.partition("?")
    fn = function(template, case.function)
    return call_webhook(fn, "POST", path, delivery.body, delivery.headers, query)


cases = pytest.mark.parametrize("case", CASES, ids=[c.channel for c in CASES])


@cases
def test_valid_delivery_is_queued_and_acknowledged(
    aws: Template, inbound: str, sqs: Any, case: ChannelCase
) -> None:
    """GIVEN a correctly signed delivery WHEN the channel's function gets it THEN 200 with the
    platform's expected body, and the message waits in the queue, redacted."""
    response = _post(aws, case, case.deliver(["my email is jane@example.com, where is my order?"]))
    assert response["statusCode"] == 200
    assert response["body"] == ("success" if case.channel == "wechat" else "ok")
    [message] = queued(sqs, inbound)
    assert message["channel"] == case.channel
    assert message["text"] == "my email is [EMAIL], where is my order?"


@cases
def test_forged_and_unsigned_deliveries_get_401_and_queue_nothing(
    aws: Template, inbound: str, sqs: Any, case: ChannelCase
) -> None:
    delivery = case.deliver(["refund me"])
    assert _post(aws, case, case.forged(delivery))["statusCode"] == 401
    assert _post(aws, case, case.unsigned(delivery))["statusCode"] == 401
    assert queued(sqs, inbound) == []


@cases
def test_redelivery_is_queued_once(
    aws: Template, inbound: str, sqs: Any, case: ChannelCase
) -> None:
    delivery = case.deliver(["where is my parcel?"])
    statuses = [_post(aws, case, delivery)["statusCode"] for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert [m["text"] for m in queued(sqs, inbound)] == ["where is my parcel?"]


@pytest.mark.parametrize("case", [c for c in CASES if c.batches], ids=lambda c: c.channel)
def test_batched_delivery_of_n_events_queues_n_messages_in_order(
    aws: Template, inbound: str, sqs: Any, case: ChannelCase
) -> None:
    texts = [f"question {n}" for n in range(7)]
    response = _post(aws, case, case.deliver(texts))
    assert response["statusCode"] == 200
    messages = queued(sqs, inbound)
    assert [m["text"] for m in messages] == texts
    assert len({m["conversation_id"] for m in messages}) == 1


@cases
def test_malformed_body_is_400_never_500(
    aws: Template, inbound: str, sqs: Any, case: ChannelCase
) -> None:
    """GIVEN a correctly signed body that is not the platform's shape THEN 400."""
    if case.channel == "wechat":  # safe mode: an encrypted body, signed with the query
        broken = wechat_message("oCustomer9", "<nonsense/>")
    else:
        broken = _resigned(case, case.deliver(["x"]), b'{"unexpected": true}')
    assert _post(aws, case, broken)["statusCode"] == 400
    assert queued(sqs, inbound) == []


def _resigned(case: ChannelCase, delivery: Delivery, body: bytes) -> Delivery:
    """The same request with another body, signed as the platform would sign it."""
    signers = {
        "telegram": telegram_headers,
        "whatsapp": lambda: meta_headers(body, credential("WHATSAPP_APP_SECRET")),
        "messenger": lambda: meta_headers(body, credential("MESSENGER_APP_SECRET")),
        "instagram": lambda: meta_headers(body, credential("INSTAGRAM_APP_SECRET")),
        "x": lambda: x_headers(body),
        "line": lambda: line_headers(body),
    }
    return replace(delivery, body=body, headers=signers[case.channel]())


def test_unsupported_content_is_queued_to_be_answered_politely(
    aws: Template, inbound: str, sqs: Any
) -> None:
    """GIVEN a WeChat image WHEN delivered THEN it is queued as unsupported, with its media."""
    fields = (
        "<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[https://mmbiz.example/1.jpg]]>"
        "</PicUrl><MediaId><![CDATA[media_1]]></MediaId><MsgId>998877</MsgId>"
    )
    case = next(c for c in CASES if c.channel == "wechat")
    assert _post(aws, case, wechat_message("oCustomer9", fields))["statusCode"] == 200
    [message] = queued(sqs, inbound)
    assert message["kind"] == "unsupported"
    assert message["parts"] == [
        {
            "media_type": "image",
            "ref": "https://mmbiz.example/1.jpg",
            "mime_type": "",
            "type": "attachment",
        }
    ]


@pytest.mark.parametrize(
    ("function_id", "path", "query", "expected"),
    [
        (
            "WebhookMessengerFunction",
            "/webhooks/messenger",
            "hub.mode=subscribe&hub.verify_token={META_VERIFY_TOKEN}&hub.challenge=77",
            "77",
        ),
        (
            "WebhookInstagramFunction",
            "/webhooks/instagram",
            "hub.mode=subscribe&hub.verify_token={META_VERIFY_TOKEN}&hub.challenge=78",
            "78",
        ),
    ],
)
def test_meta_handshakes(
    aws: Template, function_id: str, path: str, query: str, expected: str
) -> None:
    fn = function(aws, function_id)
    ok = call_webhook(
        fn,
        "GET",
        path,
        query=query.format(**{"META_VERIFY_TOKEN": credential("META_VERIFY_TOKEN")}),
    )
    wrong = call_webhook(fn, "GET", path, query=query.format(META_VERIFY_TOKEN="guess"))
    assert (ok["statusCode"], ok["body"]) == (200, expected)
    assert wrong["statusCode"] == 403


def test_x_crc_check(aws: Template) -> None:
    fn = function(aws, "WebhookXFunction")
    response = call_webhook(fn, "GET", "/webhooks/x", query="crc_token=challenge-123")
    digest = hmac.new(
        credential("X_CONSUMER_SECRET").encode(), b"challenge-123", hashlib.sha256
    ).digest()
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "response_token": "sha256=" + base64.b64encode(digest).decode()
    }


def test_wechat_echostr_check(aws: Template) -> None:
    fn = function(aws, "WebhookWeChatFunction")
    sig = signature(credential("WECHAT_TOKEN"), "1700000000", "n1")
    ok = call_webhook(
        fn,
        "GET",
        "/webhooks/wechat",
        query=f"signature={sig}&timestamp=1700000000&nonce=n1&echostr=5927782489442352469",
    )
    forged = call_webhook(
        fn,
        "GET",
        "/webhooks/wechat",
        query="signature=0&timestamp=1700000000&nonce=n1&echostr=1",
    )
    assert (ok["statusCode"], ok["body"]) == (200, "5927782489442352469")
    assert forged["statusCode"] == 403


@pytest.fixture
def wechat_safe_mode(monkeypatch: pytest.MonkeyPatch, events: Path) -> str:
    """GIVEN the stack's WeChat secret holds an EncodingAESKey (safe mode)."""
    key = json.loads((events / "wechat/encrypted.meta.json").read_text())["encoding_aes_key"]
    monkeypatch.setenv("WECHAT_ENCODING_AES_KEY", key)
    return key


def test_wechat_safe_mode_end_to_the_queue(
    wechat_safe_mode: str, aws: Template, inbound: str, sqs: Any
) -> None:
    """GIVEN safe mode WHEN WeChat posts an encrypted message THEN it is decrypted and queued;
    a plain one (whose signature covers no content) is refused."""
    case = next(c for c in CASES if c.channel == "wechat")
    encrypted = wechat_text("oSafe1", "退货要多久?")
    assert "encrypt_type=aes" in encrypted.path
    assert _post(aws, case, encrypted)["statusCode"] == 200
    plain_path = encrypted.path.replace("encrypt_type=aes", "encrypt_type=raw")
    assert _post(aws, case, replace(encrypted, path=plain_path))["statusCode"] == 401
    [message] = queued(sqs, inbound)
    assert message["text"] == "退货要多久?"
