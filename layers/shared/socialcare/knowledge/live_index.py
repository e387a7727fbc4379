"""An embedded index that follows its alias: a warm container checks the alias at most every
REFRESH_S seconds and loads a newly published version, so ingestion reaches running workers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from socialcare.knowledge.embedded_index import PACKAGED_NAME, EmbeddedIndex
from socialcare.knowledge.embeddings import Embedder
from socialcare.knowledge.port import KnowledgeUnavailable, Passage, Probe
from socialcare.knowledge.snapshots import SnapshotStore
from socialcare.knowledge.topics import Topics

REFRESH_S = 60.0


class LiveIndex:
    def __init__(
        self,
        store: SnapshotStore,
        name: str,
        embedder: Callable[[], Embedder],
        topics: Topics | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._name, self._topics, self._clock = store, name, topics, clock
        self._embedder = embedder  # built on the first search: loading an index needs no model
        self._index: EmbeddedIndex | None = None
        self._version = 0  # the store's live version when the index was loaded (0: packaged)
        self._checked = -REFRESH_S
        self._lock = threading.Lock()

    @property
    def index(self) -> EmbeddedIndex:
        with self._lock:
            now = self._clock()
            if self._index is None or now - self._checked >= REFRESH_S:
                self._checked = now
                live = self._store.live_version(self._name)
                if self._index is None or live != self._version:
                    self._index, self._version = self._load(), live
            return self._index

    def search(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> list[Passage]:
        return self.index.search(query, k=k, lang=lang, tags=tags)

    def probe(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> Probe:
        return self.index.probe(query, k=k, lang=lang, tags=tags)

    def _load(self) -> EmbeddedIndex:
        snapshot = self._store.load(self._name)
        if snapshot is not None:
            return EmbeddedIndex(snapshot, _Lazy(self._embedder), self._topics)
        if self._name == PACKAGED_NAME:
            return EmbeddedIndex.packaged(_Lazy(self._embedder), self._topics)
        raise KnowledgeUnavailable(
            f"no index {self._name!r}: run `socialcare kb ingest PATH --index {self._name}`"
        )


class _Lazy:
    """The embedder, built when a query first needs it."""

    def __init__(self, build: Callable[[], Embedder]) -> None:
        self._build = build

    def query(self, text: str) -> list[float]:
        return self._build().query(text)

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._build().passages(texts)
