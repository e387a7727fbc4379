"""Running a call under a wall-clock limit that even a runaway regular expression obeys: the
regex engine checks for signals, so SIGALRM interrupts a catastrophic match. An alarm already
set (pytest-timeout's) is put back afterwards with the time it has left."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType
from typing import TypeVar

T = TypeVar("T")


class TooSlow(Exception):
    """The call was still running when its time ran out."""


def within(seconds: float, call: Callable[[], T]) -> tuple[T, float]:
    """`call()`'s result and the seconds it took; TooSlow once `seconds` have passed."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)  # pytest-timeout's alarm, if any
    started = time.perf_counter()
    try:
        result = call()
    finally:
        took = time.perf_counter() - started
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # give the outer alarm back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - took, 0.001))
    return result, took
