"""The one-tap satisfaction question, and the outcome marks a conversation keeps for the figures
(insights.outcomes): resolved by the bot alone, reopened within 7 days, the satisfaction score.

The question follows a resolution, at most once per conversation: the customer thanking the bot
after one of its answers (resolved by the bot), or an agent resolving it (agents.desk). It offers
three options as buttons or quick replies, or numbered where the channel has neither; an answer
that is not one of them is read as a normal message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialcare.model import Conversation, Reply, Turn

ASKED_SLOT = "csat_asked"  # the question went out (at most once per conversation)
PENDING_SLOT = "csat_pending"  # waiting for the tap ("": not waiting)
SCORE_SLOT = "csat"  # the score given: 5, 3 or 1
RESOLVED_BY_SLOT = "resolved_by"  # "bot": resolved by the bot alone (set once)
RESOLVED_AT_SLOT = "resolved_at"  # the latest resolution, epoch seconds
REOPENED_SLOT = "reopened"  # "1": the customer came back within REOPEN_S of a resolution
REOPEN_S = 7 * 86400.0
ANSWERS = frozenset({"knowledge", "llm", "order"})  # bot replies a "thanks" can follow
SCORES = (5, 3, 1)
OPTIONS = {"en": ("Great", "OK", "Not good"), "zh": ("满意", "一般", "不满意")}
QUESTION = {"en": "How did we do? Tap one:", "zh": "您对本次服务满意吗？请选择："}
THANKED = {"en": "Thank you for your feedback!", "zh": "感谢您的反馈！"}
WELCOME = {"en": "You're welcome! Anything else I can help with?", "zh": "不客气！还有其他问题吗？"}

_THANKS = re.compile(
    r"^\W{0,5}(ok,? |great,? |perfect,? )?(thanks?( you)?( so much| a lot)?|thx|ty|cheers)\W{0,5}$"
    r"|^\W{0,5}(好的)?(谢谢(你|您)?|多谢|感谢|谢了)\W{0,5}$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Step:
    """What the satisfaction flow makes of a message: its own reply (None: the message is
    answered as usual) and what the conversation remembers."""

    reply: Reply | None
    slots: tuple[tuple[str, str], ...] = ()


def question(language: str, welcome: bool = False) -> Reply:
    """The question, after "You're welcome!" when it answers the customer's thanks."""
    lang = language if language in OPTIONS else "en"
    text = QUESTION[lang]
    if welcome:
        text = ("不客气！" if lang == "zh" else "You're welcome! ") + text
    return Reply(text, lang, "csat_question", options=OPTIONS[lang])


def asking(now: float) -> tuple[tuple[str, str], ...]:
    return ((ASKED_SLOT, "1"), (PENDING_SLOT, "1"), (RESOLVED_AT_SLOT, f"{now:.0f}"))


def score_of(text: str) -> int:
    """The score a tap on an option (or its number) gives; 0 when it is none of them."""
    said = text.strip().rstrip(".!。！").strip().lower()
    for options in OPTIONS.values():
        for n, option in enumerate(options):
            if said in (option.lower(), str(n + 1)):
                return SCORES[n]
    return 0


def satisfaction(conversation: Conversation, customer: Turn, language: str) -> Step:
    """The tap recorded, the question asked after a "thanks", or the message marked as a reopen;
    `conversation` is as stored with the customer's turn."""
    cleared: tuple[tuple[str, str], ...] = ()
    if conversation.slot(PENDING_SLOT):
        score = score_of(customer.text)
        if score:
            lang = language if language in THANKED else "en"
            reply = Reply(THANKED[lang], lang, "csat_thanks")
            return Step(reply, ((PENDING_SLOT, ""), (SCORE_SLOT, str(score))))
        cleared = ((PENDING_SLOT, ""),)  # not an option: a normal message
    if _THANKS.match(customer.text) and _last_bot_source(conversation) in ANSWERS:
        if conversation.slot(ASKED_SLOT):
            lang = language if language in WELCOME else "en"
            return Step(Reply(WELCOME[lang], lang, "welcome"))
        by_bot = (
            ()
            if conversation.handoffs or conversation.slot(RESOLVED_BY_SLOT)
            else ((RESOLVED_BY_SLOT, "bot"),)
        )
        return Step(question(language, welcome=True), (*asking(customer.at), *by_bot))
    resolved_at = float(conversation.slot(RESOLVED_AT_SLOT) or 0)
    reopened = not conversation.slot(REOPENED_SLOT) and resolved_at
    if reopened and 0 <= customer.at - resolved_at <= REOPEN_S:
        return Step(None, (*cleared, (REOPENED_SLOT, "1")))
    return Step(None, cleared)


def _last_bot_source(conversation: Conversation) -> str:
    agent = [t.source for t in conversation.turns if t.role == "agent"]
    return agent[-1] if agent else ""
