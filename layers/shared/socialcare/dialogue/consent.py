"""Consent captured in the conversation: the customer says their name and agrees that the brand
remembers it and their language ("remember me", "记住我"), or asks to be forgotten ("forget me",
"忘记我"), which erases everything stored about them (socialcare.erasure) once the reply to it
has gone out, or, while a person owns the conversation, once the agent's reply has.

A name is kept only with consent, and only one the customer typed ("my name is Ada", "我叫小明");
a name the platform's profile gives is redacted at ingress and never reaches the profile.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from socialcare.dialogue.profiles import CustomerProfile
from socialcare.model import Reply, Turn

FORGET_SLOT = "forget_me"  # set while a person owns the conversation: erase after their reply
FORGOTTEN = "forgotten"  # the source of the reply after which the customer is erased
MAX_NAME_CHARS = 30

_REMEMBER = re.compile(r"\bremember (me|my name)\b|记住我", re.IGNORECASE)
_FORGET = re.compile(
    r"\bforget (me|about me|my (data|details|name))\b|\b(delete|erase) my (data|details|info)"
    r"|忘记我|忘了我|删除我的(数据|资料|信息)",
    re.IGNORECASE,
)
# Bounded, unnested repetitions: linear on any input.
_NAME = re.compile(
    r"\b(?i:my name is) ([A-Z][A-Za-z'-]{0,29})|(?:我叫|我的名字是)\s?([\u4e00-\u9fff]{1,4})"
)

MESSAGES: dict[str, dict[str, str]] = {
    "remembered": {
        "en": 'Done{name}: I\'ll remember your name and language next time. Say "forget me" '
        "any time and I'll erase them.",
        "zh": "好的{name}，下次我会记得您的称呼和语言。随时发送“忘记我”即可删除。",
    },
    "offer_remember": {
        "en": "Nice to meet you, {name}! Shall I remember your name and language for next time?",
        "zh": "{name}，很高兴认识您！需要我记住您的称呼和语言吗？",
    },
    "forgotten": {
        "en": "Done: I've erased what we kept about you, including this conversation.",
        "zh": "已完成：我们保存的您的信息（包括本次对话）已全部删除。",
    },
}
OPTIONS = {"en": ("Remember me", "No thanks"), "zh": ("记住我", "不用了")}


class Consent(StrEnum):
    REMEMBER = "remember"
    FORGET = "forget"
    NAME = "name"  # a name given without consent: the bot offers to remember it


def consent_request(text: str) -> Consent | None:
    if _FORGET.search(text):
        return Consent.FORGET
    if _REMEMBER.search(text):
        return Consent.REMEMBER
    return Consent.NAME if typed_name(text) else None


def typed_name(text: str) -> str:
    found = _NAME.search(text)
    if found is None:
        return ""
    return (found.group(1) or found.group(2) or "")[:MAX_NAME_CHARS]


def name_in(turns: tuple[Turn, ...]) -> str:
    """The latest name the customer typed in the conversation ("" when none)."""
    customer = [t.text for t in turns if t.role == "customer"]
    return next((n for n in map(typed_name, reversed(customer)) if n), "")


def remembered(profile: CustomerProfile, name: str, language: str) -> CustomerProfile:
    """With consent, the name typed (or the one kept before) and the language."""
    return replace(
        profile,
        consent=True,
        display_name=name or profile.display_name,
        language=language or profile.language,
    )


def consent_reply(consent: Consent, name: str, language: str) -> Reply:
    texts = {k: v.get(language, v["en"]) for k, v in MESSAGES.items()}
    match consent:
        case Consent.FORGET:
            return Reply(texts["forgotten"], language, FORGOTTEN)
        case Consent.REMEMBER:
            shown = (f"，{name}" if language == "zh" else f", {name}") if name else ""
            return Reply(texts["remembered"].format(name=shown), language, "consent")
    options = OPTIONS.get(language, OPTIONS["en"])
    return Reply(texts["offer_remember"].format(name=name), language, "consent", options=options)
