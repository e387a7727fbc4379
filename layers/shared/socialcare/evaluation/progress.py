"""Progress of a long run on stderr: done, rate and time left, on one rewritten line."""

from __future__ import annotations

import sys
import time
from typing import TextIO

EVERY_S = 0.5  # the line is rewritten at most this often


class Progress:
    def __init__(self, total: int, what: str, stream: TextIO | None = None) -> None:
        self._total = total
        self._what = what
        self._stream = stream or sys.stderr
        self._started = time.monotonic()
        self._done = 0
        self._shown = 0.0

    def step(self, label: str = "") -> None:
        self._done += 1
        now = time.monotonic()
        if now - self._shown < EVERY_S and self._done < self._total:
            return
        self._shown = now
        elapsed = now - self._started
        rate = self._done / elapsed if elapsed > 0 else 0.0
        left = (self._total - self._done) / rate if rate else 0.0
        print(
            f"\r{label}{self._done}/{self._total} {self._what}, {rate:.1f}/s, "
            f"about {left:.0f} s left ",
            end="",
            file=self._stream,
            flush=True,
        )
        if self._done == self._total:
            print(file=self._stream, flush=True)
