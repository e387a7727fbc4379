"""Receiving one webhook delivery, and the API Gateway event <-> request mapping around it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from socialcare.apigw import request_from_event, to_event_response
from socialcare.channels.meta_webhooks import SIGNATURE_HEADER
from socialcare.channels.telegram import SECRET_HEADER, TelegramInbound
from socialcare.channels.whatsapp import WhatsAppInbound
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.webhook import (
    MAX_BODY_BYTES,
    BadSignature,
    MalformedPayload,
    NotAllowed,
    PayloadTooLarge,
    WebhookRequest,
    WebhookResponse,
    receive,
)

SECRET = "telegram-secret"


class SpyChannel:
    """A channel that records which of its steps ran, and parses to one fixed message."""

    acknowledgement = "ok"

    def __init__(self, text: str = "hello") -> None:
        self.calls: list[str] = []
        self.text = text

    def verify(self, request: WebhookRequest) -> None:
        self.calls.append("verify")

    def parse(self, body: bytes) -> list[InboundMessage]:
        self.calls.append("parse")
        return [
            InboundMessage(
                channel=Channel.TELEGRAM,
                message_id="m1",
                conversation_id="telegram:1",
                sender_id="1",
                recipient="1",
                kind=Kind.TEXT,
                text=self.text,
            )
        ]

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        self.calls.append("handshake")
        return WebhookResponse(200, "challenge-accepted")


def _telegram_post(text: str, secret: str | None = SECRET) -> WebhookRequest:
    body = json.dumps(
        {
            "update_id": 1,
            "message": {
                "message_id": 7,
                "date": 1441645532,
                "chat": {"id": 99, "type": "private"},
                "from": {"id": 99, "is_bot": False},
                "text": text,
            },
        }
    ).encode()
    headers = {} if secret is None else {SECRET_HEADER: secret}
    return WebhookRequest("POST", headers, {}, body)


# --- receive ----------------------------------------------------------------------------------


def test_authentic_delivery_is_enqueued_and_acknowledged(events: Path) -> None:
    """GIVEN a genuine Telegram update WHEN received THEN its message is queued, answer 200."""
    queue: list[InboundMessage] = []
    body = (events / "telegram" / "message_text.json").read_bytes()
    response = receive(
        WebhookRequest("POST", {SECRET_HEADER: SECRET}, {}, body),
        TelegramInbound(SECRET),
        queue.append,
    )
    assert response.status == 200
    assert response.queued == ("1111111:1365",)
    assert [m.text for m in queue] == ["/start"]


@pytest.mark.parametrize("secret", [None, "forged", ""], ids=["missing", "wrong", "empty"])
def test_forged_delivery_enqueues_nothing(secret: str | None) -> None:
    """GIVEN a request without the right secret WHEN received THEN nothing is queued and the
    caller gets 401."""
    queue: list[InboundMessage] = []
    with pytest.raises(BadSignature) as caught:
        receive(_telegram_post("refund me", secret), TelegramInbound(SECRET), queue.append)
    assert caught.value.status == 401
    assert caught.value.response().status == 401
    assert queue == []


def test_forged_whatsapp_delivery_enqueues_nothing(events: Path) -> None:
    """GIVEN the genuine WhatsApp body with a forged signature THEN nothing is queued."""
    meta = json.loads((events / "whatsapp" / "signed_body.meta.json").read_text())
    body = (events / "whatsapp" / "signed_body.json").read_bytes()
    channel = WhatsAppInbound(meta["app_secret"], "vt")
    queue: list[InboundMessage] = []
    forged = WebhookRequest("POST", {SIGNATURE_HEADER: "sha256=" + "0" * 64}, {}, body)
    with pytest.raises(BadSignature):
        receive(forged, channel, queue.append)
    assert queue == []
    genuine = WebhookRequest("POST", {SIGNATURE_HEADER: meta["signature_header"]}, {}, body)
    assert receive(genuine, channel, queue.append).status == 200
    # The sender's WhatsApp profile is "PyWa Tests": the name is personal data, hidden at ingress.
    assert [m.text for m in queue] == ["Hey there! I am using [NAME]."]
    assert [m.sender_name for m in queue] == [""]


def test_oversized_body_is_refused_before_verification() -> None:
    """GIVEN a body over 1 MB WHEN received THEN it is refused with 413 without spending an HMAC
    on it, and nothing is queued."""
    channel = SpyChannel()
    queue: list[InboundMessage] = []
    request = WebhookRequest("POST", {}, {}, b"x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(PayloadTooLarge) as caught:
        receive(request, channel, queue.append)
    assert caught.value.status == 413
    assert channel.calls == []
    assert queue == []


def test_body_of_exactly_one_megabyte_is_accepted() -> None:
    """GIVEN a body of exactly 1 MB WHEN received THEN it is still verified and parsed."""
    channel = SpyChannel()
    receive(WebhookRequest("POST", {}, {}, b"x" * MAX_BODY_BYTES), channel, [].append)
    assert channel.calls == ["verify", "parse"]
    assert MAX_BODY_BYTES == 1024 * 1024


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "post"])
def test_other_methods_are_not_allowed(method: str) -> None:
    """GIVEN a method other than GET or POST WHEN received THEN it is 405 and nothing runs."""
    channel = SpyChannel()
    queue: list[InboundMessage] = []
    with pytest.raises(NotAllowed) as caught:
        receive(WebhookRequest(method, {}, {}, b"{}"), channel, queue.append)
    assert caught.value.status == 405
    assert channel.calls == []
    assert queue == []


def test_get_is_the_platform_handshake() -> None:
    """GIVEN a GET WHEN received THEN the channel's handshake answers it; nothing is parsed."""
    channel = SpyChannel()
    queue: list[InboundMessage] = []
    response = receive(
        WebhookRequest("GET", {}, {"hub.mode": "subscribe"}, b""), channel, queue.append
    )
    assert response == WebhookResponse(200, "challenge-accepted")
    assert channel.calls == ["handshake"]
    assert queue == []


def test_get_on_telegram_is_not_allowed() -> None:
    """GIVEN Telegram (no GET handshake) WHEN a GET arrives THEN it is answered 405."""
    with pytest.raises(NotAllowed):
        receive(WebhookRequest("GET", {}, {}, b""), TelegramInbound(SECRET), [].append)


def test_verify_runs_before_parse() -> None:
    """GIVEN any POST WHEN received THEN the signature is checked before the body is read."""
    channel = SpyChannel()
    receive(WebhookRequest("POST", {}, {}, b"{}"), channel, [].append)
    assert channel.calls == ["verify", "parse"]


def test_malformed_authentic_body_enqueues_nothing() -> None:
    """GIVEN a correctly tagged request whose body is not an update THEN it is 400, none queued."""
    queue: list[InboundMessage] = []
    request = WebhookRequest("POST", {SECRET_HEADER: SECRET}, {}, b"[]")
    with pytest.raises(MalformedPayload):
        receive(request, TelegramInbound(SECRET), queue.append)
    assert queue == []


PII_CASES = [
    ("my email is jane.doe+shop@example.co.uk thanks", "my email is [EMAIL] thanks"),
    ("call me on +44 20 7946 0958 please", "call me on [PHONE] please"),
    ("card 4111 1111 1111 1111 was charged twice", "card [CARD] was charged twice"),
    ("where is order 12345678?", "where is order 12345678?"),
    (
        "order 12345678: mail jane@example.com or +44 20 7946 0958, card 4111111111111111",
        "order 12345678: mail [EMAIL] or [PHONE], card [CARD]",
    ),
]


@pytest.mark.parametrize(("text", "queued"), PII_CASES)
def test_personal_data_is_redacted_before_it_is_queued(text: str, queued: str) -> None:
    """GIVEN a customer writes an email, phone or card number WHEN the message is queued THEN
    only placeholders reach the queue, while an order number is kept so it can be looked up."""
    queue: list[InboundMessage] = []
    receive(_telegram_post(text), TelegramInbound(SECRET), queue.append)
    [message] = queue
    assert message.text == queued
    for secret_part in ("jane", "7946", "4111"):
        assert secret_part not in message.text


def test_redaction_applies_to_fake_channels_too() -> None:
    """GIVEN any channel WHEN its messages are queued THEN their text is redacted by receive."""
    queue: list[InboundMessage] = []
    response = receive(
        WebhookRequest("POST", {}, {}, b"{}"),
        SpyChannel("reach me at bob@example.org about order 12345678"),
        queue.append,
    )
    assert queue[0].text == "reach me at [EMAIL] about order 12345678"
    assert response.queued == ("m1",)


# --- API Gateway mapping ----------------------------------------------------------------------


def _event(**overrides: object) -> dict[str, object]:
    event: dict[str, object] = {
        "version": "2.0",
        "routeKey": "POST /telegram",
        "rawPath": "/telegram",
        "headers": {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "t"},
        "queryStringParameters": {"a": "1"},
        "requestContext": {"http": {"method": "POST", "path": "/telegram"}},
        "body": '{"update_id": 1}',
        "isBase64Encoded": False,
    }
    event.update(overrides)
    return event


def test_plain_body_and_lower_cased_headers() -> None:
    """GIVEN an HTTP API event WHEN mapped THEN headers are found by lower-case name."""
    request = request_from_event(_event())
    assert request.method == "POST"
    assert request.body == b'{"update_id": 1}'
    assert request.headers == {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": "t",
    }
    assert request.query == {"a": "1"}


def test_base64_body_is_decoded_to_the_exact_bytes(events: Path) -> None:
    """GIVEN API Gateway base64-encodes the body WHEN mapped THEN the signed bytes are restored
    exactly, so the WhatsApp signature still verifies."""
    meta = json.loads((events / "whatsapp" / "signed_body.meta.json").read_text())
    body = (events / "whatsapp" / "signed_body.json").read_bytes()
    event = _event(
        body=base64.b64encode(body).decode(),
        isBase64Encoded=True,
        headers={"X-Hub-Signature-256": meta["signature_header"]},
    )
    request = request_from_event(event)
    assert request.body == body
    WhatsAppInbound(meta["app_secret"], "vt").verify(request)


def test_non_ascii_body_is_utf8_encoded() -> None:
    """GIVEN a Chinese text body not base64-encoded WHEN mapped THEN it is its UTF-8 bytes."""
    text = '{"text": "你好"}'
    assert request_from_event(_event(body=text)).body == text.encode("utf-8")


@pytest.mark.parametrize("body", ["not base64!", "abc", "YWJj\n===="])
def test_invalid_base64_is_malformed(body: str) -> None:
    """GIVEN isBase64Encoded with a body that is not base64 WHEN mapped THEN it is a 400."""
    with pytest.raises(MalformedPayload) as caught:
        request_from_event(_event(body=body, isBase64Encoded=True))
    assert caught.value.status == 400


def test_method_is_upper_cased_and_missing_parts_default() -> None:
    """GIVEN an event with no body, headers or query WHEN mapped THEN they are empty."""
    request = request_from_event(
        {"requestContext": {"http": {"method": "get"}}, "headers": None, "body": None}
    )
    assert request.method == "GET"
    assert request.headers == {}
    assert request.query == {}
    assert request.body == b""


def test_get_handshake_through_the_event_mapping() -> None:
    """GIVEN Meta's GET verification as an API Gateway event WHEN handled THEN the challenge
    comes back as a 200 text response in API Gateway's shape."""
    event = _event(
        requestContext={"http": {"method": "GET"}},
        body=None,
        queryStringParameters={
            "hub.mode": "subscribe",
            "hub.verify_token": "vt",
            "hub.challenge": "987654",
        },
    )
    response = receive(request_from_event(event), WhatsAppInbound("secret", "vt"), [].append)
    assert to_event_response(response) == {
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": "987654",
    }


def test_to_event_response_shape() -> None:
    """GIVEN a webhook response WHEN returned to API Gateway THEN it has statusCode, headers and
    body, and the internal list of queued ids is not leaked."""
    out = to_event_response(WebhookResponse(200, "ok", queued=("a", "b")))
    assert out == {
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain; charset=utf-8"},
        "body": "ok",
    }


def test_rejections_map_to_their_status() -> None:
    """GIVEN a rejection WHEN answered THEN the platform sees its status code and a reason."""
    out = to_event_response(BadSignature("missing or wrong token").response())
    assert out["statusCode"] == 401
    assert out["body"] == "missing or wrong token"
    assert to_event_response(PayloadTooLarge().response())["body"] == "PayloadTooLarge"
