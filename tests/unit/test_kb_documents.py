"""Reading documents for the knowledge base: every format, and every kind of bad file reported
with its reason while the rest is read."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from socialcare.knowledge.chunking import chunk, units
from socialcare.knowledge.documents import Document, read_path


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_markdown_front_matter_becomes_the_citation(tmp_path: Path) -> None:
    """GIVEN a Markdown article with front matter WHEN read THEN its id, title, language, url
    and tags are what a citation shows, and the body is the text."""
    _write(
        tmp_path,
        "returns.md",
        "---\nid: returns\ntitle: Returns\nlang: en\nurl: https://x.example/returns\n"
        "tags: [returns, refunds]\n---\nReturn anything within 30 days.\n",
    )

    batch = read_path(tmp_path)

    assert batch.problems == []
    assert batch.documents == [
        Document(
            "returns",
            "Returns",
            "Return anything within 30 days.",
            "en",
            "https://x.example/returns",
            ("returns", "refunds"),
        )
    ]


def test_markdown_without_front_matter_takes_its_heading_and_detected_language(
    tmp_path: Path,
) -> None:
    """GIVEN a Chinese Markdown file with no front matter WHEN read THEN its id is the file
    name, its title the first heading and its language Chinese."""
    _write(tmp_path, "shipping.md", "# 配送时间\n\n标准配送需要三到五个工作日。\n")

    (doc,) = read_path(tmp_path).documents

    assert (doc.id, doc.title, doc.lang) == ("shipping", "配送时间", "zh")


def test_regional_language_tags_are_read_as_their_language(tmp_path: Path) -> None:
    """GIVEN articles tagged zh-CN and en_US WHEN read THEN they are Chinese and English."""
    _write(tmp_path, "a.md", "---\nlang: zh-CN\n---\n标准配送需要三到五个工作日。\n")
    _write(tmp_path, "b.md", "---\nlang: en_US\n---\nStandard delivery takes five days.\n")

    assert [d.lang for d in read_path(tmp_path).documents] == ["zh", "en"]


def test_html_page_keeps_its_readable_text_only(tmp_path: Path) -> None:
    """GIVEN an HTML page with navigation, a script and a canonical link WHEN read THEN the text
    is the article's paragraphs, the title and url come from the page, the language from <html>."""
    _write(
        tmp_path,
        "warranty.html",
        '<html lang="en-GB"><head><title>Warranty</title>'
        '<link rel="canonical" href="https://x.example/warranty"><script>var x = 1;</script></head>'
        "<body><nav>Home | Shop</nav><h1>Warranty</h1><p>Every lamp has a two-year warranty.</p>"
        "<p>Keep your receipt &amp; the box.</p></body></html>",
    )

    (doc,) = read_path(tmp_path).documents

    assert doc.title == "Warranty"
    assert doc.lang == "en"
    assert doc.url == "https://x.example/warranty"
    assert "two-year warranty" in doc.text and "Keep your receipt & the box." in doc.text
    assert "var x" not in doc.text and "Home | Shop" not in doc.text


def test_csv_faq_gives_one_document_per_row_and_reports_empty_rows(tmp_path: Path) -> None:
    """GIVEN a CSV FAQ with a row lacking its answer WHEN read THEN the good rows are documents
    titled by their question, and the bad row is reported with its row number."""
    _write(
        tmp_path,
        "faq.csv",
        'question,answer,lang\nDo you ship to Spain?,"Yes, in 3-5 days.",en\n'
        "Can I pay by PayPal?,,en\n退货要运费吗？,退货免费。,zh\n",
    )

    batch = read_path(tmp_path)

    assert [(d.id, d.title, d.lang) for d in batch.documents] == [
        ("faq-1", "Do you ship to Spain?", "en"),
        ("faq-3", "退货要运费吗？", "zh"),
    ]
    assert [(Path(p.source).name, p.reason) for p in batch.problems] == [
        ("faq.csv:row 3", "row has an empty question or answer")
    ]


def test_csv_without_its_columns_is_reported_whole(tmp_path: Path) -> None:
    """GIVEN a CSV with no answer column WHEN read THEN the file is reported, nothing read."""
    _write(tmp_path, "faq.csv", "question,reply\nHi?,Hello\n")

    batch = read_path(tmp_path)

    assert batch.documents == []
    assert batch.problems[0].reason == "CSV lacks the column(s) answer"


def test_json_lines_read_each_line_and_report_the_broken_ones(tmp_path: Path) -> None:
    """GIVEN JSON lines with a broken line and one without text WHEN read THEN the valid ones
    are documents with their metadata and the others are reported by line."""
    _write(
        tmp_path,
        "products.jsonl",
        '{"id": "lamp-a", "title": "Lamp A", "text": "A warm desk lamp.", "lang": "en", '
        '"url": "https://x.example/a", "sku": 1}\n{"id": "lamp-b"\n{"id": "lamp-c", "text": ""}\n',
    )

    batch = read_path(tmp_path)

    assert [(d.id, d.url) for d in batch.documents] == [("lamp-a", "https://x.example/a")]
    assert [(Path(p.source).name, p.reason.split(" (")[0]) for p in batch.problems] == [
        ("products.jsonl:line 2", "not JSON"),
        ("products.jsonl:line 3", "no text"),
    ]


def test_bad_files_are_reported_with_their_reason_and_the_rest_is_read(tmp_path: Path) -> None:
    """GIVEN an empty file, a binary file, a Japanese article, one declared in French, one whose
    Chinese text is declared English, a duplicate id and an unknown file type beside a good
    article WHEN the folder is read THEN only the good article is read and every other file is
    reported with why."""
    _write(tmp_path, "good.md", "---\nid: good\nlang: en\n---\nAll good here.\n")
    _write(tmp_path, "empty.md", "  \n")
    _write(tmp_path, "binary.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    _write(tmp_path, "ja.md", "こんにちは、返品はできます。\n")
    _write(tmp_path, "fr.md", "---\nlang: fr\n---\nLivraison en trois jours.\n")
    _write(tmp_path, "mislabelled.md", "---\nlang: en\n---\n所有商品都可以退货。\n")
    _write(tmp_path, "z-duplicate.md", "---\nid: good\nlang: en\n---\nAgain.\n")
    _write(tmp_path, "notes.docx", "whatever")

    batch = read_path(tmp_path)

    assert [d.id for d in batch.documents] == ["good"]
    reasons = {Path(p.source).name: p.reason for p in batch.problems}
    assert reasons == {
        "binary.html": "binary file, not text",
        "empty.md": "empty file",
        "fr.md": "language 'fr' is not served (serving en, zh)",
        "ja.md": "language 'ja' is not served (serving en, zh)",
        "mislabelled.md": "declared 'en' but the text is written in 'zh'",
        "notes.docx": "unsupported file type '.docx'",
        "z-duplicate.md": f"duplicate id 'good' (en), first in {tmp_path / 'good.md'}",
    }


def test_a_long_document_is_cut_into_overlapping_chunks() -> None:
    """GIVEN an article of many paragraphs WHEN chunked THEN no chunk is over the size limit,
    each chunk repeats the last paragraph of the one before, and nothing is lost."""
    paragraphs = [f"Paragraph {n} says something about delivery number {n}." for n in range(60)]
    doc = Document("long", "Long", "\n\n".join(paragraphs), "en")

    chunks = chunk(doc, max_units=60, overlap=12)

    assert len(chunks) > 3
    assert all(units(c.text) <= 60 for c in chunks)
    for before, after in pairwise(chunks):
        assert after.text.split("\n\n")[0] == before.text.split("\n\n")[-1]
    assert set(paragraphs) == {p for c in chunks for p in c.text.split("\n\n")}
    assert [c.id for c in chunks[:2]] == ["en/long#0", "en/long#1"]


def test_a_short_document_is_one_chunk() -> None:
    """GIVEN a two-sentence answer WHEN chunked THEN it stays whole."""
    doc = Document("short", "Short", "One. Two.", "en")

    assert [c.text for c in chunk(doc)] == ["One. Two."]


def test_broken_html_is_read_as_far_as_it_goes(tmp_path: Path) -> None:
    """GIVEN a page with unclosed tags and no <html> or <title> WHEN read THEN its text is kept,
    its title falls back to the file name and its language is detected from the text."""
    _write(tmp_path, "care.html", "<body><h2>Lamp care<p>Dust it weekly<div><b>Never use water")

    (doc,) = read_path(tmp_path).documents

    assert (doc.id, doc.title, doc.lang) == ("care", "care", "en")
    assert "Dust it weekly" in doc.text and "Never use water" in doc.text
