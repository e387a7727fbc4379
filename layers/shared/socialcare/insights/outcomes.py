"""Outcomes a brand can trust, recounted from the stored conversations: per channel and
language, the share of conversations resolved by the bot alone, handed to a person, reopened
within 7 days of a resolution, and the satisfaction score (the one-tap question: 5, 3 or 1).

The same marks (dialogue.satisfaction's slots, the handoff count) drive the embedded metrics the
worker emits as they happen, so the dashboard, the console and `socialcare report outcomes`
count the same things.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from socialcare.dialogue.satisfaction import REOPENED_SLOT, RESOLVED_BY_SLOT, SCORE_SLOT
from socialcare.model import Conversation


@dataclass(frozen=True, slots=True)
class ConversationOutcome:
    channel: str
    language: str
    resolved_by_bot: bool
    handed_to_person: bool
    reopened: bool
    score: int  # 0: no satisfaction answer


def outcome(conversation: Conversation) -> ConversationOutcome:
    score = conversation.slot(SCORE_SLOT)
    return ConversationOutcome(
        conversation.channel.value,
        conversation.language or "unknown",
        conversation.slot(RESOLVED_BY_SLOT) == "bot",
        conversation.handoffs > 0,
        conversation.slot(REOPENED_SLOT) == "1",
        int(score) if score.isdigit() else 0,
    )


def outcome_figures(conversations: Iterable[Conversation], since: float = 0.0) -> dict[str, Any]:
    """The figures over the conversations the customer wrote in since `since` (epoch seconds):
    overall, and per "channel/language"."""
    groups: dict[str, list[ConversationOutcome]] = defaultdict(list)
    for conversation in conversations:
        if conversation.customer_last_wrote and conversation.customer_last_wrote >= since:
            found = outcome(conversation)
            groups[f"{found.channel}/{found.language}"].append(found)
    every = [o for group in groups.values() for o in group]
    return {
        "all": _figures(every),
        "by_channel_language": {key: _figures(groups[key]) for key in sorted(groups)},
    }


def counted_figures(counts: Mapping[str, int]) -> dict[str, Any]:
    """The same figures from the hourly counters the worker adds to as the marks happen
    (insights.metrics.counter_names: "outcome:<mark>:<channel>/<language>", "csat:<score>:..."),
    so the console needs no scan of the conversations."""
    marks: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[int]] = defaultdict(list)
    for name, n in counts.items():
        kind, _, rest = name.partition(":")
        what, _, key = rest.partition(":")
        if kind == "outcome" and key:
            marks[key][what] += n
        elif kind == "csat" and key and what.isdigit():
            scores[key].extend([int(what)] * n)
    groups = {
        key: _shares(
            marks[key]["started"],
            (marks[key]["resolved_by_bot"], marks[key]["handed_to_person"], marks[key]["reopened"]),
            scores[key],
        )
        for key in sorted(set(marks) | set(scores))
    }
    every = Counter[str]()
    for counted in marks.values():
        every.update(counted)
    all_scores = [s for key in sorted(scores) for s in scores[key]]
    return {
        "all": _shares(
            every["started"],
            (every["resolved_by_bot"], every["handed_to_person"], every["reopened"]),
            all_scores,
        ),
        "by_channel_language": groups,
    }


def _figures(outcomes: list[ConversationOutcome]) -> dict[str, Any]:
    return _shares(
        len(outcomes),
        (
            sum(o.resolved_by_bot for o in outcomes),
            sum(o.handed_to_person for o in outcomes),
            sum(o.reopened for o in outcomes),
        ),
        [o.score for o in outcomes if o.score],
    )


def _shares(total: int, marked: tuple[int, int, int], scores: list[int]) -> dict[str, Any]:
    """Resolved by the bot, handed to a person and reopened as shares of `total` conversations."""

    def share(count: int) -> float:
        return round(count / total, 4) if total else 0.0

    by_bot, to_person, reopened = marked
    return {
        "conversations": total,
        "resolved_by_bot": share(by_bot),
        "handed_to_person": share(to_person),
        "reopened_7d": share(reopened),
        "csat": round(sum(scores) / len(scores), 2) if scores else None,
        "csat_answers": len(scores),
    }


def marked(
    conversation: Conversation, handed_off: bool, slots: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, ...], int]:
    """The outcomes one turn marks on the conversation as stored before it (with the customer's
    turn), and the satisfaction score it gave (0: none): what the worker emits as metrics."""
    given = dict(slots)
    found = []
    if sum(t.role == "customer" for t in conversation.turns) == 1:
        found.append("started")
    if given.get(RESOLVED_BY_SLOT) == "bot":
        found.append("resolved_by_bot")
    if handed_off and conversation.handoffs == 0:
        found.append("handed_to_person")
    if given.get(REOPENED_SLOT) == "1":
        found.append("reopened")
    score = given.get(SCORE_SLOT, "")
    return tuple(found), int(score) if score.isdigit() else 0
