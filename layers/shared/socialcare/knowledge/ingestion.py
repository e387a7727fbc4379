"""Ingestion: read a folder or file, chunk what changed, embed it, publish a new version.

Idempotent: a document whose content is unchanged keeps its chunks and vectors; a changed one
has all its chunks replaced; re-ingesting the same files publishes nothing new. Documents are
added to the index; those not in this run stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from socialcare.knowledge.chunking import chunk
from socialcare.knowledge.documents import Problem, read_path
from socialcare.knowledge.embeddings import Embedder, quantize
from socialcare.knowledge.snapshots import IndexedChunk, Snapshot, SnapshotStore

Progress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)


class Publisher(Protocol):
    """Somewhere else a new snapshot goes live, such as an OpenSearch index behind an alias."""

    def publish(self, snapshot: Snapshot) -> str: ...


@dataclass
class IngestReport:
    index: str
    version: int
    added: list[str] = field(default_factory=list)  # doc keys
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0  # in the live version
    embedded: int = 0  # chunks embedded in this run
    problems: list[Problem] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # where else it went live


def ingest(
    path: Path,
    *,
    index: str,
    store: SnapshotStore,
    embedder: Embedder,
    publishers: Sequence[Publisher] = (),
    progress: Progress | None = None,
) -> IngestReport:
    batch = read_path(path)
    current = store.load(index) or Snapshot(index)
    report = IngestReport(index, current.version, problems=batch.problems)
    changed = []
    for doc in batch.documents:
        previous = current.digests.get(doc.key)
        if previous == doc.digest:
            report.unchanged.append(doc.key)
        else:
            (report.replaced if previous else report.added).append(doc.key)
            changed.append(doc)
    if not changed:
        report.chunks = len(current.chunks)
        return report

    fresh = [IndexedChunk.of(c) for doc in changed for c in chunk(doc)]
    vectors = _embed(fresh, embedder, progress)
    replaced = {doc.key for doc in changed}
    kept = [
        (c, current.vector(row))
        for row, c in enumerate(current.chunks)
        if c.doc_key not in replaced
    ]
    rows = kept + list(zip(fresh, vectors, strict=True))
    digests = {k: v for k, v in current.digests.items() if k not in replaced}
    digests.update({doc.key: doc.digest for doc in changed})
    snapshot = Snapshot(index, 0, [c for c, _ in rows], b"".join(v for _, v in rows), digests)
    for publisher in publishers:  # before the alias moves, so both sides switch together
        report.published.append(publisher.publish(snapshot))
    report.version = store.publish(snapshot)
    report.chunks = len(snapshot.chunks)
    report.embedded = len(fresh)
    return report


def _embed(
    chunks: list[IndexedChunk], embedder: Embedder, progress: Progress | None
) -> list[bytes]:
    out: list[bytes] = []
    step = 32
    for start in range(0, len(chunks), step):
        texts = [c.embedding_text for c in chunks[start : start + step]]
        out.extend(quantize(v) for v in embedder.passages(texts))
        if progress:
            progress(len(out), len(chunks))
    return out
