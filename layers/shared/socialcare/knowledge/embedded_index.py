"""The in-process index: BM25 over the chunks' terms and int8 dot products over their e5
vectors, fused as OpenSearch's results are. The local default, and the Lambda's for a small
help centre. Scores follow Lucene's BM25 (k1 1.2, b 0.75), so both adapters agree."""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialcare.knowledge.embeddings import DIM, SCALE, Embedder
from socialcare.knowledge.fusion import CANDIDATES
from socialcare.knowledge.hybrid import Candidates, HybridSearch
from socialcare.knowledge.port import Passage
from socialcare.knowledge.query import QueryPlan
from socialcare.knowledge.snapshots import FolderBlobs, IndexedChunk, Snapshot, SnapshotStore
from socialcare.knowledge.topics import Topics

K1 = 1.2
B = 0.75
PACKAGED = Path(__file__).parent / "index"  # the shipped help centre, built by `make kb-index`
PACKAGED_NAME = "helpcentre"


class EmbeddedIndex(HybridSearch):
    def __init__(self, snapshot: Snapshot, embedder: Embedder, topics: Topics | None) -> None:
        super().__init__(embedder, topics)
        self.snapshot = snapshot
        self._chunks = snapshot.chunks
        self._postings = _postings(self._chunks)
        self._rows_by_key = {c.key: row for row, c in enumerate(self._chunks)}
        self._everything = Selection(range(len(self._chunks)), None, snapshot.vectors)
        by_lang: dict[str, list[int]] = {}
        for row, c in enumerate(self._chunks):
            by_lang.setdefault(c.lang, []).append(row)
        self._by_lang = {lang: self._selection(rows) for lang, rows in by_lang.items()}

    @classmethod
    def packaged(cls, embedder: Embedder, topics: Topics | None) -> EmbeddedIndex:
        snapshot = SnapshotStore(FolderBlobs(PACKAGED)).load(PACKAGED_NAME)
        if snapshot is None:
            raise FileNotFoundError(f"no {PACKAGED_NAME} index in {PACKAGED}: run `make kb-index`")
        return cls(snapshot, embedder, topics)

    def __len__(self) -> int:
        return len(self._chunks)

    def candidates(self, plan: QueryPlan, lang: str | None, tags: Sequence[str]) -> Candidates:
        selection = self.select(lang, tags)
        return Candidates(
            self.lexical(plan, selection),
            self.dense(plan, selection),
            lambda key: self._chunk(key).doc_key,
            lambda key, score: _passage(self._chunk(key), score),
        )

    def _chunk(self, key: str) -> IndexedChunk:
        return self._chunks[self._rows_by_key[key]]

    def lexical(self, plan: QueryPlan, selection: Selection) -> dict[str, float]:
        """BM25 of the best CANDIDATES chunks, by chunk key."""
        scores: dict[int, float] = {}
        for term in plan.terms:
            posting = self._postings.get(term)
            if posting:
                for row, impact in zip(*posting, strict=True):
                    scores[row] = scores.get(row, 0.0) + impact
        allowed = selection.allowed
        items = (
            scores.items()
            if allowed is None
            else ((r, v) for r, v in scores.items() if r in allowed)
        )
        top = heapq.nlargest(CANDIDATES, items, key=lambda rs: rs[1])
        return {self._chunks[r].key: round(v, 6) for r, v in top}

    def dense(self, plan: QueryPlan, selection: Selection) -> dict[str, float]:
        """Cosines (of the int8 vectors) of the best CANDIDATES chunks, by chunk key."""
        if not selection.rows:
            return {}
        import simsimd

        matrix = memoryview(selection.vectors).cast("b", (len(selection.rows), DIM))
        query = memoryview(plan.vector).cast("b", (1, DIM))
        distances: Any = simsimd.cdist(query, matrix, metric="dot")
        dots = array("d")
        dots.frombytes(memoryview(distances).cast("B"))
        top = _largest(dots, selection.rows, CANDIDATES)
        return {self._chunks[r].key: round(d / SCALE**2, 6) for d, r in top}

    def select(self, lang: str | None, tags: Sequence[str]) -> Selection:
        """The chunks a filter allows: one language's are kept apart from the start."""
        base = self._by_lang.get(lang, _NOTHING) if lang else self._everything
        if not tags:
            return base
        wanted = set(tags)
        return self._selection([r for r in base.rows if wanted.issubset(self._chunks[r].tags)])

    def _selection(self, rows: list[int]) -> Selection:
        vectors = b"".join(self.snapshot.vector(r) for r in rows)
        return Selection(rows, frozenset(rows), vectors)


@dataclass(frozen=True, slots=True)
class Selection:
    rows: Sequence[int]
    allowed: frozenset[int] | None  # None: every row
    vectors: bytes  # the rows' vectors, in the same order


_NOTHING = Selection((), frozenset(), b"")


def _largest(values: array, rows: Sequence[int], n: int) -> list[tuple[float, int]]:  # type: ignore[type-arg]
    """The n largest (value, row) pairs. On a large index a sample of the values gives a floor
    that about 4n of them pass, and only those are ranked; should fewer than n pass (an unlucky
    sample), everything is ranked."""
    floor = -math.inf
    if len(values) > 40 * n:
        sample = sorted(values[:: len(values) // (20 * n)], reverse=True)
        floor = sample[max(0, 4 * n * len(sample) // len(values) - 1)]
    passed = [(v, rows[i]) for i, v in enumerate(values) if v >= floor]
    if len(passed) < n:
        passed = list(zip(values, rows, strict=True))
    return heapq.nlargest(n, passed)


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
