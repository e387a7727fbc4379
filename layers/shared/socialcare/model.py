"""The domain's types: what a customer sent, what the agent answers, the history between."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any, ClassVar


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
    source: str  # "llm", "knowledge", "handoff", "greeting", "fallback", "unsupported"
    citations: tuple[Citation, ...] = ()
    quick_replies: tuple[str, ...] = ()  # short follow-ups a channel may offer as buttons
    wants_human: bool = False  # a person should take the conversation over


@dataclass(frozen=True, slots=True)
class Turn:
    """One stored line of a conversation. Text is redacted before it gets here."""

    role: str  # "customer" or "agent"
    text: str
    at: float
    message_id: str
    language: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Conversation:
    """A customer thread as stored: its recent turns, the message ids already answered, and a
    version for optimistic concurrency (0: never stored)."""

    id: str
    channel: Channel
    turns: tuple[Turn, ...] = ()
    answered: tuple[str, ...] = ()
    version: int = 0

    MAX_TURNS: ClassVar[int] = 50
    MAX_ANSWERED: ClassVar[int] = 200

    @property
    def language(self) -> str:
        """The language the customer last wrote in, for replies to messages without text."""
        for turn in reversed(self.turns):
            if turn.role == "customer" and turn.language:
                return turn.language
        return ""

    def has_answered(self, message_id: str) -> bool:
        return message_id in self.answered

    def begin(self, customer: Turn) -> Conversation:
        """With the customer's turn added and its message marked as being answered."""
        return replace(
            self,
            turns=(*self.turns, customer)[-self.MAX_TURNS :],
            answered=(*self.answered, customer.message_id)[-self.MAX_ANSWERED :],
        )

    def abandon(self, customer: Turn) -> Conversation:
        """Without the customer's turn, so that a redelivery of the message is answered."""
        return replace(
            self,
            turns=tuple(t for t in self.turns if t != customer),
            answered=tuple(a for a in self.answered if a != customer.message_id),
        )

    def finish(self, agent: Turn) -> Conversation:
        return replace(self, turns=(*self.turns, agent)[-self.MAX_TURNS :])
