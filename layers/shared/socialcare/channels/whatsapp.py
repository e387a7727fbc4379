"""WhatsApp Cloud API: Meta's webhook deliveries in, the /messages endpoint out.

A delivery batches entries, each with changes, each with messages and statuses; every message of
every change is a customer message of its own.
"""

from __future__ import annotations

from typing import Any

from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.payload import as_dict, as_int, as_text, field, json_object
from socialcare.channels.signatures import hmac_sha256_hex, matches
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRequest,
    WebhookResponse,
)

SIGNATURE_HEADER = "x-hub-signature-256"
MAX_TEXT = 4096


class WhatsAppInbound:
    def __init__(self, app_secret: str, verify_token: str) -> None:
        self._app_secret = app_secret
        self._verify_token = verify_token

    def verify(self, request: WebhookRequest) -> None:
        expected = "sha256=" + hmac_sha256_hex(self._app_secret, request.body)
        if not self._app_secret or not matches(expected, request.headers.get(SIGNATURE_HEADER)):
            raise BadSignature("missing or wrong X-Hub-Signature-256")

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
        query = request.query
        if query.get("hub.mode") != "subscribe" or not matches(
            self._verify_token, query.get("hub.verify_token")
        ):
            raise BadHandshake("hub.verify_token does not match")
        return WebhookResponse(200, query.get("hub.challenge", ""))

    def parse(self, body: bytes) -> list[InboundMessage]:
        payload = json_object(body)
        if payload.get("object") != "whatsapp_business_account":
            raise MalformedPayload("not a whatsapp_business_account delivery")
        messages: list[InboundMessage] = []
        for entry in field(payload, "entry", list):
            if not isinstance(entry, dict):
                raise MalformedPayload("entry is not an object")
            for change in field(entry, "changes", list):
                value = change.get("value") if isinstance(change, dict) else None
                if not isinstance(value, dict):
                    raise MalformedPayload("change without a value object")
                messages.extend(_messages_of(value))
        return messages


def _messages_of(value: dict[str, Any]) -> list[InboundMessage]:
    """The customer messages of one change; statuses (sent, delivered, read) carry none."""
    account_id = str(as_dict(value.get("metadata")).get("phone_number_id", ""))
    names = {
        str(c.get("wa_id")): as_text(as_dict(c.get("profile")).get("name"))
        for c in _list(value.get("contacts"))
        if isinstance(c, dict)
    }
    out = []
    for raw in _list(value.get("messages")):
        if not isinstance(raw, dict):
            raise MalformedPayload("message is not an object")
        sender = field(raw, "from", str)
        message_type = str(raw.get("type", ""))
        text = _text_of(raw, message_type)
        out.append(
            InboundMessage(
                channel=Channel.WHATSAPP,
                message_id=field(raw, "id", str),
                conversation_id=f"whatsapp:{account_id}:{sender}",
                sender_id=sender,
                recipient=sender,
                kind=Kind.TEXT if text.strip() else Kind.UNSUPPORTED,
                text=text,
                sent_at=as_int(raw.get("timestamp")),
                account_id=account_id,
                platform_type=message_type,
                sender_name=names.get(sender, ""),
            )
        )
    return out


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedPayload("expected a list")
    return value


def _text_of(raw: dict[str, Any], message_type: str) -> str:
    """Text a customer typed or chose; media, stickers, reactions and locations have none."""
    if message_type == "text":
        return as_text(as_dict(raw.get("text")).get("body"))
    if message_type == "button":
        return as_text(as_dict(raw.get("button")).get("text"))
    if message_type == "interactive":
        interactive = as_dict(raw.get("interactive"))
        return as_text(as_dict(interactive.get(str(interactive.get("type")))).get("title"))
    return ""


class WhatsAppOutbound:
    """Free-text messages through the Cloud API's /{phone-number-id}/messages."""

    max_text = MAX_TEXT

    def __init__(self, http: PlatformHttp, api_base: str, access_token: str) -> None:
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def send_text(self, message: InboundMessage, text: str) -> None:
        self._http.post_json(
            f"{self._api_base}/{message.account_id}/messages",
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": message.recipient,
                "type": "text",
                "text": {"preview_url": False, "body": text},
            },
            headers=self._headers,
        )
