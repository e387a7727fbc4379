"""The in-process index: BM25 over the chunks' terms and int8 dot products over their e5
vectors, fused as OpenSearch's results are. The local default, and the Lambda's for a small
help centre. Scores follow Lucene's BM25 (k1 1.2, b 0.75), so both adapters agree.

Fast without numpy (which a Lambda layer has no room for): postings are kept per language,
each ordered by impact, and a term's list is read to LEXICAL_DEPTH chunks (all of it on any index
where no term is that common); above COARSE_ABOVE chunks, dense search first compares one sign
bit per dimension (Hamming distance, 8 times less memory to read than the int8 vectors) and
ranks only the COARSE_DEPTH nearest by their int8 vectors (99% of the best 50 found, see
Coarse). Below both limits the ranking is exact."""

from __future__ import annotations

import heapq
import itertools
import math
import re
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
LEXICAL_DEPTH = 1000  # postings read per term and language, best impacts first
COARSE_ABOVE = 20_000  # chunks in a selection above which dense search takes the coarse pass
COARSE_DEPTH = 2000  # chunks the coarse pass keeps for exact ranking
MEAN_SAMPLE = 1000  # vectors the coarse pass's centre is estimated from
_SIGN = bytes(int(b >= 128) for b in range(256))  # an int8 byte -> 1 where it is negative
_PACK = 0x0102040810204080  # eight 0/1 bytes of a little-endian word -> one byte of bits
_ABOVE = [bytes(range(cut + 1, 256)) for cut in range(256)]
_MARKS = [bytes(1 if b < cut else 2 if b == cut else 0 for b in range(256)) for cut in range(256)]
PACKAGED = Path(__file__).parent / "index"  # the shipped help centre, built by `make kb-index`
PACKAGED_NAME = "helpcentre"


class EmbeddedIndex(HybridSearch):
    def __init__(self, snapshot: Snapshot, embedder: Embedder, topics: Topics | None) -> None:
        super().__init__(embedder, topics)
        self.snapshot = snapshot
        self._chunks = snapshot.chunks
        self._postings = _postings(self._chunks)
        self._rows_by_key = {c.key: row for row, c in enumerate(self._chunks)}
        self._everything = Selection(
            range(len(self._chunks)),
            None,
            snapshot.vectors,
            tuple(self._postings),
            Coarse.of(snapshot.vectors) if len(self._chunks) > COARSE_ABOVE else None,
        )
        by_lang: dict[str, list[int]] = {}
        for row, c in enumerate(self._chunks):
            by_lang.setdefault(c.lang, []).append(row)
        self._by_lang = {
            lang: self._selection(rows, (lang,), None) for lang, rows in by_lang.items()
        }

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
        depth = LEXICAL_DEPTH if selection.allowed is None else None  # tags: read every posting
        scores: dict[int, float] = {}
        get = scores.get
        for term in plan.terms:
            for lang in selection.langs:
                posting = self._postings[lang].get(term)
                if posting:
                    rows, impacts = posting
                    for row, impact in zip(rows[:depth], impacts[:depth], strict=True):
                        scores[row] = get(row, 0.0) + impact
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
        rows, vectors = selection.rows, selection.vectors
        if selection.coarse is not None:
            coarse = selection.coarse
            positions = _nearest_by_bits(coarse.bits, coarse.query_bits(plan.vector))
            rows = [rows[p] for p in positions]
            vectors = b"".join(vectors[p * DIM : (p + 1) * DIM] for p in positions)
        top = _largest(_dots(plan.vector, vectors, len(rows)), rows, CANDIDATES)
        return {self._chunks[r].key: round(d / SCALE**2, 6) for d, r in top}

    def select(self, lang: str | None, tags: Sequence[str]) -> Selection:
        """The chunks a filter allows: one language's are kept apart from the start."""
        base = self._by_lang.get(lang, _NOTHING) if lang else self._everything
        if not tags:
            return base
        wanted = set(tags)
        rows = [r for r in base.rows if wanted.issubset(self._chunks[r].tags)]
        return self._selection(rows, base.langs, frozenset(rows))

    def _selection(
        self, rows: list[int], langs: tuple[str, ...], allowed: frozenset[int] | None
    ) -> Selection:
        vectors = b"".join(self.snapshot.vector(r) for r in rows)
        coarse = Coarse.of(vectors) if len(rows) > COARSE_ABOVE else None
        return Selection(rows, allowed, vectors, langs, coarse)


@dataclass(frozen=True, slots=True)
class Selection:
    rows: Sequence[int]
    allowed: frozenset[int] | None  # None: every row of its languages
    vectors: bytes  # the rows' vectors, in the same order
    langs: tuple[str, ...]  # the languages whose postings it reads
    coarse: Coarse | None  # for a selection large enough to need the coarse pass


@dataclass(frozen=True, slots=True)
class Coarse:
    """One bit per dimension of each vector: whether it lies below the vectors' mean there.
    Centred first, because e5's vectors share a large common direction: raw signs agree across
    most texts. On 100,000 vectors spread around 2,206 Bitext utterances' e5 vectors, the 2,000
    nearest by raw signs held 75% of the best 50 by dot product; centred, 99.5% (and the best
    one for each of 100 held-back utterances)."""

    mean: bytes  # int8, estimated from a sample of the vectors
    bits: bytes

    @classmethod
    def of(cls, vectors: bytes) -> Coarse:
        import simsimd

        n = len(vectors) // DIM
        rows = range(0, n, max(1, n // MEAN_SAMPLE))
        sums = [0] * DIM
        for row in rows:
            for d, v in enumerate(memoryview(vectors[row * DIM : (row + 1) * DIM]).cast("b")):
                sums[d] += v
        mean = bytes(round(total / len(rows)) & 0xFF for total in sums)
        centred: Any = simsimd.wsum(
            memoryview(vectors).cast("b"), memoryview(mean * n).cast("b"), alpha=1.0, beta=-1.0
        )  # int8, saturating: a sign never flips
        return cls(mean, _sign_bits(bytes(memoryview(centred).cast("B"))))

    def query_bits(self, vector: bytes) -> bytes:
        centred = (
            max(-128, min(127, v - m))
            for v, m in zip(
                memoryview(vector).cast("b"), memoryview(self.mean).cast("b"), strict=True
            )
        )
        return _sign_bits(bytes(c & 0xFF for c in centred))


_NOTHING = Selection((), frozenset(), b"", (), None)


def _dots(query: bytes, vectors: bytes, n: int) -> array:  # type: ignore[type-arg]
    """The int8 dot products of the query with n vectors."""
    import simsimd

    matrix = memoryview(vectors).cast("b", (n, DIM))
    distances: Any = simsimd.cdist(memoryview(query).cast("b", (1, DIM)), matrix, metric="dot")
    dots = array("d")
    dots.frombytes(memoryview(distances).cast("B"))
    return dots


def _sign_bits(vectors: bytes) -> bytes:
    """One bit per dimension, set where the component is negative (DIM / 8 bytes a vector)."""
    words = array("Q")
    words.frombytes(vectors.translate(_SIGN))
    return bytes(((w * _PACK) & 0xFFFFFFFFFFFFFFFF) >> 56 for w in words)


def _nearest_by_bits(bits: bytes, query: bytes) -> list[int]:
    """Positions of the COARSE_DEPTH vectors nearest the query in Hamming distance (all of them
    on a smaller selection), found without a Python loop over every vector: the distances come
    back as bytes, the cut is found by counting bytes, and the positions under it are marked
    and found by C code (bytes.translate, a regular expression of one byte)."""
    import simsimd

    width = DIM // 8
    n = len(bits) // width
    distances: Any = simsimd.cdist(
        memoryview(query).cast("B", (1, width)),
        memoryview(bits).cast("B", (n, width)),
        metric="hamming",
        dtype="bin8",
        # uint64 (simsimd 6.5's stubs omit it): byte 0 holds the distance mod 256, byte 1 the rest
        out_dtype="u8",  # type: ignore[arg-type]
    )
    raw = memoryview(distances).cast("B")
    low = bytes(raw[::8])
    want = min(COARSE_DEPTH, n)
    # The smallest cut with at least `want` distances at or under it: guessed from a sample,
    # then moved one distance at a time, counted in C.
    sample = sorted(low[:: max(1, n // 2000)])
    cut = sample[min(len(sample) - 1, len(sample) * want // n)]
    count = len(low.translate(None, _ABOVE[cut]))
    while count < want and cut < 255:
        cut += 1
        count += low.count(cut)
    while cut > 0 and count - low.count(cut) >= want:
        count -= low.count(cut)
        cut -= 1
    marked = low.translate(_MARKS[cut])  # 1 under the cut, 2 at it, 0 above
    under = [m.start() for m in re.finditer(b"\x01", marked)]
    at = itertools.islice(re.finditer(b"\x02", marked), want - len(under))
    return [p for p in (*under, *(m.start() for m in at)) if not raw[8 * p + 1]]  # >= 256: far


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


def _postings(chunks: list[IndexedChunk]) -> dict[str, dict[str, tuple[array, array]]]:  # type: ignore[type-arg]
    """language -> term -> (rows, BM25 impacts), highest impact first: the whole score of a term
    in a chunk, computed once over the whole index (as OpenSearch's idf is)."""
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
    lists: dict[str, dict[str, list[tuple[float, int]]]] = {}
    for row, (c, length) in enumerate(zip(chunks, lengths, strict=True)):
        norm = K1 * (1 - B + B * length / average)
        terms = lists.setdefault(c.lang, {})
        for term, tf in c.terms.items():
            terms.setdefault(term, []).append((idf[term] * tf / (tf + norm), row))
    out: dict[str, dict[str, tuple[array, array]]] = {}  # type: ignore[type-arg]
    for lang, terms in lists.items():
        out[lang] = {}
        for term, entries in terms.items():
            entries.sort(key=lambda e: (-e[0], e[1]))
            out[lang][term] = (
                array("I", [r for _, r in entries]),
                array("d", [i for i, _ in entries]),
            )
    return out


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
