"""The retrieval port: what the pipeline asks of any knowledge base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from socialcare.knowledge.topics import Reading

SNIPPET_CHARS = 240


@dataclass(frozen=True, slots=True)
class Passage:
    """The best chunk of one document, with what a citation needs (id, title, url)."""

    id: str
    title: str
    text: str  # the chunk
    lang: str
    url: str
    score: float
    tags: tuple[str, ...] = field(default=())
    lead: str = ""  # the document's first paragraph: help centres write the direct answer there

    @property
    def snippet(self) -> str:
        """The chunk's first paragraph, cut at a word or sentence boundary near SNIPPET_CHARS."""
        first = self.text.strip().split("\n\n", 1)[0]
        lead = " ".join(w for w in first.replace("**", "").split() if w.strip("#"))
        if len(lead) <= SNIPPET_CHARS:
            return lead
        cut = lead[:SNIPPET_CHARS]
        boundary = max(cut.rfind(" "), cut.rfind("。"), cut.rfind("，"), cut.rfind(","))
        return (cut[: boundary + 1] if boundary > SNIPPET_CHARS // 2 else cut).rstrip() + "…"


class KnowledgeUnavailable(RuntimeError):
    """The knowledge base cannot answer now (its index, model or cluster is unreachable)."""


class Retriever(Protocol):
    def search(
        self,
        query: str,
        *,
        k: int = 5,
        lang: str | None = None,
        tags: Sequence[str] = (),
    ) -> list[Passage]:
        """The best passages for the query, best first, at most one per document; only those in
        `lang` and carrying every tag in `tags` when given; empty for an empty or hopeless
        query."""


@dataclass(frozen=True, slots=True)
class Probe:
    """A search and what the topic model read in the message's vector (one embedding for both)."""

    passages: list[Passage]
    reading: Reading | None  # None: no topic model, or nothing to search for
    vector: tuple[float, ...] = ()  # the message's own e5 vector (empty: nothing to search for)


@runtime_checkable
class ProbingRetriever(Retriever, Protocol):
    """A retriever that also tells what the message is about (the hybrid adapters do)."""

    def probe(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> Probe: ...


def probe(
    retriever: Retriever,
    query: str,
    *,
    k: int = 5,
    lang: str | None = None,
    tags: Sequence[str] = (),
) -> Probe:
    """The retriever's probe when it has one, else its search with no topic reading."""
    if isinstance(retriever, ProbingRetriever):
        return retriever.probe(query, k=k, lang=lang, tags=tags)
    return Probe(retriever.search(query, k=k, lang=lang, tags=tags), None)
