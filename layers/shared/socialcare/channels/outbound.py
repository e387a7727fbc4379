"""Sending a reply on the customer's channel, rendered to what the channel can carry."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from socialcare.channels.capabilities import Capabilities
from socialcare.model import InboundMessage, Reply, Visibility

# Western sentences end at punctuation followed by space ("5.5" stays whole); CJK ones at the mark.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")


class Audience(StrEnum):
    PRIVATE = "private"  # a direct message to the customer
    PUBLIC = "public"  # a reply under the customer's public post
    TEMPLATE = "template"  # the approved template that may go out after the message window


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One platform message: its text fits the channel, its options are ones it can show."""

    text: str
    options: tuple[str, ...] = ()
    audience: Audience = Audience.PRIVATE
    language: str = "en"
    key: str = ""  # idempotency key: the same for every resend of this part, unique to it


def keyed(outgoing: list[Outgoing], reply_key: str) -> list[Outgoing]:
    """Each part with its own idempotency key, derived from the reply's: a resend of the reply
    sends every part under the key it had the first time."""
    return [
        replace(one, key=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{reply_key}:{n}")))
        for n, one in enumerate(outgoing)
    ]


class Outbound(Protocol):
    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        """Deliver the messages in order as replies to `message`; raise DeliveryFailed if the
        platform refuses one."""


def render(
    reply: Reply, message: InboundMessage, caps: Capabilities, window_open: bool
) -> list[Outgoing]:
    """The platform messages that carry `reply` on a channel with `caps`: a short public answer
    under a public post, long text split at sentence boundaries, buttons the channel cannot show
    turned into numbered options, and after the message window only the channel's template."""
    out: list[Outgoing] = []
    if message.visibility is Visibility.PUBLIC and caps.max_public_text:
        public = split_text(reply.public or reply.text, caps.max_public_text)[0]
        out.append(Outgoing(public, audience=Audience.PUBLIC, language=reply.language))
        if not caps.private_reply_to_public:
            return out
    if not window_open:
        if caps.window_template:
            out.append(Outgoing("", audience=Audience.TEMPLATE, language=reply.language))
        return out
    text, options = reply.text, reply.options
    if options and (
        len(options) > caps.max_options
        or any(len(option) > caps.max_option_label for option in options)
    ):
        numbered = "\n".join(f"{n}. {option}" for n, option in enumerate(options, 1))
        text, options = f"{text}\n{numbered}", ()
    parts = split_text(text, caps.max_text)
    out.extend(Outgoing(part, language=reply.language) for part in parts[:-1])
    out.append(Outgoing(parts[-1], options, language=reply.language))
    return out


def split_text(text: str, limit: int) -> list[str]:
    """Split at sentence boundaries into parts of at most `limit` characters."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for whole in filter(None, _SENTENCE_END.split(text.strip())):
        sentence = whole
        while len(sentence) > limit:  # one sentence longer than a message: cut it hard
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:limit])
            sentence = sentence[limit:]
        joiner = "" if not current or _is_cjk(current[-1]) else " "
        if len(current) + len(joiner) + len(sentence) <= limit:
            current = f"{current}{joiner}{sentence}" if current else sentence
        else:
            parts.append(current)
            current = sentence
    if current:
        parts.append(current)
    return parts


def _is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"
