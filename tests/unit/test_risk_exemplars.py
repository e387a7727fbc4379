"""Risk read in a message's meaning: the written examples (understand/data/risk_train.jsonl)
against the e5 vector the search computes, OR'ed with the word lists. The messages here are
written apart from the examples and the decision sets (a test checks it)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.policy import Action, handoff_reason
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind, Turn
from socialcare.pipeline import TurnHandler
from socialcare.understand.risk import Risk, find_risk
from socialcare.understand.risk_exemplars import EXEMPLARS, VECTORS, exemplars, similar_risk
from tests.fakes.ports import FakeConversationStore, FakeOutbound

DECISION_SETS = Path(__file__).parents[1] / "data"

# Risk in words the lists do not have: only the examples' reading of the e5 vector finds them.
UNWORDED = [
    ("my profile now has a stranger's address on it and orders i know nothing about", "security"),
    ("there are purchases on my account from a city i've never been to", "security"),
    ("my toddler put a button battery from your remote in his mouth", "safety"),
    ("please get rid of every trace of me in your systems", "account_deletion"),
    ("i'm at the end of my rope, nothing matters anymore", "self_harm"),
    ("can an actual employee look at my case", "human"),
    ("i'll be making this very public on every platform", "public"),
    ("充电头烫得桌子都变形了，差点出事", "safety"),
    ("孩子把遥控器里的纽扣电池放嘴里了", "safety"),
    ("帮我把所有资料抹掉，账号也不要了", "account_deletion"),
    ("你们这帮蠢材", "harassment"),
]
ORDINARY = [
    "how do i reset my password",
    "my order hasn't arrived",
    "can i pay in instalments",
    "the jacket is too tight",
    "我想换个颜色",
    "优惠券怎么用",
    "能开电子发票吗",
    "订单能加急吗",
]
# Said the way customers say it (six of these ten the old lists missed).
WORDED = [
    ("someone got into my account and changed the email", Risk.SECURITY),
    ("我没买东西怎么扣款了", Risk.SECURITY),
    ("银行卡上出现了几笔我不认识的消费", Risk.SECURITY),
    ("random debit from you on my statement, never shopped there", Risk.FRAUD),
    ("I'll tell everyone on tiktok", Risk.PUBLIC),
    ("你们等着上热搜吧", Risk.PUBLIC),
    ("i cant do this anymore", Risk.SELF_HARM),
    ("我真的撑不下去了", Risk.SELF_HARM),
    ("we're going to arbitration over this", Risk.LEGAL),
    ("这事我要去市场监督管理局反映", Risk.REGULATOR),
]
# Near misses: a password, a payment, a colour, a kettle, a drum washer, a job in a shop.
NEAR_MISSES = [
    "how do I change my password?",
    "my payment failed",
    "can I return a burnt-orange sweater?",
    "付款的时候银行卡被拒了",
    "烧水壶烧得很慢",
    "滚筒洗衣机有货吗",
    "我想去你们门店看看",
    "what's your phone number",
]


def _customer(text: str) -> Turn:
    return Turn("customer", text, 0.0, "m1", "en")


@pytest.mark.parametrize(("text", "reason"), UNWORDED)
def test_the_examples_find_risk_the_word_lists_miss(
    index: EmbeddedIndex, text: str, reason: str
) -> None:
    """GIVEN a risk message in words no list has WHEN the examples read the e5 vector the search
    computed for it THEN they name its reason, and the decision hands it to a person."""
    vector = index.probe(text).vector
    seen = similar_risk(vector)

    assert (find_risk(text), seen) == (None, Risk(reason))
    reason_given = handoff_reason((), _customer(text), wants_human=False, seen_risk=seen)
    assert reason_given == HandoffReason.of(Risk(reason))


def test_the_worker_hands_off_a_risk_only_the_examples_see(index: EmbeddedIndex) -> None:
    """GIVEN the worker with the shipped help centre WHEN a customer writes of despair in words
    no list has THEN a person takes it, first in the queue, and the customer is told so."""
    store, outbound = FakeConversationStore(), FakeOutbound()
    handler = TurnHandler(store, index, lambda _channel: outbound)
    text = "i'm at the end of my rope, nothing matters anymore"
    message = InboundMessage(Channel.TELEGRAM, "m1", "telegram:5", "5", "5", Kind.TEXT, text)

    assert handler.handle(message).action is Action.HANDOFF
    conversation = store.conversations["telegram:5"]
    assert (conversation.handoff_reason, conversation.urgent) == ("self_harm", True)
    assert "front of the queue" in outbound.sent[-1].text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_not_read_as_risk(index: EmbeddedIndex, text: str) -> None:
    """GIVEN an ordinary question WHEN the examples read its e5 vector THEN no risk: the bot
    answers it."""
    assert similar_risk(index.probe(text).vector) is None


@pytest.mark.parametrize(("text", "risk"), WORDED)
def test_the_word_lists_catch_general_phrasings(text: str, risk: Risk) -> None:
    """GIVEN a risk said in everyday words WHEN the word lists read it THEN its reason."""
    assert find_risk(text) is risk


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_the_word_lists_leave_near_misses_alone(text: str) -> None:
    """GIVEN a question that shares a word with a risk WHEN the word lists read it THEN none."""
    assert find_risk(text) is None


def test_a_closer_is_never_handed_off_whatever_the_examples_say() -> None:
    """GIVEN "thanks!" with a risk reading WHEN the decision asks why to hand off THEN no
    reason: a closer gets a polite close."""
    assert handoff_reason((), _customer("thanks!"), wants_human=False, seen_risk=Risk.FRAUD) == ""


def test_no_vector_no_reading() -> None:
    """GIVEN a message with nothing to search for (no e5 vector) WHEN the examples read it THEN
    no risk, rather than an error."""
    assert (similar_risk(()), similar_risk((0.1, 0.2))) == (None, None)


def test_the_word_lists_stay_fast_on_hostile_input() -> None:
    """GIVEN 10,000-character messages built to make a regex backtrack WHEN the lists read them
    THEN each takes well under a tenth of a second."""
    hostile = ["a " * 5000, "you " * 2500, "删" * 10000, "post " * 2000 + "x", "delete my " * 1000]
    for text in hostile:
        started = time.perf_counter()
        find_risk(text)
        assert time.perf_counter() - started < 0.1


def test_the_packaged_vectors_are_the_examples() -> None:
    """GIVEN the examples file WHEN the packaged vectors are read THEN one vector per example,
    with its label, in order (`make train-risk` was run after the examples changed)."""
    packaged = json.loads(VECTORS.read_text(encoding="utf-8"))

    assert packaged["labels"] == [row["label"] for row in exemplars(EXEMPLARS)]


def test_the_held_apart_messages_are_not_examples_nor_in_the_decision_sets() -> None:
    """GIVEN the messages of this file WHEN looked up in the examples and the dev set THEN none is
    there: the examples' tests above are on messages the detector never saw."""
    written = {t for t, _ in UNWORDED} | set(ORDINARY)
    seen = {row["text"] for row in exemplars(EXEMPLARS)}
    dev = DECISION_SETS / "decisions_dev.jsonl"
    seen |= {json.loads(line)["text"] for line in dev.read_text().splitlines() if line.strip()}
    assert written & seen == set()
