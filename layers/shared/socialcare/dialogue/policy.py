"""The dialogue policy: for each customer message, answer it, ask for a missing detail, hand the
conversation to a human, or stay silent because a human owns it. A pure function of what the
message says, what the conversation holds and what the guard thinks; the pipeline calls it
before composing a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.messages import is_closer
from socialcare.dialogue.scope import out_of_scope
from socialcare.model import Conversation, Entity, Kind, State, Turn
from socialcare.understand.risk import Risk, find_risk

# Intents that need an order number before they can be answered.
ORDER_INTENTS = frozenset(
    {"track_order", "cancel_order", "change_order", "get_refund", "track_refund"}
)
ASKS_FOR_HUMAN_INTENT = "contact_human_agent"
# Intents a person must handle, whatever the bot could say, when the intent model is this sure.
SENSITIVE_INTENTS = {
    "delete_account": HandoffReason.ACCOUNT_DELETION,
    ASKS_FOR_HUMAN_INTENT: HandoffReason.ASKED_FOR_HUMAN,
}
SENSITIVE_MIN_CONFIDENCE = 0.9
NEGATIVE_RUN = 2  # this many negative customer messages in a row: sustained
NEGATIVE_SCORE = -0.5
# An intent model this sure of an ordinary question is not overruled by the risk examples.
ORDINARY_SURE = 0.9
FAILURES = 2  # the same question failing this many times goes to a human
# Bot replies after which asking the same thing again means the reply did not help.
_ANSWERS = frozenset({"knowledge", "fallback"})
# Bot replies that did not answer: no answer found, a question back, "not something I can answer".
NOT_ANSWERED = frozenset({"fallback", "clarify", "decline"})
_URGENT_REASONS = frozenset(r.value for r in HandoffReason if r.urgent)
_BARE_ORDER_NUMBER = re.compile(r"^\W*([A-Za-z]{0,3}\d{3,20})\W*$")  # "#" and spaces are \W


class Action(StrEnum):
    ANSWER = "answer"
    ASK = "ask"  # ask for a detail the intent needs
    HANDOFF = "handoff"
    SILENT = "silent"  # a human owns the conversation: record, do not answer


@dataclass(frozen=True, slots=True)
class DecisionInput:
    conversation: Conversation  # as stored before this message (state, slots, earlier turns)
    customer: Turn  # this message as understood: intent, confidence, sentiment, entities
    kind: Kind = Kind.TEXT
    now: float = 0.0
    handback_after_s: float = 3600.0  # an agent silent this long hands the conversation back
    wants_human: bool = False  # the generation guard's verdict on this turn
    seen_risk: Risk | None = None  # the risk examples' reading of the message's e5 vector


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str = ""  # why a handoff: a HandoffReason (security, legal, asked_for_human ...)
    intent: str = ""  # the intent to answer (a pending one when this message gave its detail)
    order_number: str = ""  # the order the answer is about, given now or remembered
    handed_back: bool = False  # a timed-out or resolved conversation returns to the bot

    @property
    def urgent(self) -> bool:
        """A handoff the agents' queue puts first."""
        return self.action is Action.HANDOFF and self.reason in _URGENT_REASONS


def decide(given: DecisionInput) -> Decision:
    conversation, customer = given.conversation, given.customer
    handed_back = False
    if conversation.state in (State.HUMAN, State.PENDING_HUMAN):
        if not _timed_out(conversation, given.now, given.handback_after_s):
            return Decision(Action.SILENT)
        handed_back = True
    elif conversation.state is State.RESOLVED:
        handed_back = True
    if given.kind is not Kind.TEXT:
        return Decision(Action.ANSWER, handed_back=handed_back)
    reason = handoff_reason(conversation.turns, customer, given.wants_human, given.seen_risk)
    if reason:
        return Decision(Action.HANDOFF, reason, customer.intent, handed_back=handed_back)
    if is_closer(customer.text):
        return Decision(Action.ANSWER, handed_back=handed_back)
    intent = customer.intent
    number = order_number(customer)
    if conversation.pending_intent and number and intent not in ORDER_INTENTS:
        intent = conversation.pending_intent  # the answer to the question the bot asked
    if intent not in ORDER_INTENTS or out_of_scope(customer.text):
        return Decision(Action.ANSWER, intent=intent, handed_back=handed_back)
    number = number or conversation.slot("order_number")
    action = Action.ANSWER if number else Action.ASK
    return Decision(action, intent=intent, order_number=number, handed_back=handed_back)


def handoff_reason(
    history: tuple[Turn, ...], customer: Turn, wants_human: bool, seen_risk: Risk | None = None
) -> str:
    """Why this message should go to a human, or "" when the bot can answer it. `seen_risk`:
    the risk examples' reading of its e5 vector (understand/risk_exemplars.py), after the word
    lists and never for a closer."""
    risk = find_risk(customer.text)
    if risk is not None:
        return HandoffReason.of(risk)
    if is_closer(customer.text):
        return ""  # "thanks", "got it": a close, never a person
    if seen_risk is not None and not _an_ordinary_question(customer):
        return HandoffReason.of(seen_risk)
    sensitive = SENSITIVE_INTENTS.get(customer.intent)
    if sensitive and customer.confidence >= SENSITIVE_MIN_CONFIDENCE:
        return sensitive
    if wants_human:
        return HandoffReason.WANTS_HUMAN
    if _sustained_negative(history, customer):
        return HandoffReason.NEGATIVE_SENTIMENT
    if _failures(history, customer) >= FAILURES:
        return HandoffReason.REPEATED_FAILURE
    return ""


def _an_ordinary_question(customer: Turn) -> bool:
    """The intent model sure of an ordinary help-centre question ("how do I contact customer
    service", "我想订阅你们的新闻"): the risk examples' nearness alone does not overrule it (the
    word lists still do). Risk told in other words reads as "other" to the intent model."""
    return customer.intent not in ("", "other") and customer.confidence >= ORDINARY_SURE


def fails_again(history: tuple[Turn, ...], customer: Turn) -> bool:
    """Whether a help centre without an answer to this message makes the question fail
    `FAILURES` times: then a human answers it rather than the bot's apology."""
    return _failures(history, customer) + 1 >= FAILURES


def order_number(customer: Turn) -> str:
    """The order number this message gives: an entity, or a bare number sent on its own."""
    found = [e.value.lstrip("#") for e in customer.entities if e.type == "order_number"]
    if found:
        return found[0]
    bare = _BARE_ORDER_NUMBER.match(customer.text)
    return bare.group(1) if bare else ""


def order_entities(customer: Turn) -> tuple[Entity, ...]:
    return tuple(e for e in customer.entities if e.type == "order_number")


def _customer_turns(history: tuple[Turn, ...], customer: Turn) -> list[Turn]:
    earlier = [t for t in history if t.role == "customer" and t.message_id != customer.message_id]
    return [*earlier, customer]


def _sustained_negative(history: tuple[Turn, ...], customer: Turn) -> bool:
    recent = _customer_turns(history, customer)[-NEGATIVE_RUN:]
    return len(recent) == NEGATIVE_RUN and all(
        t.sentiment == "negative" and t.sentiment_score <= NEGATIVE_SCORE for t in recent
    )


def _failures(history: tuple[Turn, ...], customer: Turn) -> int:
    """How often the current question already failed: each time the bot had no answer to it, or
    answered it and the customer had to ask it again."""
    replies = {t.message_id: t.source for t in history if t.role == "agent"}
    failures = 0
    for turn in reversed(_customer_turns(history, customer)[:-1]):
        source = replies.get(turn.message_id, "")
        same = customer.intent != "other" and turn.intent == customer.intent
        fell_back = source in NOT_ANSWERED and (same or customer.intent == "other")
        if not (fell_back or (same and source in _ANSWERS)):
            break
        failures += 1
    return failures


def _timed_out(conversation: Conversation, now: float, after_s: float) -> bool:
    """An agent who owns the conversation and has not acted for `after_s` hands it back; a
    conversation still waiting for its first agent stays in the queue."""
    return (
        conversation.state is State.HUMAN
        and now - (conversation.human_active_at or conversation.handed_off_at) > after_s
    )
