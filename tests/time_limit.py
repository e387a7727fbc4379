"""Running a call under a wall-clock limit that even a runaway regular expression obeys: the
regex engine checks for signals, so SIGALRM interrupts a catastrophic match."""

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
    signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.perf_counter()
    try:
        result = call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return result, time.perf_counter() - started
