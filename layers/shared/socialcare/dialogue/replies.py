"""The replies the dialogue policy itself gives: handing off, asking for a detail or which
article is meant, an honest "not covered", a close, an order's status, and the greeting, by the
brand's name (and the customer's, when known)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from socialcare.dialogue.messages import TOPICS, say
from socialcare.dialogue.orders import Order, order_status
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.generate.brand import packaged_brand_policy
from socialcare.knowledge.port import Passage
from socialcare.model import Reply


def greeting(language: str, brand: str = "", first_name: str = "") -> Reply:
    """The greeting with the topics to pick from; `brand` empty: the packaged policy's name."""
    brand = brand or packaged_brand_policy().name
    text = (
        say("greeting_named", language).format(name=first_name, brand=brand)
        if first_name
        else say("greeting", language).format(brand=brand)
    )
    return Reply(text, language, "greeting", options=TOPICS.get(language, TOPICS["en"]))


def handoff_reply(
    language: str, expected_wait_minutes: int, *, urgent: bool = False, advice: str = ""
) -> Reply:
    """What happens next, in the customer's language: the expected wait, or for an urgent
    handoff that they are first in line; `advice`: what to do meanwhile (a security case)."""
    if urgent:
        text = say("handoff_urgent", language)
    else:
        text = say("handoff", language).format(minutes=expected_wait_minutes)
    return Reply(f"{text}\n\n{advice}" if advice else text, language, "handoff")


def clarify_reply(language: str, candidates: Sequence[Passage] = ()) -> Reply:
    """Ask what the customer means: which of two articles, with their titles as quick replies,
    or (nothing to offer) to say it in a few words."""
    if not candidates:
        return Reply(say("clarify", language), language, "clarify")
    options = tuple(dict.fromkeys(p.title for p in candidates))
    return Reply(say("clarify_which", language), language, "clarify", options=options)


def not_covered_reply(language: str) -> Reply:
    """The honest answer when the help centre does not cover it, with a person on offer."""
    return Reply(
        say("not_covered", language),
        language,
        "decline",
        options=(say("talk_to_person", language),),
    )


def close_reply(language: str) -> Reply:
    return Reply(say("close", language), language, "close")


def ask_order_number(language: str, knowledge: Reply | None = None) -> Reply:
    """The question for the order number; after the help centre's how-to, when there is one."""
    if knowledge is None or knowledge.source != "knowledge":
        return Reply(say("ask_order_number", language), language, "ask_slot")
    text = f"{knowledge.text}\n\n{say('offer_order_check', language)}"
    return replace(knowledge, text=text, source="ask_slot")


def order_reply(
    order: Order | None, number: str, intent: str, language: str, knowledge: Reply | None
) -> Reply:
    """The order's real status; for cancelling and refunds the help centre's how-to after it."""
    status = order_status(order, number, language)
    if order is None or intent == "track_order" or knowledge is None:
        return Reply(status, language, "order")
    joiner = "" if language == "zh" else " "
    return replace(knowledge, text=f"{status}{joiner}{knowledge.text}", source="order")


def personalised(reply: Reply, profile: CustomerProfile, brand: str = "") -> Reply:
    """A greeting by the customer's first name, when they agreed that the brand keeps it."""
    if reply.source != "greeting" or not profile.first_name:
        return reply
    return greeting(reply.language, brand, profile.first_name)
