"""A circuit breaker for the LLM endpoint: after repeated failures, stop calling it for a while
(the customer gets the extractive answer at once instead of waiting for a timeout), then let
one call through to see whether it is back.

A failure that belongs to one request (the endpoint refused that request: too long, malformed)
says nothing about the endpoint, so it never counts: one customer's over-long messages must
not open the breaker for everyone."""

from __future__ import annotations

import time
from collections.abc import Callable

# LlmError reasons that are one request's own failure: bad request, too large, unprocessable
# (a prompt past the model's context window comes back as one of these).
REQUEST_FAILURES = frozenset({"http_400", "http_413", "http_422"})


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

    def failed(self, reason: str = "") -> None:
        """An endpoint failure counts towards opening; a request's own failure does not."""
        if reason in REQUEST_FAILURES:
            return
        self._failures += 1
        if self._failures >= self._threshold or self._opened_at is not None:
            self._opened_at = self._clock()
