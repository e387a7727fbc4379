"""The figures of one generator's outcomes: quality against the references (on the reply the
customer would get, and on the generator's raw output before the guards), the pipeline's own
judgements, speed, tokens and cost."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Any

from socialcare.evaluation import text_metrics
from socialcare.evaluation.cost import Usage, per_thousand
from socialcare.evaluation.dataset import Case
from socialcare.evaluation.harness import Outcome

# The figures `make eval` guards, each read from a generator's summary: (section, name).
QUALITY = (
    ("reply", "bleu"),
    ("reply", "chrf"),
    ("reply", "rouge1"),
    ("reply", "rouge2"),
    ("reply", "rougeL"),
    ("reply", "meteor"),
    ("pipeline", "intent_accuracy"),
    ("pipeline", "retrieval_hit_rate"),
    ("pipeline", "groundedness"),
    ("pipeline", "language_match"),
)


def summarise(
    outcomes: Sequence[Outcome], cases: Sequence[Case], prices: dict[str, Any]
) -> dict[str, Any]:
    references = {case.row: case.reference for case in cases}
    refs = [references[o.row] for o in outcomes]
    langs = [o.lang for o in outcomes]
    ms = sorted(o.ms for o in outcomes)
    n = len(outcomes)
    usage = Usage(
        worker_s=statistics.fmean(ms) / 1000 if ms else 0.0,
        llm_s=_mean(o.llm_ms for o in outcomes) / 1000,
        prompt_tokens=_mean(o.prompt_tokens for o in outcomes),
        completion_tokens=_mean(o.completion_tokens for o in outcomes),
    )
    replies, raws = [o.reply for o in outcomes], [o.raw for o in outcomes]
    reply = text_metrics.score(replies, refs, langs)
    return {
        "messages": n,
        "reply": reply.as_dict(),
        "raw": (reply if raws == replies else text_metrics.score(raws, refs, langs)).as_dict(),
        "pipeline": {
            "intent_accuracy": _share(o.predicted_intent == o.intent for o in outcomes if o.intent),
            "retrieval_hit_rate": _share(
                o.retrieval_hit for o in outcomes if o.retrieval_hit is not None
            ),
            "citation_hit_rate": _share(
                o.citation_hit for o in outcomes if o.citation_hit is not None
            ),
            "groundedness": _share(
                o.reply_grounded for o in outcomes if o.reply_grounded is not None
            ),
            "raw_groundedness": _share(
                o.raw_grounded for o in outcomes if o.raw_grounded is not None
            ),
            "language_match": _share(o.reply_language_ok for o in outcomes),
            "raw_language_match": _share(o.raw_language_ok for o in outcomes),
            "handoff_rate": _share(o.action == "handoff" for o in outcomes),
            "answered_by": dict(sorted(Counter(o.source for o in outcomes).items())),
        },
        "latency_ms": {
            "p50": _percentile(ms, 50),
            "p95": _percentile(ms, 95),
            "p99": _percentile(ms, 99),
            "mean": round(usage.worker_s * 1000, 3),
        },
        "tokens_per_reply": round(_mean(o.reply_tokens for o in outcomes), 1),
        "llm_tokens_per_message": {
            "prompt": round(usage.prompt_tokens, 1),
            "completion": round(usage.completion_tokens, 1),
        },
        "cost_per_1000_conversations_usd": per_thousand(usage, prices),
    }


def figure(summary: dict[str, Any], section: str, name: str) -> float | None:
    value = summary.get(section, {}).get(name)
    return float(value) if isinstance(value, int | float) else None


def _share(values: Any) -> float | None:
    taken = [bool(v) for v in values]
    return round(sum(taken) / len(taken), 4) if taken else None


def _mean(values: Any) -> float:
    taken = list(values)
    return float(statistics.fmean(taken)) if taken else 0.0


def _percentile(ordered: list[float], q: int) -> float | None:
    """Nearest-rank percentile."""
    if not ordered:
        return None
    rank = max(1, -(-q * len(ordered) // 100))
    return round(ordered[rank - 1], 3)
