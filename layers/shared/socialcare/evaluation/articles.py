"""Which article of the shipped help centre answers each Bitext intent: a reply to a message of
that intent should draw on it (the same id in English and Chinese)."""

from __future__ import annotations

from socialcare.knowledge.topics import SHIPPED_ARTICLE

__all__ = ["SHIPPED_ARTICLE"]
