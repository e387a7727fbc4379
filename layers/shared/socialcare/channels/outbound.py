"""Sending a reply on the customer's channel, fitted to the channel's message length."""

from __future__ import annotations

import re
from typing import Protocol

from socialcare.model import InboundMessage

# Western sentences end at punctuation followed by space ("5.5" stays whole); CJK ones at the mark.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")


class Outbound(Protocol):
    max_text: int

    def send_text(self, message: InboundMessage, text: str) -> None:
        """Send one message of at most max_text characters; raise DeliveryFailed if refused."""


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
