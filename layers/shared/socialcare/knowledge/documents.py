"""Help-centre documents: Markdown files with a small front matter block."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HELPCENTRE = Path(__file__).parent / "helpcentre"


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    title: str
    text: str
    lang: str
    url: str = ""
    tags: tuple[str, ...] = field(default=())


class DocumentError(ValueError):
    """A document that cannot be read, with the reason."""


def parse_markdown(source: str, *, default_id: str) -> Document:
    meta: dict[str, str] = {}
    body = source
    if source.startswith("---\n"):
        header, sep, body = source[4:].partition("\n---\n")
        if not sep:
            raise DocumentError("front matter is not closed with ---")
        for line in header.splitlines():
            key, colon, value = line.partition(":")
            if colon:
                meta[key.strip()] = value.strip().strip("'\"")
    body = body.strip()
    if not body:
        raise DocumentError("document has no text")
    tags = tuple(t.strip() for t in meta.get("tags", "").strip("[]").split(",") if t.strip())
    return Document(
        id=meta.get("id") or default_id,
        title=meta.get("title") or default_id,
        text=body,
        lang=meta.get("lang", ""),
        url=meta.get("url", ""),
        tags=tags,
    )


def load_folder(folder: Path) -> list[Document]:
    return [
        parse_markdown(path.read_text(encoding="utf-8"), default_id=path.stem)
        for path in sorted(folder.rglob("*.md"))
    ]
