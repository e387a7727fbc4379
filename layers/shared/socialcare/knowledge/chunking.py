"""Long documents cut into overlapping chunks: whole paragraphs where they fit, sentences where
a paragraph is too long, each chunk repeating the tail of the one before, so that an answer
that straddles a cut is still found whole in one chunk."""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialcare.knowledge.documents import Document

MAX_UNITS = 160  # about 250 model tokens: well inside e5's 512, small enough to cite precisely
OVERLAP_UNITS = 30

_UNIT = re.compile(r"[A-Za-z0-9]+|[\u3400-\u9fff]{1,2}")
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")


@dataclass(frozen=True, slots=True)
class Chunk:
    document: Document
    n: int  # position in the document, from 0
    text: str

    @property
    def id(self) -> str:
        return f"{self.document.key}#{self.n}"


def units(text: str) -> int:
    """A size close to the model's tokens: a word, or two Chinese characters, is one unit."""
    return len(_UNIT.findall(text))


def chunk(
    document: Document, max_units: int = MAX_UNITS, overlap: int = OVERLAP_UNITS
) -> list[Chunk]:
    pieces = [
        p for para in re.split(r"\n\s*\n", document.text) for p in _fit(para.strip(), max_units)
    ]
    chunks: list[list[str]] = [[]]
    for piece in pieces:
        current = chunks[-1]
        if current and units("\n\n".join([*current, piece])) > max_units:
            chunks.append([*_tail(current, overlap), piece])
        else:
            current.append(piece)
    return [Chunk(document, n, "\n\n".join(c)) for n, c in enumerate(chunks) if c]


def _fit(paragraph: str, max_units: int) -> list[str]:
    """A paragraph that fits, or its sentences (a sentence too long is cut by words)."""
    if not paragraph:
        return []
    if units(paragraph) <= max_units:
        return [paragraph]
    out: list[str] = []
    for sentence in (s for s in _SENTENCE.split(paragraph) if s.strip()):
        if units(sentence) <= max_units:
            out.append(sentence)
        else:
            words = sentence.split()
            step = max(1, max_units // 2) if len(words) > 1 else 0
            if step:
                out.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
            else:
                out.extend(sentence[i : i + max_units] for i in range(0, len(sentence), max_units))
    return out


def _tail(pieces: list[str], overlap: int) -> list[str]:
    """The last pieces of a chunk, as many as fit in `overlap` units (at least nothing)."""
    kept: list[str] = []
    for piece in reversed(pieces):
        if units("\n\n".join([piece, *kept])) > overlap:
            break
        kept.insert(0, piece)
    return kept
