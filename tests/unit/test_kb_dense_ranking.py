"""The embedded index's dense candidates on a large index, where a sampled floor spares ranking
every chunk: they must be exactly the best ones."""

from __future__ import annotations

import random

from socialcare.knowledge.chunking import Chunk
from socialcare.knowledge.documents import Document
from socialcare.knowledge.embedded_index import EmbeddedIndex
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
