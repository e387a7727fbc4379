"""Resuming an interrupted evaluation: each message's outcome is appended to a JSON-lines file
as soon as it is known; a rerun with the same file skips what is there."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from pathlib import Path

from socialcare.evaluation.harness import Outcome

Key = tuple[str, int, str]  # generator, row, hash of the message


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


class Checkpoint:
    def __init__(self, path: Path | None) -> None:
        self._path = path

    def done(self) -> dict[Key, Outcome]:
        """The outcomes already recorded; a line cut short by the interruption is dropped."""
        if self._path is None or not self._path.is_file():
            return {}
        names = {f.name for f in fields(Outcome)}
        found, kept = {}, []
        for line in self._path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # the line being written when the run stopped
            if isinstance(record, dict) and set(record) == names:
                outcome = Outcome(**record)
                found[(outcome.generator, outcome.row, outcome.text_hash)] = outcome
                kept.append(line + "\n")
        # Without the torn line, so that what is appended next starts a line of its own.
        self._path.write_text("".join(kept), encoding="utf-8")
        return found

    def append(self, outcome: Outcome) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(outcome), ensure_ascii=False) + "\n")
