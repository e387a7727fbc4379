"""Ingestion into versioned snapshots behind an alias, with the real e5 model: idempotent,
changed documents replaced whole, bad files reported, readers switched only to whole versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.ingestion import ingest
from socialcare.knowledge.live_index import REFRESH_S, LiveIndex
from socialcare.knowledge.snapshots import FolderBlobs, SnapshotStore


@pytest.fixture(scope="module")
def engine() -> E5Engine:
    return E5Engine(packaged_engine()[1])


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "warranty.md").write_text(
        "---\nid: warranty\ntitle: Warranty\nlang: en\nurl: https://x.example/warranty\n---\n"
        "Every lamp has a two-year warranty against defects.\n"
    )
    (folder / "faq.csv").write_text(
        'question,answer\nDo you ship to Norway?,"Yes, Norway takes 4-6 business days."\n'
    )
    return folder


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(FolderBlobs(tmp_path / "store"))


def test_ingested_documents_are_searchable_with_their_citations(
    docs: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN a folder with a Markdown article and a CSV FAQ WHEN ingested THEN both are in
    version 1 of the index and a question finds each with its id, title and url."""
    report = ingest(docs, index="brand", store=store, embedder=engine)
    index = LiveIndex(store, "brand", lambda: engine, None)

    assert (report.version, sorted(report.added), report.problems) == (
        1,
        ["en/faq-1", "en/warranty"],
        [],
    )
    best = index.search("is my lamp covered if it breaks?", k=1)[0]
    assert (best.id, best.title, best.url) == ("warranty", "Warranty", "https://x.example/warranty")
    assert index.search("delivery to Norway", k=1)[0].title == "Do you ship to Norway?"


def test_ingesting_the_same_files_again_publishes_nothing(
    docs: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN an ingested folder WHEN ingested again unchanged THEN no new version is published
    and nothing is embedded."""
    ingest(docs, index="brand", store=store, embedder=engine)
    again = ingest(docs, index="brand", store=store, embedder=engine)

    assert (again.version, again.embedded, sorted(again.unchanged)) == (
        1,
        0,
        ["en/faq-1", "en/warranty"],
    )
    assert store.live_version("brand") == 1


def test_a_changed_document_replaces_its_chunks_and_only_it_is_embedded(
    docs: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN an ingested folder WHEN one article changes and the folder is ingested again THEN a
    new version holds the new text only, and the unchanged FAQ is not embedded again."""
    ingest(docs, index="brand", store=store, embedder=engine)
    (docs / "warranty.md").write_text(
        "---\nid: warranty\ntitle: Warranty\nlang: en\n---\n"
        "Every lamp now has a five-year warranty.\n"
    )

    report = ingest(docs, index="brand", store=store, embedder=engine)
    snapshot = store.load("brand")

    assert (report.version, report.replaced, report.embedded) == (2, ["en/warranty"], 1)
    assert snapshot is not None
    texts = [c.text for c in snapshot.chunks if c.id == "warranty"]
    assert texts == ["Every lamp now has a five-year warranty."]


def test_bad_files_are_reported_and_the_rest_is_ingested(
    docs: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN a folder with a broken CSV and an empty page beside good files WHEN ingested THEN
    the good files are live and each bad one is in the report with its reason."""
    (docs / "broken.csv").write_text("q,a\nx,y\n")
    (docs / "empty.html").write_text("<html><body><script>x()</script></body></html>")

    report = ingest(docs, index="brand", store=store, embedder=engine)

    assert sorted(report.added) == ["en/faq-1", "en/warranty"]
    assert {Path(p.source).name: p.reason for p in report.problems} == {
        "broken.csv": "CSV lacks the column(s) question, answer",
        "empty.html": "HTML page has no readable text",
    }


def test_readers_move_to_a_new_version_only_once_it_is_whole(
    docs: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN a running index WHEN four versions are published THEN a reader keeps its version
    until its refresh interval passes, then sees the newest, and only three versions are kept."""
    now = [0.0]
    ingest(docs, index="brand", store=store, embedder=engine)
    reader = LiveIndex(store, "brand", lambda: engine, None, clock=lambda: now[0])
    assert reader.index.snapshot.version == 1

    for n in range(3):
        (docs / "warranty.md").write_text(
            f"---\nid: warranty\nlang: en\n---\nWarranty of {n + 2} years.\n"
        )
        ingest(docs, index="brand", store=store, embedder=engine)

    assert reader.index.snapshot.version == 1
    now[0] += REFRESH_S
    assert reader.index.snapshot.version == 4
    folders = {p.split("/")[1] for p in store.blobs.list("brand/") if "/v" in p}
    assert folders == {"v0002", "v0003", "v0004"}


def test_a_file_ingested_again_without_a_row_drops_that_document(
    tmp_path: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN a CSV FAQ uploaded as documents/faq.csv with two questions WHEN the file is uploaded
    again without the second THEN the new version holds only the first, and the second is
    reported removed; a file read with problems removes nothing."""
    faq = tmp_path / "faq.csv"
    faq.write_text("question,answer\nDo you gift wrap?,Yes for 2 EUR.\nCan I pay cash?,No.\n")
    first = ingest(faq, index="faq", store=store, embedder=engine, source="documents/faq.csv")
    faq.write_text("question,answer\nDo you gift wrap?,Yes for 2 EUR.\n")

    second = ingest(faq, index="faq", store=store, embedder=engine, source="documents/faq.csv")

    assert len(first.added) == 2
    assert (len(second.removed), len(second.unchanged), second.version) == (1, 1, 2)
    snapshot = store.load("faq")
    assert snapshot is not None
    assert {c.title for c in snapshot.chunks} == {"Do you gift wrap?"}
    faq.write_text("question,reply\nDo you gift wrap?,Yes.\n")
    broken = ingest(faq, index="faq", store=store, embedder=engine, source="documents/faq.csv")
    assert (broken.removed, broken.version) == ([], 2)


def test_an_edited_long_article_re_embeds_only_the_chunks_that_changed(
    tmp_path: Path, store: SnapshotStore, engine: E5Engine
) -> None:
    """GIVEN a long article ingested in several chunks WHEN its last paragraph is edited and it
    is ingested again THEN only the chunks holding that paragraph are embedded again, and the
    new version still holds every chunk, the edit included."""
    paragraphs = [
        f"Section {n}: " + " ".join(["lamps ship in recycled boxes"] * 25) for n in range(6)
    ]
    article = tmp_path / "shipping.md"
    article.write_text("---\nid: shipping\nlang: en\n---\n" + "\n\n".join(paragraphs) + "\n")
    first = ingest(article, index="kb", store=store, embedder=engine)
    paragraphs[-1] = "Section 5: parcels to Norway now take four days."
    article.write_text("---\nid: shipping\nlang: en\n---\n" + "\n\n".join(paragraphs) + "\n")

    second = ingest(article, index="kb", store=store, embedder=engine)

    assert first.embedded == first.chunks >= 4
    assert 1 <= second.embedded < first.embedded / 2
    snapshot = store.load("kb")
    assert snapshot is not None and len(snapshot.chunks) == second.chunks
    assert any("Norway" in c.text for c in snapshot.chunks)
