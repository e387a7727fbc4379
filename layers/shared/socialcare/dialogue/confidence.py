"""Answer, ask which, or say honestly that the help centre does not cover it: how sure the agent
is that its best article answers the message.

The signals: the fused score of the best article, the margin to the next article, how close
the message's e5 vector (the search's own, one per message) is to any topic of the help centre,
and whether the intent model names the best article. A wrong answer costs more than a question
or an honest "I don't know", so the thresholds sit where the development set's wrong answers
stop (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from socialcare.dialogue.policy import ORDER_INTENTS
from socialcare.knowledge.port import Passage, Probe
from socialcare.knowledge.topics import SHIPPED_ARTICLE, Reading


class Choice(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"  # two close candidates: ask which one
    DECLINE = "decline"  # not covered: say so and offer a person


@dataclass(frozen=True, slots=True)
class Thresholds:
    answer: float = 0.6  # confidence from which the best article is sent
    agree_bonus: float = 0.1  # added when the intent model names the best article
    topic_bonus: float = 0.1  # added when the topic model (the e5 vector) is sure of it too
    sure_topic: float = 0.95  # the topic model's probability that counts as sure
    in_domain: float = 0.9  # cosine to the nearest topic anchor below which nothing is answered
    candidate: float = 0.45  # an article scoring below this is not offered as a choice
    margin: float = 0.05  # the second article this close to the best: offered beside it
    vague_answer: float = 0.75  # a vague statement ("账号的事") is answered only from here
    unsure_intent: float = 0.5  # the intent model below this (or "other") defers to the topic
    sure_order_topic: float = 0.9  # ... when the topic model is this sure of an order topic
    order_in_domain: float = 0.88  # ... and the message this close to a topic anchor
    # The labelled examples' reading (knowledge/examples.py, centred cosines): when its nearest
    # article is the search's best, at least this close and this far ahead of the next
    # article, the two agree: answer.
    example_near: float = 0.4
    example_margin: float = 0.08
    # The search's candidates are ranked by their fused score + this x the examples' cosine.
    example_weight: float = 0.2


THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Verdict:
    choice: Choice
    passages: tuple[Passage, ...]  # the answer (one), or the candidates to choose from
    confidence: float


def confidence(
    probe: Probe,
    intent: str = "",
    thresholds: Thresholds = THRESHOLDS,
    articles: Mapping[str, str] = SHIPPED_ARTICLE,
) -> float:
    """How sure the best article answers the message: its fused score (the search already
    widens the query by the topic the e5 vector names), raised when the intent model names the
    same article; 0 for a message far from every topic the help centre is about (the e5
    vector's cosine to the nearest topic anchor). The topic model reads that same vector: when
    it is sure the message is about the best article's topic, that raises it too (for a
    language the intent model does not read, the only agreement there is)."""
    probe = reranked(probe, thresholds)
    if not probe.passages:
        return 0.0
    if (
        probe.reading is not None
        and probe.reading.nearest < thresholds.in_domain
        and not _examples_name(probe, thresholds.example_near)
    ):
        return 0.0
    best = probe.passages[0]
    sure = best.score + (thresholds.agree_bonus if articles.get(intent) == best.id else 0.0)
    reading = probe.reading
    if (
        reading is not None
        and articles.get(reading.topic) == best.id
        and reading.probability >= thresholds.sure_topic
    ):
        sure += thresholds.topic_bonus
    return sure


def weigh(
    probe: Probe,
    intent: str = "",
    thresholds: Thresholds = THRESHOLDS,
    articles: Mapping[str, str] = SHIPPED_ARTICLE,
    *,
    vague: bool = False,
    asks: bool = True,
) -> Verdict:
    """Answer when sure; else offer the two best articles when both are plausible and close;
    else ask what they mean (`vague`: a few words with no question word) or decline. A vague
    statement that does not even ask (`asks`: a question mark) needs more to be answered."""
    probe = reranked(probe, thresholds)
    sure = confidence(probe, intent, thresholds, articles)
    statement = vague and not asks
    needed = thresholds.vague_answer if statement else thresholds.answer
    if sure >= needed:
        return Verdict(Choice.ANSWER, (probe.passages[0],), sure)
    candidates = [p for p in probe.passages[:2] if p.score >= thresholds.candidate]
    close = len(candidates) == 2 and candidates[0].score - candidates[1].score < thresholds.margin
    # The labelled examples settle it when they clearly name the best article, or one of two
    # close ones; not for a vague statement, which they cannot read either.
    agreed = None if statement else _examples_pick(probe, candidates if close else (), thresholds)
    if agreed is not None:
        return Verdict(Choice.ANSWER, (agreed,), sure)
    if sure and close:
        return Verdict(Choice.CLARIFY, tuple(candidates), sure)
    if vague:
        return Verdict(Choice.CLARIFY, (), sure)
    return Verdict(Choice.DECLINE, (), sure)


def reranked(probe: Probe, thresholds: Thresholds = THRESHOLDS) -> Probe:
    """The search's candidates in the order of their fused score plus the weighted cosine of
    their article's nearest labelled example: the search and the examples each rank the right
    article first for about seven colloquial questions in ten, together for eight."""
    if probe.reading is None or not probe.reading.articles:
        return probe
    near = dict(probe.reading.articles)
    weight = thresholds.example_weight
    ranked = sorted(probe.passages, key=lambda p: -(p.score + weight * near.get(p.id, 0.0)))
    return Probe(ranked, probe.reading)


def _examples_pick(
    probe: Probe, candidates: Sequence[Passage], thresholds: Thresholds
) -> Passage | None:
    """The search's best article, or one of the close candidates, when the nearest labelled
    examples name it clearly: the message is close to a labelled phrasing of that article's
    question and closer to it than to any other article's (or, of two close candidates, than
    to the other's)."""
    nearest = _nearest_example(probe)
    if nearest is None:
        return None
    article, near, margin = nearest
    if near >= thresholds.example_near and margin >= thresholds.example_margin:
        named = next((p for p in (*probe.passages[:1], *candidates) if p.id == article), None)
        if named is not None:
            return named
    return _preferred(probe, candidates, thresholds) if len(candidates) == 2 else None


def _preferred(
    probe: Probe, candidates: Sequence[Passage], thresholds: Thresholds
) -> Passage | None:
    """Of two close candidates, the one the labelled examples clearly prefer."""
    cosine = dict(probe.reading.articles) if probe.reading else {}
    first, second = sorted(candidates, key=lambda p: -cosine.get(p.id, 0.0))
    near = cosine.get(first.id, 0.0)
    lead = near - cosine.get(second.id, 0.0)
    return first if near >= thresholds.example_near and lead >= thresholds.example_margin else None


def _nearest_example(probe: Probe) -> tuple[str, float, float] | None:
    """The labelled examples' first article, its cosine and its lead over the second's."""
    reading = probe.reading
    if not probe.passages or reading is None or len(reading.articles) < 2:
        return None
    (article, near), (_, second) = reading.articles[:2]
    return article, near, near - second


def _examples_name(probe: Probe, near: float) -> bool:
    """Whether the nearest labelled examples' first article, at least this close, is the
    search's best."""
    nearest = _nearest_example(probe)
    return nearest is not None and nearest[0] == probe.passages[0].id and nearest[1] >= near


def read_intent(
    name: str, probability: float, reading: Reading | None, thresholds: Thresholds = THRESHOLDS
) -> tuple[str, float]:
    """The intent the dialogue acts on: the intent model's, unless it is unsure (or says
    "other") while the topic model, reading the message's e5 vector, is sure the message is
    about an order ("ordered 9 days ago and still nothing"): then the order is looked up."""
    unsure = name == "other" or probability < thresholds.unsure_intent
    if (
        unsure
        and reading is not None
        and reading.topic in ORDER_INTENTS
        and reading.probability >= thresholds.sure_order_topic
        and reading.nearest >= thresholds.order_in_domain
    ):
        return reading.topic, round(reading.probability, 4)
    return name, probability
