"""The retrieval port: what the pipeline asks of any knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    title: str
    text: str
    lang: str
    url: str
    score: float

    @property
    def lead(self) -> str:
        """The article's first paragraph: the help centre writes the direct answer there."""
        return self.text.strip().split("\n\n", 1)[0].strip()


class Retriever(Protocol):
    def search(self, query: str, *, k: int = 5, lang: str | None = None) -> list[Passage]:
        """The best passages for the query, best first; empty for an empty or hopeless query."""
