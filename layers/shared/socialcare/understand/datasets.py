"""The data the understanding is trained and judged on: the Bitext CSV (English intents and entity
spans, read from outside the repository) and the JSON-lines files shipped in `data/` (Chinese
intents, out-of-scope messages, language, sentiment and personal-data sets)."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialcare.model import Entity

DATA = Path(__file__).parent / "data"
# Relative to the repository root (or wherever the command runs): shared/ sits beside the clone.
BITEXT_CSV = Path("../shared/data/bitext/train.csv")
SPLIT_SEED = "socialcare-2024"
HELDOUT_PERCENT = 20


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    spans: tuple[Entity, ...] = ()  # Bitext's annotation: its entity type, where it stands


def is_heldout(text: str) -> bool:
    """Whether a Bitext utterance belongs to our held-out part: a seeded hash of its text, so the
    split is the same on every machine and identical utterances never straddle it."""
    digest = hashlib.blake2b(f"{SPLIT_SEED}:{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 100 < HELDOUT_PERCENT


def bitext(path: Path = BITEXT_CSV) -> list[Example]:
    """Every row of a Bitext CSV, with its entity span (offsets clipped to the text)."""
    out = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["instruction"]
            spans: tuple[Entity, ...] = ()
            if row.get("entity_type") and row.get("start_offset") and row.get("end_offset"):
                start, end = int(row["start_offset"]), min(int(row["end_offset"]), len(text))
                if start < end:
                    spans = (Entity(row["entity_type"], text[start:end], start, end),)
            out.append(Example(text, row["intent"], spans))
    return out


def bitext_part(examples: list[Example], heldout: bool) -> list[Example]:
    return [e for e in examples if is_heldout(e.text) == heldout]


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def labelled(path: Path, default_intent: str = "") -> list[Example]:
    """{"text", "intent"} lines; lines without an intent get `default_intent`."""
    return [Example(row["text"], row.get("intent", default_intent)) for row in jsonl(path)]
