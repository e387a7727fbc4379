"""The messages an evaluation runs on, with their reference answers: a Bitext CSV (columns
`instruction`, `intent`, `response`; only our held-out rows) or JSON lines
`{"text", "reference", "intent"}`. Bad files are refused with the row, column or byte offset."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from socialcare.understand.datasets import is_heldout

BITEXT_COLUMNS = ("instruction", "intent", "response")
JSONL_KEYS = ("text", "reference")


class DataError(ValueError):
    """The evaluation data cannot be used as it is; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Case:
    row: int  # the line of the file the message is on (CSV: its first line)
    text: str
    reference: str
    intent: str


def load(path: Path, *, heldout_only: bool = True) -> list[Case]:
    """Every usable row of the file: a Bitext CSV's held-out rows (all of them with
    heldout_only=False), or every JSON line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"{path}: not UTF-8 at byte offset {error.start} (line {line}): "
            f"{raw[error.start : error.start + 4]!r}"
        ) from error
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        return _json_lines(path, text)
    return _bitext(path, text, heldout_only)


def sample(cases: list[Case], limit: int, seed: int) -> list[Case]:
    """`limit` cases drawn with `seed` (every case when limit is 0), in file order."""
    if not limit or limit >= len(cases):
        return cases
    drawn = random.Random(seed).sample(cases, limit)  # noqa: S311 (repeatable, not secret)
    return sorted(drawn, key=lambda c: c.row)


def _bitext(path: Path, text: str, heldout_only: bool) -> list[Case]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in BITEXT_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)} in the header "
            f"(a Bitext CSV needs {', '.join(BITEXT_COLUMNS)}; found: "
            f"{', '.join(reader.fieldnames or ()) or 'nothing'})"
        )
    cases = []
    line = reader.line_num + 1
    for record in reader:
        for column in BITEXT_COLUMNS:
            if not (record.get(column) or "").strip():
                raise DataError(f"{path}: row at line {line}: empty column {column!r}")
        message = record["instruction"]
        if not heldout_only or is_heldout(message):
            cases.append(_case(line, message, record["response"], record["intent"]))
        line = reader.line_num + 1
    return cases


def _json_lines(path: Path, text: str) -> list[Case]:
    cases = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}: line {number}: not JSON ({error.msg})") from error
        if not isinstance(record, dict):
            raise DataError(f"{path}: line {number}: not a JSON object")
        for key in JSONL_KEYS:
            value = record.get(key)
            if not isinstance(value, str) or not value.strip():
                what = "missing" if value is None else "empty or not text"
                raise DataError(f'{path}: line {number}: "{key}" is {what}')
        cases.append(_case(number, record["text"], record["reference"], record.get("intent", "")))
    return cases


def _case(row: int, text: str, reference: str, intent: object) -> Case:
    return Case(row, text, reference, str(intent or ""))
