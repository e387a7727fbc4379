"""The decision on realistic messages: each one through the worker's pipeline (the embedded
knowledge base, no LLM), its outcome judged against the one it should get (tests/data/
decisions_*.jsonl, format in docs/decisions.md): right, wrong (an article that does not answer
it, or an answer where a person, a question or a close was needed, or a closer handed off) or
missed (a safe outcome, but not the expected one)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialcare.dialogue.confidence import THRESHOLDS, Thresholds, confidence
from socialcare.dialogue.scope import out_of_scope
from socialcare.evaluation.harness import MemoryConversations, NoSend
from socialcare.knowledge.port import ProbingRetriever
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import DialogueSettings, LastProbe, TurnHandler

OUTCOMES = ("answer", "order", "clarify", "handoff", "decline", "close")
_SOURCES = {
    "knowledge": "answer",
    "llm": "answer",
    "ask_slot": "order",
    "order": "order",
    "clarify": "clarify",
    "greeting": "clarify",
    "decline": "decline",
    "fallback": "decline",
    "close": "close",
}


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    lang: str
    text: str
    outcome: str
    reason: str = ""
    articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Judged:
    case: Case
    outcome: str  # what the agent did: one of OUTCOMES
    article: str  # the article it sent ("" none)
    reason: str  # the handoff reason ("" none)
    verdict: str  # right, wrong, missed
    confidence: float | None  # the decision's confidence (None: decided before the search)
    top_article: str  # the best article of the search ("" none)


def cases(path: Path) -> list[Case]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            articles = tuple(r.get("articles") or ())
            reason = r.get("reason") or ""
            out.append(Case(r["id"], r["lang"], r["text"], r["outcome"], reason, articles))
    return out


def run(retriever: ProbingRetriever, items: Iterable[Case]) -> list[Judged]:
    """Each case as a new conversation through the pipeline, judged."""
    recording = LastProbe(retriever)  # what the decision saw
    store = MemoryConversations()
    handler = TurnHandler(store, recording, lambda _channel: NoSend(), dialogue=DialogueSettings())
    judged = []
    for case in items:
        recording.forget()
        message = InboundMessage(
            Channel.TELEGRAM, case.id, case.id, "eval", "eval", Kind.TEXT, case.text
        )
        result = handler.handle(message)
        conversation = store.take(case.id)
        reply = result.reply
        handed_off = bool(conversation.handoff_reason)
        outcome = (
            "handoff" if handed_off else _SOURCES.get(reply.source if reply else "", "decline")
        )
        answered = outcome in ("answer", "order") and reply is not None and reply.citations
        article = reply.citations[0].id if answered and reply else ""
        probe = recording.last
        judged.append(
            Judged(
                case,
                outcome,
                article,
                conversation.handoff_reason,
                judge(case, outcome, article),
                None if probe is None else round(confidence(probe), 4),
                probe.passages[0].id if probe is not None and probe.passages else "",
            )
        )
    return judged


def judge(case: Case, outcome: str, article: str) -> str:
    """right, wrong or missed (see the module's docstring)."""
    if outcome == case.outcome and outcome != "answer":
        return "right"
    if outcome == "order" and case.outcome == "answer":  # the article, and an offer to check
        return "right" if article in case.articles else "missed"
    if outcome == "answer":
        acceptable = case.outcome in ("answer", "order") and article in case.articles
        return "right" if acceptable else "wrong"
    if case.outcome == "close" and outcome == "handoff":
        return "wrong"
    if case.outcome == "order" and outcome == "answer":
        return "wrong"
    return "missed"


def summary(judged: Sequence[Judged]) -> dict[str, Any]:
    """The figures: right / wrong / missed per language and per expected outcome, handoff recall
    on risk messages, the decline rate on out-of-scope ones, closers handed off."""
    by_lang: dict[str, Counter[str]] = defaultdict(Counter)
    by_outcome: dict[str, Counter[str]] = defaultdict(Counter)
    for j in judged:
        by_lang[j.case.lang][j.verdict] += 1
        by_outcome[j.case.outcome][j.verdict] += 1
    risk = [j for j in judged if j.case.outcome == "handoff"]
    declines = [j for j in judged if j.case.outcome == "decline"]
    closers = [j for j in judged if j.case.outcome == "close"]
    return {
        "messages": len(judged),
        "overall": _rates(Counter(j.verdict for j in judged)),
        "per_language": {k: _rates(v) for k, v in sorted(by_lang.items())},
        "per_outcome": {k: _rates(v) for k, v in sorted(by_outcome.items())},
        "handoff_recall": _share(j.outcome == "handoff" for j in risk),
        "out_of_scope_declined": _share(j.outcome == "decline" for j in declines),
        "out_of_scope_no_article": _share(j.outcome != "answer" for j in declines),
        "closers_handed_off": sum(j.outcome == "handoff" for j in closers),
        "confusion": [[k[0], k[1], n] for k, n in sorted(confusion(judged).items())],
    }


def confusion(judged: Sequence[Judged]) -> Counter[tuple[str, str]]:
    return Counter((j.case.outcome, j.outcome) for j in judged)


def curve(
    judged: Sequence[Judged], points: Sequence[float], base: Thresholds = THRESHOLDS
) -> list[dict[str, float]]:
    """Wrong-answer rate against answered rate over all messages, for each answer threshold:
    each message that reached the search is answered with its best article when its confidence
    reaches the threshold; an answer is wrong unless that article is an acceptable one."""
    out = []
    searched = [j for j in judged if _weighed(j)]
    for point in points:
        answered = [j for j in searched if j.confidence is not None and j.confidence >= point]
        wrong = [j for j in answered if j.top_article not in j.case.articles]
        out.append(
            {
                "threshold": point,
                "answered": round(len(answered) / max(len(judged), 1), 4),
                "wrong": round(len(wrong) / max(len(judged), 1), 4),
                "chosen": float(point == base.answer),
            }
        )
    return out


def _weighed(judged: Judged) -> bool:
    """Whether the answer threshold decided this message: it was searched, and neither handed
    off, closed nor declined as out of scope before."""
    return (
        judged.confidence is not None
        and judged.outcome not in ("handoff", "close")
        and not out_of_scope(judged.case.text)
    )


def _rates(counts: Counter[str]) -> dict[str, float]:
    total = sum(counts.values()) or 1
    out: dict[str, float] = {v: round(counts[v] / total, 4) for v in ("right", "wrong", "missed")}
    out["n"] = sum(counts.values())
    return out


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else 1.0


def plots(judged: Sequence[Judged], points: list[dict[str, float]], folder: Path) -> None:
    """decisions_confusion.png (expected against actual outcome) and decisions_curve.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = confusion(judged)
    grid = [[counts[(t, p)] for p in OUTCOMES] for t in OUTCOMES]
    figure, axes = plt.subplots(figsize=(7, 6))
    axes.imshow(grid, cmap="Blues")
    axes.set_xticks(range(len(OUTCOMES)), OUTCOMES, rotation=45)
    axes.set_yticks(range(len(OUTCOMES)), OUTCOMES)
    axes.set_xlabel("the agent's outcome")
    axes.set_ylabel("expected outcome")
    axes.set_title(f"Decisions on {len(judged)} messages")
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value:
                axes.text(j, i, str(value), ha="center", va="center", fontsize=9)
    figure.tight_layout()
    figure.savefig(folder / "decisions_confusion.png", dpi=100)
    plt.close(figure)
    figure, axes = plt.subplots(figsize=(7, 5))
    axes.plot([p["answered"] for p in points], [p["wrong"] for p in points], marker=".")
    for p in points:
        if p["chosen"]:
            axes.annotate(f"chosen: {p['threshold']:.2f}", (p["answered"], p["wrong"]))
    axes.set_xlabel("answered with an article (share of all messages)")
    axes.set_ylabel("wrong answers (share of all messages)")
    axes.set_title("Answer threshold: wrong-answer rate against answered rate (dev set)")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(folder / "decisions_curve.png", dpi=100)
    plt.close(figure)


def report(judged: Sequence[Judged]) -> list[dict[str, Any]]:
    """Every message with what the agent did, for reading the mistakes."""
    return [
        {
            "id": j.case.id,
            "expected": j.case.outcome,
            "outcome": j.outcome,
            "verdict": j.verdict,
            "article": j.article,
            "reason": j.reason,
            "confidence": j.confidence,
            "top_article": j.top_article,
        }
        for j in judged
    ]
