"""The embedded index's candidates on large indexes, where shortcuts spare reading everything:
below the coarse pass's size the dense candidates are exactly the best ones; above it a
near-duplicate of the query is still found first; a term's postings read to a depth still give
the chunks where the term weighs most."""

from __future__ import annotations

import random

from socialcare.knowledge.chunking import Chunk
from socialcare.knowledge.documents import Document
from socialcare.knowledge.embedded_index import COARSE_ABOVE, LEXICAL_DEPTH, EmbeddedIndex
from socialcare.knowledge.embeddings import DIM, SCALE
from socialcare.knowledge.fusion import CANDIDATES
from socialcare.knowledge.query import QueryPlan
from socialcare.knowledge.snapshots import IndexedChunk, Snapshot


class NoModel:
    """These searches hand the index a query vector directly; nothing is embedded."""

    def query(self, text: str) -> list[float]:
        raise AssertionError("no query should be embedded here")

    def passages(self, texts: object) -> list[list[float]]:
        raise AssertionError("no passage should be embedded here")


def test_dense_candidates_of_a_large_index_are_exactly_the_best() -> None:
    """GIVEN 6,000 chunks in two languages with random int8 vectors WHEN the dense candidates of
    random queries are taken, with and without a language filter THEN they are the 50 chunks
    with the highest dot products, as ranking every chunk finds them."""
    rng = random.Random(5)  # noqa: S311 - reproducible test data, not secrets
    chunks, vectors = [], bytearray()
    for n in range(6000):
        doc = Document(f"d{n}", "t", "text", "en" if n % 3 else "zh")
        chunks.append(IndexedChunk.of(Chunk(doc, 0, "text")))
        vectors += bytes(rng.randrange(256) for _ in range(DIM))
    index = EmbeddedIndex(Snapshot("big", 1, chunks, bytes(vectors), {}), NoModel(), None)

    for _ in range(5):
        query = bytes(rng.randrange(256) for _ in range(DIM))
        plan = QueryPlan((), query, None)
        for lang in (None, "zh"):
            q = memoryview(query).cast("b")
            exact = sorted(
                (
                    (
                        sum(
                            a * b
                            for a, b in zip(
                                q, memoryview(index.snapshot.vector(r)).cast("b"), strict=True
                            )
                        ),
                        c.key,
                    )
                    for r, c in enumerate(chunks)
                    if lang is None or c.lang == lang
                ),
                reverse=True,
            )[:CANDIDATES]

            dense = index.dense(plan, index.select(lang, ()))

            assert sorted(dense) == sorted(key for _, key in exact)
            assert max(dense.values()) == round(exact[0][0] / SCALE**2, 6)


def test_above_the_coarse_size_a_near_duplicate_of_the_query_comes_first() -> None:
    """GIVEN more chunks than COARSE_ABOVE with random int8 vectors WHEN the query is one chunk's
    vector with a little noise THEN that chunk is the best dense candidate, with the cosine
    ranking every chunk gives it."""
    rng = random.Random(9)  # noqa: S311 - reproducible test data, not secrets
    size = COARSE_ABOVE + 5000
    vectors = bytearray(rng.randbytes(size * DIM))
    chunks = [
        IndexedChunk.of(Chunk(Document(f"d{n}", "t", "text", "en"), 0, "text")) for n in range(size)
    ]
    index = EmbeddedIndex(Snapshot("big", 1, chunks, bytes(vectors), {}), NoModel(), None)

    for target in rng.sample(range(size), 5):
        stored = memoryview(index.snapshot.vector(target)).cast("b")
        query = bytes(max(-127, min(127, v + rng.randint(-30, 30))) & 0xFF for v in stored)
        dense = index.dense(QueryPlan((), query, None), index.select(None, ()))

        best = max(dense, key=lambda key: dense[key])
        q = memoryview(query).cast("b")
        assert best == chunks[target].key
        assert dense[best] == round(
            sum(a * b for a, b in zip(q, stored, strict=True)) / SCALE**2, 6
        )


def test_a_term_in_more_chunks_than_the_depth_still_finds_where_it_weighs_most() -> None:
    """GIVEN three times LEXICAL_DEPTH chunks that all mention "lamp", in texts of different
    lengths, a few of them saying it again and again WHEN "lamp" is searched THEN the lexical
    candidates are the chunks that say it most, best first."""
    rng = random.Random(3)  # noqa: S311 - reproducible test data, not secrets
    chunks = []
    for n in range(3 * LEXICAL_DEPTH):
        repeats = 6 if n % 97 == 0 else 1
        filler = " ".join(rng.choice(["bright", "warm", "desk", "light"]) for _ in range(20))
        text = " ".join(["lamp"] * repeats) + " " + filler
        chunks.append(IndexedChunk.of(Chunk(Document(f"d{n}", "t", text, "en"), 0, text)))
    index = EmbeddedIndex(Snapshot("big", 1, chunks, bytes(len(chunks) * DIM), {}), NoModel(), None)

    lexical = index.lexical(QueryPlan(("lamp",), bytes(DIM), None), index.select("en", ()))

    loud = {c.key for c in chunks if c.text.startswith("lamp lamp")}
    ranked = sorted(lexical, key=lambda key: -lexical[key])
    assert set(ranked[: len(loud)]) == loud
