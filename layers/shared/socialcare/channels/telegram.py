"""Telegram Bot API: webhook updates in, sendMessage out.

Telegram tags each webhook request with the secret token given to setWebhook in the
`X-Telegram-Bot-Api-Secret-Token` header; there is no body signature. Commands (/start, /help),
edited messages and the callback queries of our inline buttons are customer messages too.
"""

from __future__ import annotations

import logging
from typing import Any

from socialcare.channels.outbound import Outgoing
from socialcare.channels.outbound_http import DeliveryFailed, PlatformHttp
from socialcare.channels.payload import as_dict, as_float, as_int, as_text, field, json_object
from socialcare.channels.signatures import matches
from socialcare.model import Attachment, Channel, InboundMessage, Kind, Location, Part, TextPart
from socialcare.webhook import BadSignature, MalformedPayload, NotAllowed, WebhookRequest

logger = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)
# Commands the bot answers by name; others are read as text ("/track 12345").
_COMMANDS = {"/start": Kind.FOLLOW, "/help": Kind.HELP}


class TelegramInbound:
    acknowledgement = "ok"

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
    text = as_text(message.get("text")) or as_text(message.get("caption"))
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
            kind=_kind(text),
            text=text,
            sent_at=as_int(message.get("date")),
            platform_type="edited_message" if edited else platform_type,
            parts=_parts(message, platform_type, text),
            reply_to=str(as_dict(message.get("reply_to_message")).get("message_id", "")),
            sender_name=_full_name(sender),
        )
    ]


def _kind(text: str) -> Kind:
    if not text.strip():
        return Kind.UNSUPPORTED
    command = text.split(maxsplit=1)[0].split("@", 1)[0].lower()  # "/help@LumenBot"
    return _COMMANDS.get(command, Kind.TEXT)


def _parts(message: dict[str, Any], platform_type: str, text: str) -> tuple[Part, ...]:
    parts: list[Part] = [TextPart(text)] if text else []
    if platform_type == "location":
        place = as_dict(message.get("location"))
        parts.append(Location(as_float(place.get("latitude")), as_float(place.get("longitude"))))
    elif platform_type in _MEDIA_KEYS:
        media = message[platform_type]
        if isinstance(media, list):  # photos come in several sizes, the largest last
            media = media[-1] if media else {}
        media = as_dict(media)
        parts.append(
            Attachment(
                platform_type, as_text(media.get("file_id")), as_text(media.get("mime_type"))
            )
        )
    return tuple(parts)


def _from_callback(query: dict[str, Any]) -> list[InboundMessage]:
    query_id = field(query, "id", str)
    sender = field(query, "from", dict)
    chat_id = as_dict(as_dict(query.get("message")).get("chat")).get("id", sender.get("id"))
    if not isinstance(chat_id, int):
        raise MalformedPayload("callback query with neither a chat nor a user id")
    data = as_text(query.get("data"))
    return [
        InboundMessage(
            channel=Channel.TELEGRAM,
            message_id=f"callback:{query_id}",
            conversation_id=f"telegram:{chat_id}",
            sender_id=str(sender.get("id")),
            recipient=str(chat_id),
            kind=Kind.TEXT if data.strip() else Kind.UNSUPPORTED,
            text=data,
            platform_type="callback_query",
            payload=data,
            reply_to=str(as_dict(query.get("message")).get("message_id", "")),
            reply_token=query_id,
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
_MEDIA_KEYS = frozenset({"sticker", "photo", "video", "voice", "audio", "document", "animation"})


class TelegramOutbound:
    """sendMessage through the Bot API, options as an inline keyboard; a tapped button's
    callback query is acknowledged first, so the customer's spinner stops."""

    def __init__(self, http: PlatformHttp, api_base: str, bot_token: str) -> None:
        self._http = http
        self._base = f"{api_base.rstrip('/')}/bot{bot_token}"

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        if message.reply_token:
            try:
                self._http.post_json(
                    f"{self._base}/answerCallbackQuery",
                    {"callback_query_id": message.reply_token},
                )
            except DeliveryFailed as failed:
                # A query answered late is refused ("query is too old"); the button's spinner
                # then stops by itself, and the reply below is what the customer needs.
                logger.warning("callback query not acknowledged", extra={"reason": str(failed)})
        for one in outgoing:
            body: dict[str, Any] = {"chat_id": message.recipient, "text": one.text}
            if one.options:
                body["reply_markup"] = {
                    "inline_keyboard": [
                        [{"text": option, "callback_data": option}] for option in one.options
                    ]
                }
            self._http.post_json(f"{self._base}/sendMessage", body, idempotency_key=one.key)
