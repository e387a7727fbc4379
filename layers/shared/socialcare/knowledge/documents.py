"""Documents the knowledge base serves, read from Markdown (with optional front matter), HTML
pages, CSV FAQs (question, answer) and JSON lines. Every reader returns the documents it could
read and the problems it met, each with its reason, so one bad file never stops the rest."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from socialcare.understand.language import detect_language

HELPCENTRE = Path(__file__).parent / "helpcentre"
LANGUAGES = ("en", "zh")  # the languages the agent answers in
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
SUFFIXES |= {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    title: str
    text: str
    lang: str
    url: str = ""
    tags: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """One document per id and language: a help centre translates an article under its id."""
        return f"{self.lang}/{self.id}"

    @property
    def digest(self) -> str:
        """Changes whenever anything the index keeps of the document changes."""
        fields = (self.id, self.title, self.text, self.lang, self.url, "\x1f".join(self.tags))
        return hashlib.sha256("\x1e".join(fields).encode()).hexdigest()[:16]


class DocumentError(ValueError):
    """A document that cannot be read, with the reason."""


@dataclass(frozen=True, slots=True)
class Problem:
    source: str  # the file, with its line or row where one entry of many failed
    reason: str


@dataclass
class Batch:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_path(path: Path) -> Batch:
    """Every supported file under `path` (or the file itself), read in a stable order; files of
    other types are reported, not guessed at; two documents with one key keep the first."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    batch = Batch()
    seen: dict[str, str] = {}
    for file in files:
        if any(part.startswith(".") for part in file.relative_to(path).parts if path.is_dir()):
            continue
        for item in _read_file(file):
            if isinstance(item, Problem):
                batch.problems.append(item)
            elif item.key in seen:
                batch.problems.append(
                    Problem(
                        str(file),
                        f"duplicate id {item.id!r} ({item.lang}), first in {seen[item.key]}",
                    )
                )
            else:
                seen[item.key] = str(file)
                batch.documents.append(item)
    return batch


def load_folder(folder: Path = HELPCENTRE) -> list[Document]:
    """A folder that must read cleanly, such as the shipped help centre."""
    batch = read_path(folder)
    if batch.problems:
        raise DocumentError("; ".join(f"{p.source}: {p.reason}" for p in batch.problems))
    return batch.documents


def _read_file(file: Path) -> Iterator[Document | Problem]:
    kind = SUFFIXES.get(file.suffix.lower())
    if kind is None:
        yield Problem(str(file), f"unsupported file type {file.suffix or '(none)'!r}")
        return
    try:
        raw = file.read_bytes()
        if not raw.strip():
            raise DocumentError("empty file")
        if b"\x00" in raw:
            raise DocumentError("binary file, not text")
        try:
            source = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DocumentError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
        if kind == "markdown":
            yield _checked(parse_markdown(source, default_id=file.stem))
        elif kind == "html":
            yield _checked(parse_html(source, default_id=file.stem))
        else:
            reader = parse_csv if kind == "csv" else parse_jsonl
            for where, entry in reader(source, default_id=file.stem):
                if isinstance(entry, DocumentError):
                    yield Problem(f"{file}:{where}", str(entry))
                else:
                    yield _checked_or_problem(entry, f"{file}:{where}")
    except DocumentError as error:
        yield Problem(str(file), str(error))


def _checked_or_problem(document: Document, source: str) -> Document | Problem:
    try:
        return _checked(document)
    except DocumentError as error:
        return Problem(source, str(error))


def _checked(document: Document) -> Document:
    """A language the agent serves, and one the text is really written in."""
    if not document.text.strip():
        raise DocumentError("document has no text")
    written = detect_language(document.text)
    lang = document.lang.lower().replace("_", "-").split("-")[0] or written  # zh-CN -> zh
    if lang not in LANGUAGES:
        raise DocumentError(f"language {lang!r} is not served (serving {', '.join(LANGUAGES)})")
    if written != lang and (written != "en" or lang == "zh"):
        raise DocumentError(f"declared {lang!r} but the text is written in {written!r}")
    if document.lang != lang:
        return Document(
            document.id, document.title, document.text, lang, document.url, document.tags
        )
    return document


def parse_markdown(source: str, *, default_id: str) -> Document:
    meta: dict[str, str] = {}
    body = source.replace("\r\n", "\n")
    if body.startswith("---\n"):
        header, sep, body = body[4:].partition("\n---\n")
        if not sep:
            raise DocumentError("front matter is not closed with ---")
        for line in header.splitlines():
            key, colon, value = line.partition(":")
            if colon:
                meta[key.strip()] = value.strip().strip("'\"")
    body = body.strip()
    if not body:
        raise DocumentError("document has no text")
    return Document(
        id=meta.get("id") or default_id,
        title=meta.get("title") or _first_heading(body) or default_id,
        text=body,
        lang=meta.get("lang", ""),
        url=meta.get("url", ""),
        tags=_tags(meta.get("tags", "")),
    )


def parse_html(source: str, *, default_id: str) -> Document:
    page = _Page()
    page.feed(source)
    page.close()
    text = page.text()
    if not text:
        raise DocumentError("HTML page has no readable text")
    meta = page.meta
    return Document(
        id=meta.get("id") or default_id,
        title=page.title or meta.get("title") or default_id,
        text=text,
        lang=(meta.get("lang") or page.lang).split("-")[0],
        url=meta.get("url") or page.canonical,
        tags=_tags(meta.get("tags", "")),
    )


def parse_csv(source: str, *, default_id: str) -> Iterator[tuple[str, Document | DocumentError]]:
    """An FAQ: one document per row; `question` and `answer` columns are required, `id`,
    `lang`, `url` and `tags` optional."""
    reader = csv.DictReader(io.StringIO(source))
    columns = {c.strip().lower() for c in reader.fieldnames or ()}
    missing = [c for c in ("question", "answer") if c not in columns]
    if missing:
        raise DocumentError(f"CSV lacks the column(s) {', '.join(missing)}")
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        where = f"row {number}"
        if not row.get("question") or not row.get("answer"):
            yield where, DocumentError("row has an empty question or answer")
            continue
        yield (
            where,
            Document(
                id=row.get("id") or f"{default_id}-{number - 1}",
                title=row["question"],
                text=row["answer"],
                lang=row.get("lang", ""),
                url=row.get("url", ""),
                tags=_tags(row.get("tags", "")),
            ),
        )


def parse_jsonl(source: str, *, default_id: str) -> Iterator[tuple[str, Document | DocumentError]]:
    """One JSON object a line: `id` and `text` required; `title`, `lang`, `url`, `tags`
    optional; other fields are ignored."""
    for number, line in enumerate(source.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record: Any = json.loads(line)
        except json.JSONDecodeError as error:
            yield where, DocumentError(f"not JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            yield where, DocumentError("not a JSON object")
            continue
        doc_id, text = record.get("id"), record.get("text")
        if not isinstance(doc_id, str | int) or not str(doc_id).strip():
            yield where, DocumentError("no id")
            continue
        if not isinstance(text, str) or not text.strip():
            yield where, DocumentError("no text")
            continue
        tags = record.get("tags", ())
        yield (
            where,
            Document(
                id=str(doc_id).strip(),
                title=str(record.get("title") or doc_id),
                text=text.strip(),
                lang=str(record.get("lang") or ""),
                url=str(record.get("url") or ""),
                tags=_tags(tags) if isinstance(tags, str) else tuple(str(t) for t in tags),
            ),
        )


def _tags(value: str) -> tuple[str, ...]:
    return tuple(t.strip().strip("'\"") for t in value.strip("[]").split(",") if t.strip())


def _first_heading(body: str) -> str:
    first = body.lstrip().split("\n", 1)[0]
    return first.lstrip("#").strip() if first.startswith("#") else ""


class _Page(HTMLParser):
    """The readable text of a page, one line per block, without scripts, styles or navigation."""

    _SKIP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template"})
    _BLOCK = frozenset({"p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.lang = ""
        self.canonical = ""
        self.title = ""
        self._in_title = False
        self._skipping = 0
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "meta" and values.get("name"):
            self.meta[values["name"].lower()] = values.get("content", "")
        elif tag == "link" and values.get("rel") == "canonical":
            self.canonical = values.get("href", "")
        elif tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCK:
            self._parts.append("\n\n" if tag == "p" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self._parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._skipping:
            self._parts.append(data)

    def text(self) -> str:
        paragraphs = "".join(self._parts).split("\n\n")
        lines = (" ".join(" ".join(p.split("\n")).split()) for p in paragraphs)
        return "\n\n".join(line for line in lines if line)
