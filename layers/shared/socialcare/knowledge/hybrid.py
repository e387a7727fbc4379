"""What both adapters share, so that they rank alike: the query plan, one lexical and one dense
candidate list from the backend, one fusion, and the best chunk of each document."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from socialcare.knowledge.embeddings import Embedder
from socialcare.knowledge.fusion import Fused, fuse
from socialcare.knowledge.port import Passage, Probe
from socialcare.knowledge.query import QueryPlan, plan_query
from socialcare.knowledge.topics import Topics


@dataclass(frozen=True, slots=True)
class Candidates:
    lexical: Mapping[str, float]  # chunk key -> BM25
    dense: Mapping[str, float]  # chunk key -> cosine
    document_of: Callable[[str], str]  # chunk key -> document key
    passage: Callable[[str, float], Passage]  # chunk key, fused score -> what is returned


class HybridSearch(ABC):
    def __init__(self, embedder: Embedder, topics: Topics | None) -> None:
        self._embedder = embedder
        self._topics = topics

    def search(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> list[Passage]:
        return self.probe(query, k=k, lang=lang, tags=tags).passages

    def probe(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> Probe:
        """The best passages and what the topic model read in the same query vector."""
        plan = plan_query(query, lang, self._embedder, self._topics)
        if plan is None or k <= 0:
            return Probe([], None)
        found = self.candidates(plan, lang, tags)
        passages = [
            found.passage(hit.key, hit.score)
            for hit in top_documents(found.lexical, found.dense, found.document_of, k)
        ]
        return Probe(passages, plan.reading, plan.message)

    @abstractmethod
    def candidates(self, plan: QueryPlan, lang: str | None, tags: Sequence[str]) -> Candidates:
        """The backend's best chunks by BM25 and by cosine, filtered by language and tags."""


def top_documents(
    lexical: Mapping[str, float],
    dense: Mapping[str, float],
    document_of: Callable[[str], str],
    k: int,
) -> list[Fused]:
    """The fused ranking with only the best chunk of each document, at most k of them."""
    seen: set[str] = set()
    out: list[Fused] = []
    for hit in fuse(lexical, dense):
        document = document_of(hit.key)
        if document not in seen:
            seen.add(document)
            out.append(hit)
            if len(out) == k:
                break
    return out
