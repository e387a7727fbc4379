"""The console's insights, computed from the stored conversations: volume by channel and intent,
sentiment over time, containment and escalation rates, and first-response times."""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from socialcare.model import Conversation

BUCKET_S = 3600  # sentiment over time, per hour


def insights(conversations: Iterable[Conversation]) -> dict[str, Any]:
    by_channel: Counter[str] = Counter()
    by_intent: Counter[str] = Counter()
    sentiment: dict[int, Counter[str]] = defaultdict(Counter)
    total = handed_off = 0
    bot_first: list[float] = []
    human_first: list[float] = []
    for conversation in conversations:
        customer = [t for t in conversation.turns if t.role == "customer"]
        if not customer:
            continue
        total += 1
        handed_off += conversation.handoffs > 0
        for turn in customer:
            by_channel[conversation.channel.value] += 1
            by_intent[turn.intent or "other"] += 1
            bucket = int(turn.at // BUCKET_S * BUCKET_S)
            sentiment[bucket][turn.sentiment or "neutral"] += 1
        first_reply = next((t for t in conversation.turns if t.role == "agent"), None)
        if first_reply is not None and first_reply.source != "human":
            bot_first.append(max(0.0, first_reply.at - customer[0].at))
        if conversation.first_human_reply_at and conversation.handed_off_at:
            human_first.append(conversation.first_human_reply_at - conversation.handed_off_at)
    return {
        "generated_at": time.time(),
        "conversations": total,
        "volume_by_channel": dict(by_channel.most_common()),
        "volume_by_intent": dict(by_intent.most_common()),
        "sentiment_over_time": [
            {"at": at, **{label: counts[label] for label in ("negative", "neutral", "positive")}}
            for at, counts in sorted(sentiment.items())
        ],
        "containment_rate": round((total - handed_off) / total, 4) if total else 0.0,
        "escalation_rate": round(handed_off / total, 4) if total else 0.0,
        "first_response_s": {
            "bot_median": _median(bot_first),
            "human_median": _median(human_first),
            "human": sorted(round(s, 1) for s in human_first),
        },
    }


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
