"""Versioned index snapshots behind an alias: each ingestion writes a whole new version (chunks,
their lexical terms and int8 vectors), then moves the alias to it in one write, so a reader only
ever sees a complete index. Stored as blobs in a folder (locally) or S3 (in AWS)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from socialcare.knowledge.chunking import Chunk
from socialcare.knowledge.embeddings import DIM
from socialcare.knowledge.tokens import terms

TITLE_WEIGHT = 3  # a title, tag or id says what a chunk is about far more surely than its body
KEEP_VERSIONS = 3  # the live one and two before it, to roll back to


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    key: str  # the chunk's id: "lang/doc-id#n"
    doc_key: str  # "lang/doc-id"
    id: str  # the document's id, what a citation names
    title: str
    text: str
    lang: str
    url: str
    tags: tuple[str, ...]
    lead: str  # the document's first paragraph
    terms: dict[str, int]  # the lexical bag both adapters index

    @classmethod
    def of(cls, chunk: Chunk) -> IndexedChunk:
        doc = chunk.document
        bag = Counter(terms(chunk.text))
        for term in terms(" ".join((doc.title, *doc.tags, doc.id.replace("-", " ")))):
            bag[term] += TITLE_WEIGHT
        lead = doc.text.strip().split("\n\n", 1)[0].strip()
        return cls(
            chunk.id,
            doc.key,
            doc.id,
            doc.title,
            chunk.text,
            doc.lang,
            doc.url,
            doc.tags,
            lead,
            dict(bag),
        )

    @property
    def embedding_text(self) -> str:
        return f"{self.title}\n{self.text}"


@dataclass
class Snapshot:
    name: str
    version: int = 0
    chunks: list[IndexedChunk] = field(default_factory=list)
    vectors: bytes = b""  # len(chunks) rows of DIM int8 values
    digests: dict[str, str] = field(default_factory=dict)  # doc_key -> Document.digest
    sources: dict[str, str] = field(default_factory=dict)  # doc_key -> the file that holds it

    def vector(self, row: int) -> bytes:
        return self.vectors[row * DIM : (row + 1) * DIM]

    def owned_by(self, source: str) -> list[str]:
        """The documents last ingested from `source` (an S3 key)."""
        return [key for key, where in self.sources.items() if where == source]


class Blobs(Protocol):
    def get(self, path: str) -> bytes | None: ...

    def put(self, path: str, data: bytes) -> None: ...

    def delete(self, path: str) -> None: ...

    def list(self, prefix: str) -> list[str]: ...


class FolderBlobs:
    def __init__(self, root: Path) -> None:
        self.root = root

    def get(self, path: str) -> bytes | None:
        file = self.root / path
        return file.read_bytes() if file.is_file() else None

    def put(self, path: str, data: bytes) -> None:
        """Written beside, then renamed over: a reader never sees half a file."""
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=file.parent, delete=False) as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o644)  # readable like any file the project ships
        os.replace(tmp.name, file)

    def delete(self, path: str) -> None:
        (self.root / path).unlink(missing_ok=True)

    def list(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(str(p.relative_to(self.root)) for p in folder.rglob("*") if p.is_file())


class SnapshotStore:
    """<name>/alias.json names the live version; <name>/v<N>/ holds each version's files."""

    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs

    def live_version(self, name: str) -> int:
        alias = self.blobs.get(f"{name}/alias.json")
        return int(json.loads(alias)["version"]) if alias else 0

    def load(self, name: str) -> Snapshot | None:
        version = self.live_version(name)
        if not version:
            return None
        base = f"{name}/v{version:04d}"
        manifest = json.loads(self._required(f"{base}/manifest.json"))
        chunks = [
            IndexedChunk(**{**record, "tags": tuple(record["tags"])})
            for record in map(json.loads, self._required(f"{base}/chunks.jsonl").splitlines())
        ]
        vectors = self._required(f"{base}/vectors.i8")
        if len(vectors) != len(chunks) * DIM:
            raise ValueError(f"{base}: {len(vectors)} vector bytes for {len(chunks)} chunks")
        return Snapshot(
            name, version, chunks, vectors, manifest["digests"], manifest.get("sources", {})
        )

    def publish(self, snapshot: Snapshot) -> int:
        """Writes the snapshot as the next version, then points the alias at it."""
        version = max(self.live_version(snapshot.name), self._newest(snapshot.name)) + 1
        base = f"{snapshot.name}/v{version:04d}"
        lines = (json.dumps(asdict(c), ensure_ascii=False, sort_keys=True) for c in snapshot.chunks)
        self.blobs.put(f"{base}/chunks.jsonl", "\n".join(lines).encode())
        self.blobs.put(f"{base}/vectors.i8", snapshot.vectors)
        manifest = {
            "name": snapshot.name,
            "version": version,
            "chunks": len(snapshot.chunks),
            "digests": snapshot.digests,
            "sources": snapshot.sources,
        }
        self.blobs.put(
            f"{base}/manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode()
        )
        self.blobs.put(f"{snapshot.name}/alias.json", json.dumps({"version": version}).encode())
        snapshot.version = version
        self._prune(snapshot.name, version)
        return version

    def _required(self, path: str) -> bytes:
        data = self.blobs.get(path)
        if data is None:
            raise FileNotFoundError(path)
        return data

    def _versions(self, name: str) -> set[int]:
        found = set()
        for path in self.blobs.list(f"{name}/"):
            part = path.split("/")[-2] if path.count("/") >= 2 else ""
            if part.startswith("v") and part[1:].isdigit():
                found.add(int(part[1:]))
        return found

    def _newest(self, name: str) -> int:
        return max(self._versions(name), default=0)

    def _prune(self, name: str, live: int) -> None:
        for old in sorted(self._versions(name)):
            if old <= live - KEEP_VERSIONS:
                for path in self.blobs.list(f"{name}/v{old:04d}/"):
                    self.blobs.delete(path)
