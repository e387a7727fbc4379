"""A circuit breaker for the LLM endpoint: after repeated failures, stop calling it for a while
(the customer gets the extractive answer at once instead of waiting for a timeout), then let
one call through to see whether it is back."""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(
        self,
        failures_to_open: int = 3,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failures_to_open
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    def allows_call(self) -> bool:
        """Closed: yes. Open: no. After the cooldown (half-open): a trial call, whose outcome
        closes the breaker or opens it for another cooldown."""
        return self._opened_at is None or self._clock() - self._opened_at >= self._cooldown_s

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None

    def failed(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold or self._opened_at is not None:
            self._opened_at = self._clock()
