"""WhatsApp Cloud API: Meta's webhook deliveries in, the /messages endpoint out.

A delivery batches entries, each with changes, each with messages and statuses; every message of
every change is a customer message of its own. Replies are free text (with up to three reply
buttons) inside the 24-hour customer-service window, and an approved template outside it.
"""

from __future__ import annotations

from typing import Any

from socialcare.channels.meta_webhooks import MetaWebhook
from socialcare.channels.outbound import Audience, Outgoing
from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.payload import as_dict, as_float, as_int, as_text, field, json_object
from socialcare.model import (
    Attachment,
    Channel,
    InboundMessage,
    Kind,
    Location,
    Part,
    TextPart,
)
from socialcare.webhook import MalformedPayload

_MEDIA = ("image", "audio", "voice", "video", "document", "sticker")
# Our reply languages -> WhatsApp template language codes.
_TEMPLATE_LANGUAGES = {"en": "en", "zh": "zh_CN"}


class WhatsAppInbound(MetaWebhook):
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
        text, payload = _text_of(raw, message_type)
        parts = _parts_of(raw, message_type, text)
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
                parts=parts,
                payload=payload,
                reply_to=as_text(as_dict(raw.get("context")).get("id")),
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


def _text_of(raw: dict[str, Any], message_type: str) -> tuple[str, str]:
    """What the customer typed, chose or captioned, and the payload of a chosen button."""
    if message_type == "text":
        return as_text(as_dict(raw.get("text")).get("body")), ""
    if message_type == "button":  # a template's quick-reply button
        button = as_dict(raw.get("button"))
        return as_text(button.get("text")), as_text(button.get("payload"))
    if message_type == "interactive":  # a reply button or a list row
        interactive = as_dict(raw.get("interactive"))
        chosen = as_dict(interactive.get(str(interactive.get("type"))))
        return as_text(chosen.get("title")), as_text(chosen.get("id"))
    if message_type in _MEDIA:
        return as_text(as_dict(raw.get(message_type)).get("caption")), ""
    return "", ""


def _parts_of(raw: dict[str, Any], message_type: str, text: str) -> tuple[Part, ...]:
    parts: list[Part] = [TextPart(text)] if text else []
    if message_type in _MEDIA:
        media = as_dict(raw.get(message_type))
        parts.append(
            Attachment(message_type, as_text(media.get("id")), as_text(media.get("mime_type")))
        )
    elif message_type == "location":
        place = as_dict(raw.get("location"))
        parts.append(
            Location(
                as_float(place.get("latitude")),
                as_float(place.get("longitude")),
                as_text(place.get("name")) or as_text(place.get("address")),
            )
        )
    return tuple(parts)


class WhatsAppOutbound:
    """The Cloud API's /{phone-number-id}/messages: text, reply buttons, or the template."""

    def __init__(
        self, http: PlatformHttp, api_base: str, access_token: str, template_name: str
    ) -> None:
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._template_name = template_name

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        for one in outgoing:
            self._http.post_json(
                f"{self._api_base}/{message.account_id}/messages",
                {
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": message.recipient,
                    **self._content(one),
                },
                headers=self._headers,
                idempotency_key=one.key,
            )

    def _content(self, one: Outgoing) -> dict[str, Any]:
        if one.audience is Audience.TEMPLATE:
            language = _TEMPLATE_LANGUAGES.get(one.language, "en")
            return {
                "type": "template",
                "template": {"name": self._template_name, "language": {"code": language}},
            }
        if one.options:
            buttons = [
                {"type": "reply", "reply": {"id": option, "title": option}}
                for option in one.options
            ]
            return {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": one.text},
                    "action": {"buttons": buttons},
                },
            }
        return {"type": "text", "text": {"preview_url": False, "body": one.text}}
