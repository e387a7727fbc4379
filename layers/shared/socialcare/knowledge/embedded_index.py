"""The in-process index: BM25 over the chunks' terms and int8 dot products over their e5
vectors, fused as OpenSearch's results are. The local default, and the Lambda's for a small
help centre. Scores follow Lucene's BM25 (k1 1.2, b 0.75), so both adapters agree."""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Sequence
from itertools import compress
from pathlib import Path
from typing import Any

from socialcare.knowledge.embeddings import DIM, SCALE, Embedder
from socialcare.knowledge.fusion import CANDIDATES, fuse
from socialcare.knowledge.port import Passage
from socialcare.knowledge.query import QueryPlan, plan_query
from socialcare.knowledge.snapshots import FolderBlobs, IndexedChunk, Snapshot, SnapshotStore
from socialcare.knowledge.topics import Topics

K1 = 1.2
B = 0.75
PACKAGED = Path(__file__).parent / "index"  # the shipped help centre, built by `make kb-index`
PACKAGED_NAME = "helpcentre"


class EmbeddedIndex:
    def __init__(self, snapshot: Snapshot, embedder: Embedder, topics: Topics | None) -> None:
        self.snapshot = snapshot
        self._chunks = snapshot.chunks
        self._embedder = embedder
        self._topics = topics
        self._postings = _postings(self._chunks)
        self._rows_by_key = {c.key: row for row, c in enumerate(self._chunks)}
        self._by_lang: dict[str, list[int]] = {}
        for row, c in enumerate(self._chunks):
            self._by_lang.setdefault(c.lang, []).append(row)

    @classmethod
    def packaged(cls, embedder: Embedder, topics: Topics | None) -> EmbeddedIndex:
        snapshot = SnapshotStore(FolderBlobs(PACKAGED)).load(PACKAGED_NAME)
        if snapshot is None:
            raise FileNotFoundError(f"no {PACKAGED_NAME} index in {PACKAGED}: run `make kb-index`")
        return cls(snapshot, embedder, topics)

    def __len__(self) -> int:
        return len(self._chunks)

    def search(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> list[Passage]:
        plan = plan_query(query, lang, self._embedder, self._topics)
        if plan is None or k <= 0:
            return []
        rows = self.rows(lang, tags)
        lexical = self.lexical(plan, rows)
        dense = self.dense(plan, rows)
        passages: dict[str, Passage] = {}
        for hit in fuse(lexical, dense):
            chunk = self._chunks[self._rows_by_key[hit.key]]
            if chunk.doc_key not in passages:
                passages[chunk.doc_key] = _passage(chunk, hit.score)
                if len(passages) == k:
                    break
        return list(passages.values())

    def lexical(self, plan: QueryPlan, rows: list[int] | None) -> dict[str, float]:
        """BM25 of the best CANDIDATES chunks, by chunk key."""
        scores: dict[int, float] = {}
        for term in plan.terms:
            posting = self._postings.get(term)
            if posting:
                for row, impact in zip(*posting, strict=True):
                    scores[row] = scores.get(row, 0.0) + impact
        if rows is not None:
            allowed = set(rows)
            scores = {r: s for r, s in scores.items() if r in allowed}
        top = heapq.nlargest(CANDIDATES, scores.items(), key=lambda rs: rs[1])
        return {self._chunks[r].key: round(s, 6) for r, s in top}

    def dense(self, plan: QueryPlan, rows: list[int] | None) -> dict[str, float]:
        """Cosines (of the int8 vectors) of the best CANDIDATES chunks, by chunk key."""
        if not self._chunks:
            return {}
        import simsimd

        matrix = memoryview(self.snapshot.vectors).cast("b", (len(self._chunks), DIM))
        query = memoryview(plan.vector).cast("b", (1, DIM))
        distances: Any = simsimd.cdist(query, matrix, metric="dot")
        raw = memoryview(distances)
        dots = array("d")
        dots.frombytes(raw.cast("B"))
        if rows is not None:
            dots = array("d", (dots[r] for r in rows))
        index = rows if rows is not None else range(len(dots))
        if not dots:
            return {}
        floor = heapq.nlargest(CANDIDATES, dots)[-1]
        top = heapq.nlargest(
            CANDIDATES, compress(zip(dots, index, strict=True), map(floor.__le__, dots))
        )
        return {self._chunks[r].key: round(d / SCALE**2, 6) for d, r in top}

    def rows(self, lang: str | None, tags: Sequence[str]) -> list[int] | None:
        """The rows a filter allows, or None for all."""
        if not lang and not tags:
            return None
        rows = self._by_lang.get(lang, []) if lang else range(len(self._chunks))
        wanted = set(tags)
        return [r for r in rows if wanted.issubset(self._chunks[r].tags)]


def _postings(chunks: list[IndexedChunk]) -> dict[str, tuple[array, array]]:  # type: ignore[type-arg]
    """term -> (rows, BM25 impacts): the whole score of a term in a chunk, computed once."""
    if not chunks:
        return {}
    lengths = [sum(c.terms.values()) for c in chunks]
    average = sum(lengths) / len(lengths)
    frequency: dict[str, int] = {}
    for c in chunks:
        for term in c.terms:
            frequency[term] = frequency.get(term, 0) + 1
    total = len(chunks)
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    postings: dict[str, tuple[array, array]] = {}  # type: ignore[type-arg]
    for row, (c, length) in enumerate(zip(chunks, lengths, strict=True)):
        norm = K1 * (1 - B + B * length / average)
        for term, tf in c.terms.items():
            rows, impacts = postings.setdefault(term, (array("I"), array("d")))
            rows.append(row)
            impacts.append(idf[term] * tf / (tf + norm))
    return postings


def _passage(chunk: IndexedChunk, score: float) -> Passage:
    return Passage(
        chunk.id,
        chunk.title,
        chunk.text,
        chunk.lang,
        chunk.url,
        round(score, 4),
        chunk.tags,
        chunk.lead,
    )
