"""The metrics port: what the pipeline reports about each customer message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    channel: str
    intent: str
    sentiment: str
    action: str  # answer, ask, handoff, silent
    reason: str = ""  # the handoff's reason
    source: str = ""  # what answered: knowledge, fallback, order, greeting ...
    # Issue 19: the conversation outcomes this turn marked (insights.outcomes counts the same
    # marks in the tables): started, resolved_by_bot, handed_to_person, reopened.
    language: str = ""
    outcomes: tuple[str, ...] = ()
    csat: int = 0  # the satisfaction answer this turn gave (0: none)


class Metrics(Protocol):
    def record(self, outcome: TurnOutcome) -> None:
        """Count the turn per channel, intent, sentiment, handoff and containment."""


class NoMetrics:
    """For tools and tests that measure nothing."""

    def record(self, outcome: TurnOutcome) -> None:
        """Nothing to record."""


class AllMetrics:
    """Each turn recorded by every recorder (CloudWatch's metrics and the insights' counts)."""

    def __init__(self, *recorders: Metrics) -> None:
        self._recorders = recorders

    def record(self, outcome: TurnOutcome) -> None:
        for recorder in self._recorders:
            recorder.record(outcome)


def counter_names(outcome: TurnOutcome) -> list[str]:
    """The hourly counters one turn adds 1 to: the insights are sums of these."""
    names = [
        "messages",
        f"channel:{outcome.channel}",
        f"intent:{outcome.intent or 'other'}",
        f"sentiment:{outcome.sentiment or 'neutral'}",
    ]
    if outcome.action == "handoff":
        names.append("handoffs")
    # the conversation outcomes, per channel and language (insights.outcomes.counted_figures)
    key = f"{outcome.channel}/{outcome.language or 'unknown'}"
    names.extend(f"outcome:{name}:{key}" for name in outcome.outcomes)
    if outcome.csat:
        names.append(f"csat:{outcome.csat}:{key}")
    return names
