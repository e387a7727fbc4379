"""The console's insights without reading the conversations: volume by channel and intent,
sentiment over time and the escalation rate from the hourly counts the worker adds to for each
message (insights.metrics.counter_names), and first-response times from the conversations
agents own now (the agents' queue). A request costs a few small queries however many
conversations the table holds."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from socialcare.insights.outcomes import counted_figures
from socialcare.model import Conversation


class HourlyCounts(Protocol):
    def hourly(self, since: float) -> list[tuple[int, dict[str, int]]]:
        """(hour start, counts) of every hour from `since`."""


BUCKET_S = 3600  # sentiment over time, per hour
WINDOW_S = 7 * 24 * 3600  # the insights cover the last week
SENTIMENTS = ("negative", "neutral", "positive")


def insights(
    hours: Iterable[tuple[int, Mapping[str, int]]],
    with_agents: Iterable[Conversation],
    now: float | None = None,
) -> dict[str, Any]:
    """`hours`: (hour start, counts) pairs; `with_agents`: conversations owned by a person."""
    total: Counter[str] = Counter()
    sentiment = []
    for at, counts in sorted(hours):
        total.update(counts)
        sentiment.append({"at": at, **{s: counts.get(f"sentiment:{s}", 0) for s in SENTIMENTS}})
    messages, handoffs = total["messages"], total["handoffs"]
    human_first = [
        c.first_human_reply_at - c.handed_off_at
        for c in with_agents
        if c.first_human_reply_at and c.handed_off_at
    ]
    escalation = round(handoffs / messages, 4) if messages else 0.0
    return {
        "generated_at": time.time() if now is None else now,
        "messages": messages,
        "volume_by_channel": _by(total, "channel:"),
        "volume_by_intent": _by(total, "intent:"),
        "sentiment_over_time": sentiment,
        "containment_rate": round(1 - escalation, 4) if messages else 0.0,
        "escalation_rate": escalation,
        "outcomes": counted_figures(total),
        "first_response_s": {
            "human_median": _median(human_first),
            "human": sorted(round(s, 1) for s in human_first),
        },
    }


def _by(total: Counter[str], prefix: str) -> dict[str, int]:
    return {k.removeprefix(prefix): n for k, n in total.most_common() if k.startswith(prefix)}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
