"""Telegram Bot API: webhook updates in, sendMessage out.

Telegram tags each webhook request with the secret token given to setWebhook in the
`X-Telegram-Bot-Api-Secret-Token` header; there is no body signature.
"""

from __future__ import annotations

from typing import Any

from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.payload import as_dict, as_int, field, json_object
from socialcare.channels.signatures import matches
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.webhook import BadSignature, MalformedPayload, NotAllowed, WebhookRequest

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)
MAX_TEXT = 4096


class TelegramInbound:
    def __init__(self, secret_token: str) -> None:
        self._secret_token = secret_token

    def verify(self, request: WebhookRequest) -> None:
        if not matches(self._secret_token, request.headers.get(SECRET_HEADER)):
            raise BadSignature("missing or wrong Telegram secret token")

    def handshake(self, request: WebhookRequest) -> Any:
        raise NotAllowed("Telegram webhooks are POST only")

    def parse(self, body: bytes) -> list[InboundMessage]:
        update = json_object(body)
        field(update, "update_id", int)
        if isinstance(update.get("message"), dict):
            return _from_message(update["message"], edited=False)
        if isinstance(update.get("edited_message"), dict):
            return _from_message(update["edited_message"], edited=True)
        if isinstance(update.get("callback_query"), dict):
            return _from_callback(update["callback_query"])
        if not any(isinstance(value, dict) for key, value in update.items() if key != "update_id"):
            raise MalformedPayload("update carries no object")
        return []  # inline queries, chat member updates ...: nothing for the agent to answer


def _from_message(message: dict[str, Any], *, edited: bool) -> list[InboundMessage]:
    chat = field(message, "chat", dict)
    chat_id = field(chat, "id", int)
    message_id = field(message, "message_id", int)
    sender = as_dict(message.get("from"))
    if sender.get("is_bot"):
        return []  # our own bot's or another bot's message: never answer it
    text = message.get("text")
    key = f"{chat_id}:{message_id}"
    if edited:
        key += f":edit:{as_int(message.get('edit_date'))}"
    platform_type = next((k for k in _CONTENT_KEYS if k in message), "text")
    return [
        InboundMessage(
            channel=Channel.TELEGRAM,
            message_id=key,
            conversation_id=f"telegram:{chat_id}",
            sender_id=str(sender.get("id", chat_id)),
            recipient=str(chat_id),
            kind=Kind.TEXT if isinstance(text, str) and text.strip() else Kind.UNSUPPORTED,
            text=text if isinstance(text, str) else "",
            sent_at=as_int(message.get("date")),
            platform_type=platform_type,
            sender_name=_full_name(sender),
        )
    ]


def _from_callback(query: dict[str, Any]) -> list[InboundMessage]:
    query_id = field(query, "id", str)
    sender = field(query, "from", dict)
    chat_id = as_dict(as_dict(query.get("message")).get("chat")).get("id", sender.get("id"))
    if not isinstance(chat_id, int):
        raise MalformedPayload("callback query with neither a chat nor a user id")
    data = query.get("data")
    return [
        InboundMessage(
            channel=Channel.TELEGRAM,
            message_id=f"callback:{query_id}",
            conversation_id=f"telegram:{chat_id}",
            sender_id=str(sender.get("id")),
            recipient=str(chat_id),
            kind=Kind.TEXT if isinstance(data, str) and data.strip() else Kind.UNSUPPORTED,
            text=data if isinstance(data, str) else "",
            platform_type="callback_query",
        )
    ]


def _full_name(sender: dict[str, Any]) -> str:
    """The sender's profile name, so that ingress can hide it where the customer writes it."""
    parts = (sender.get("first_name"), sender.get("last_name"))
    return " ".join(p for p in parts if isinstance(p, str) and p.strip())


_CONTENT_KEYS = (
    "text",
    "sticker",
    "photo",
    "video",
    "voice",
    "audio",
    "document",
    "location",
    "contact",
    "animation",
    "poll",
    "dice",
    "venue",
    "video_note",
)


class TelegramOutbound:
    """sendMessage through the Bot API; long answers go out as several messages."""

    max_text = MAX_TEXT

    def __init__(self, http: PlatformHttp, api_base: str, bot_token: str) -> None:
        self._http = http
        self._url = f"{api_base.rstrip('/')}/bot{bot_token}/sendMessage"

    def send_text(self, message: InboundMessage, text: str) -> None:
        self._http.post_json(self._url, {"chat_id": message.recipient, "text": text})
