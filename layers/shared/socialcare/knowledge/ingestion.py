"""Ingestion: read a folder or file, chunk what changed, embed it, publish a new version.

Idempotent: a document whose content is unchanged keeps its chunks and vectors; a changed one
has all its chunks replaced; re-ingesting the same files publishes nothing new. Documents are
added to the index; those not in this run stay as they were. A file ingested under a `source`
name (an S3 key) owns its documents: ingesting it again drops those it no longer holds, and
`remove(source)` takes them all out (the file was deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from socialcare.knowledge.chunking import chunk
from socialcare.knowledge.documents import Document, Problem, read_path
from socialcare.knowledge.embeddings import Embedder, quantize
from socialcare.knowledge.snapshots import IndexedChunk, Snapshot, SnapshotStore

Progress = Callable[[int, int], None]  # (chunks embedded, chunks to embed)
EMBED_STEP = 32  # chunks embedded between two progress reports


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
    removed: list[str] = field(default_factory=list)
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
    source: str | None = None,
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
    sources = dict(current.sources)
    if source is not None and not batch.problems:  # a file read in part keeps what it had
        present = {doc.key for doc in batch.documents}
        report.removed = sorted(k for k in current.owned_by(source) if k not in present)
    if source is not None:
        sources.update({doc.key: source for doc in batch.documents})
    if not changed and not report.removed:
        report.chunks = len(current.chunks)
        return report
    fresh = [IndexedChunk.of(c) for doc in changed for c in chunk(doc)]
    vectors, report.embedded = _vectors(fresh, current, embedder, progress)
    rows = [(c, vectors[c.embedding_text]) for c in fresh]
    _go_live(_next(current, rows, changed, set(report.removed), sources), store, publishers, report)
    return report


def remove(
    source: str,
    *,
    index: str,
    store: SnapshotStore,
    publishers: Sequence[Publisher] = (),
) -> IngestReport:
    """Takes the documents of a deleted file out of the index, as a new version."""
    current = store.load(index) or Snapshot(index)
    report = IngestReport(index, current.version, removed=sorted(current.owned_by(source)))
    if not report.removed:
        report.chunks = len(current.chunks)
        return report
    snapshot = _next(current, [], [], set(report.removed), current.sources)
    _go_live(snapshot, store, publishers, report)
    return report


def _next(
    current: Snapshot,
    fresh: list[tuple[IndexedChunk, bytes]],
    changed: list[Document],
    removed: set[str],
    sources: dict[str, str],
) -> Snapshot:
    """The current snapshot less the replaced and removed documents, plus the fresh chunks."""
    dropped = removed | {doc.key for doc in changed}
    kept = [
        (c, current.vector(row)) for row, c in enumerate(current.chunks) if c.doc_key not in dropped
    ]
    rows = kept + fresh
    digests = {k: v for k, v in current.digests.items() if k not in dropped}
    digests.update({doc.key: doc.digest for doc in changed})
    return Snapshot(
        current.name,
        0,
        [c for c, _ in rows],
        b"".join(v for _, v in rows),
        digests,
        {k: v for k, v in sources.items() if k in digests},
    )


def _go_live(
    snapshot: Snapshot, store: SnapshotStore, publishers: Sequence[Publisher], report: IngestReport
) -> None:
    """The other publishers first, then the alias, so that both sides switch together."""
    for publisher in publishers:
        report.published.append(publisher.publish(snapshot))
    report.version = store.publish(snapshot)
    report.chunks = len(snapshot.chunks)


def _vectors(
    chunks: list[IndexedChunk], current: Snapshot, embedder: Embedder, progress: Progress | None
) -> tuple[dict[str, bytes], int]:
    """The vector of every chunk's text, by text, and how many were embedded: texts the index
    already holds keep their vectors (an edited article re-embeds only the chunks whose text
    changed; repeated boilerplate is embedded once), the rest are embedded. Embedding is
    nearly all of ingestion's time: the e5 forward pass over about 250 tokens a chunk."""
    known = {c.embedding_text: current.vector(row) for row, c in enumerate(current.chunks)}
    todo = list(dict.fromkeys(c.embedding_text for c in chunks if c.embedding_text not in known))
    for start in range(0, len(todo), EMBED_STEP):
        texts = todo[start : start + EMBED_STEP]
        known.update(zip(texts, map(quantize, embedder.passages(texts)), strict=True))
        if progress:
            progress(start + len(texts), len(todo))
    return known, len(todo)
