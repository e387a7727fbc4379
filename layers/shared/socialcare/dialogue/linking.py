"""Linking a customer's profiles across channels, only when they prove both ends: asked for on
one channel ("link my account", "关联账号"), the bot answers there with a one-time code; typed on
the other channel ("link 123456") within the code's lifetime, the two ids resolve to one profile.
Nothing is ever linked by guessing (same name, same language ...).

A code is kept only as its keyed hash, used once, and expires. Three wrong codes typed in one
conversation stop linking there for an hour, and the customer is told so.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from socialcare.dialogue.profiles import CustomerProfiles
from socialcare.model import Conversation, Reply

CODE_DIGITS = 6
CODE_TTL_S = 600.0  # a code is good for ten minutes
MAX_WRONG = 3  # wrong codes in one conversation before linking stops there
STOP_S = 3600.0  # how long it stays stopped
WRONG_SLOT = "link_wrong"  # wrong codes typed so far in this conversation
STOPPED_SLOT = "link_stopped_at"  # when linking stopped here ("": it has not)

_ASK = re.compile(
    r"\blink (my )?(accounts?|channels?|profiles?|chats?)\b|关联(我的)?(账号|账户)", re.I
)
_CODE = re.compile(r"^\W{0,5}(?:link|code|关联|验证码)\W{0,5}(\d{6})\W{0,5}$", re.IGNORECASE)

MESSAGES: dict[str, dict[str, str]] = {
    "code": {
        "en": 'Your linking code is {code}. Within 10 minutes, send "link {code}" to us on '
        "your other channel. Never share this code with anyone.",
        "zh": "您的关联验证码是 {code}。请在 10 分钟内，在另一个渠道给我们发送“关联 {code}”。"
        "请勿将验证码告诉任何人。",
    },
    "linked": {
        "en": "Done: your accounts are linked. I'll know you on both channels from now on.",
        "zh": "关联成功！今后在两个渠道我们都能认出您。",
    },
    "wrong": {
        "en": "That code is not valid (it may have expired). {left} tries left.",
        "zh": "验证码无效(可能已过期),还可以再试 {left} 次。",
    },
    "stopped": {
        "en": "Linking has stopped: a code was typed wrong 3 times. Please try again in an hour, "
        "with a new code from your other channel.",
        "zh": "验证码已连续 3 次错误，关联已停止。请一小时后在另一个渠道获取新验证码再试。",
    },
}


class LinkCodes(Protocol):
    def issue(self, code_ref: str, customer_id: str, expires_at: float) -> None:
        """Keep the code's keyed hash and whose it is until it expires."""

    def redeem(self, code_ref: str, now: float) -> str:
        """The customer id the code was issued to, once ("": unknown, used or expired)."""


@dataclass(frozen=True, slots=True)
class Linked:
    reply: Reply
    slots: tuple[tuple[str, str], ...] = ()


def _say(key: str, language: str) -> str:
    return MESSAGES[key].get(language, MESSAGES[key]["en"])


def _draw() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


class Linking:
    def __init__(
        self,
        codes: LinkCodes,
        profiles: CustomerProfiles,
        keyed: Callable[[str], str],
        draw: Callable[[], str] = _draw,
    ) -> None:
        self._codes = codes
        self._profiles = profiles
        self._keyed = keyed
        self._draw = draw

    def handle(
        self, text: str, who: str, conversation: Conversation, language: str, now: float
    ) -> Linked | None:
        """The answer to a request for a code or to a code typed (None: neither)."""
        typed = _CODE.match(text)
        if typed:
            return self._redeem(typed.group(1), who, conversation, language, now)
        if _ASK.search(text):
            code = self._draw()
            self._codes.issue(self._ref(code), who, now + CODE_TTL_S)
            return Linked(Reply(_say("code", language).format(code=code), language, "link_code"))
        return None

    def _redeem(
        self, code: str, who: str, conversation: Conversation, language: str, now: float
    ) -> Linked:
        stopped_at = float(conversation.slot(STOPPED_SLOT) or 0)
        if stopped_at and now - stopped_at < STOP_S:
            return Linked(Reply(_say("stopped", language), language, "link_stopped"))
        owner = self._codes.redeem(self._ref(code), now)
        if owner and owner != who:
            self._profiles.link(owner, who)
            reply = Reply(_say("linked", language), language, "linked")
            return Linked(reply, ((WRONG_SLOT, "0"), (STOPPED_SLOT, "")))
        wrong = int(conversation.slot(WRONG_SLOT) or 0) + 1
        if wrong >= MAX_WRONG:
            reply = Reply(_say("stopped", language), language, "link_stopped")
            return Linked(reply, ((WRONG_SLOT, "0"), (STOPPED_SLOT, f"{now:.0f}")))
        text = _say("wrong", language).format(left=MAX_WRONG - wrong)
        return Linked(Reply(text, language, "link_wrong"), ((WRONG_SLOT, str(wrong)),))

    def _ref(self, code: str) -> str:
        return self._keyed("link:" + code)
