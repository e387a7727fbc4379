"""The domain's types: what a customer sent, what the agent answers, the history between."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


class Kind(StrEnum):
    """What an inbound message carries, as far as the agent is concerned."""

    TEXT = "text"
    UNSUPPORTED = "unsupported"  # stickers, locations, reactions, media: acknowledged politely


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One customer message, normalised from any platform; its text is redacted at ingress."""

    channel: Channel
    message_id: str  # the platform's own id, unique within the channel: the idempotency key
    conversation_id: str  # one per customer thread, also the FIFO message group
    sender_id: str  # the platform's id of the customer
    recipient: str  # where a reply goes: Telegram chat id, WhatsApp wa_id
    kind: Kind
    text: str = ""
    sent_at: int = 0  # epoch seconds, from the platform
    account_id: str = ""  # the brand's account on the platform (WhatsApp phone_number_id)
    platform_type: str = ""  # the platform's own name for the message type, for logs

    def redacted(self, redact: Callable[[str], str]) -> InboundMessage:
        return replace(self, text=redact(self.text))

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> InboundMessage:
        return cls.from_dict(json.loads(raw))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InboundMessage:
        return cls(**{**data, "channel": Channel(data["channel"]), "kind": Kind(data["kind"])})


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the agent sends back, and why."""

    text: str
    language: str
    source: str  # "knowledge", "greeting", "fallback", "unsupported"
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class Turn:
    """One stored line of a conversation. Text is redacted before it gets here."""

    role: str  # "customer" or "agent"
    text: str
    at: float
    message_id: str
    language: str = ""
    source: str = ""


@dataclass(slots=True)
class Conversation:
    id: str
    channel: Channel
    turns: list[Turn] = field(default_factory=list)

    @property
    def language(self) -> str:
        """The language the customer last wrote in, for replies to messages without text."""
        for turn in reversed(self.turns):
            if turn.role == "customer" and turn.language:
                return turn.language
        return ""
