"""Scripted conversations (tests/data/personal_conversations.jsonl) run through the webhook's
ingress and the pipeline with in-memory ports: known customers with 0, 1 and 2 open orders,
strangers giving someone else's order number, linked channels, consent, "forget me" and the
satisfaction question, in English and Chinese. Each turn states what the customer must (and
must not) see; across all of them, no order's status reaches anyone it does not belong to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from socialcare.dialogue.linking import Linking
from socialcare.dialogue.orders import Order, order_status
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.dialogue.verification import contact_hash
from socialcare.insights.metrics import TurnOutcome
from socialcare.insights.outcomes import outcome_figures
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import DialogueSettings, TurnHandler
from socialcare.pseudonyms import Pseudonyms
from socialcare.webhook import WebhookRequest, WebhookResponse, receive
from tests.fakes.ports import (
    FakeConversationStore,
    FakeCustomers,
    FakeOrders,
    FakeOutbound,
    MemoryErasure,
    MemoryLinkCodes,
)

SCRIPTS = Path(__file__).parents[1] / "data" / "personal_conversations.jsonl"
KEYED = Pseudonyms(b"k" * 32)
NOW = 1_800_000_000.0
CODE = "482913"  # the one-time linking code every script draws
CONVERSATIONS = [json.loads(line) for line in SCRIPTS.read_text(encoding="utf-8").splitlines()]


class ScriptChannel:
    """A platform whose delivery body is the message itself: the real ingress (proofs of the
    contacts typed, redaction) runs on it."""

    acknowledgement = "ok"

    def verify(self, request: WebhookRequest) -> None:
        return None

    def parse(self, body: bytes) -> list[InboundMessage]:
        return [InboundMessage.from_json(body.decode())]

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        return WebhookResponse(200)


def _order(spec: dict[str, Any]) -> Order:
    hashes = [contact_hash(kind, spec[kind], KEYED) for kind in ("email", "phone") if kind in spec]
    return Order(
        spec["number"],
        spec["status"],
        spec.get("carrier", ""),
        spec.get("eta", ""),
        spec.get("owner", ""),
        tuple(hashes),
    )


@dataclass
class Script:
    """GIVEN the script's profiles and orders, the real help centre and a customer on each of
    the script's channels."""

    index: EmbeddedIndex
    spec: dict[str, Any]
    store: FakeConversationStore = field(default_factory=FakeConversationStore)
    outbound: FakeOutbound = field(default_factory=FakeOutbound)
    customers: FakeCustomers = field(init=False)
    handler: TurnHandler = field(init=False)
    proved: dict[str, set[str]] = field(default_factory=dict)
    now: float = NOW
    recorded: list[TurnOutcome] = field(default_factory=list)

    def record(self, outcome: TurnOutcome) -> None:  # the metrics port
        self.recorded.append(outcome)

    def __post_init__(self) -> None:
        self.customers = FakeCustomers(
            *(CustomerProfile(**p) for p in self.spec.get("profiles", []))
        )
        for other, primary in self.spec.get("links", {}).items():
            self.customers.links[other] = primary
        self.orders = [_order(o) for o in self.spec.get("orders", [])]
        self.erasure = MemoryErasure(self.customers, self.store)
        self.handler = TurnHandler(
            self.store,
            self.index,
            lambda _channel: self.outbound,
            clock=lambda: self.now,
            profiles=self.customers,
            orders=FakeOrders(*self.orders),
            dialogue=DialogueSettings(expected_wait_minutes=5),
            pseudonym=KEYED,
            metrics=self,
            erasure=lambda: self.erasure,
            linking=Linking(MemoryLinkCodes(), self.customers, KEYED, draw=lambda: CODE),
        )

    def says(self, n: int, who: str, text: str) -> tuple[str, tuple[str, ...], str]:
        channel, _, sender = who.partition(":")
        message = InboundMessage(
            Channel(channel), f"m{n}", who, sender, sender, Kind.TEXT, text, int(self.now)
        )
        before = len(self.outbound.sent)
        receive(
            WebhookRequest("POST", {}, {}, message.to_json().encode()),
            ScriptChannel(),
            self._handle,
            KEYED,
        )
        sent = self.outbound.sent[before:]
        self._remember_proofs(who, text)
        return "\n".join(s.text for s in sent), tuple(o for s in sent for o in s.options), who

    def _handle(self, message: InboundMessage) -> None:
        self.action = self.handler.handle(message).action

    def _remember_proofs(self, who: str, text: str) -> None:
        for order in self.spec.get("orders", []):
            digits = _digits(text)
            email = order.get("email", "")
            phone = _digits(order.get("phone", ""))[-9:]
            if (email and email in text) or (phone and phone in digits):
                self.proved.setdefault(who, set()).add(order["number"])

    def may_see(self, who: str, order: Order) -> bool:
        profile = self.customers.load(who)
        owners = {who, profile.id, *profile.linked}
        return order.customer_id in owners or order.number in self.proved.get(who, set())


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@pytest.mark.parametrize("spec", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_scripted_conversation(index: EmbeddedIndex, spec: dict[str, Any]) -> None:
    """GIVEN a scripted conversation WHEN each message is delivered THEN each reply says what
    the script expects, and no order's status reaches anyone it does not belong to."""
    script = Script(index, spec)
    for n, turn in enumerate(spec["turns"]):
        script.now = NOW + turn.get("days_later", 0) * 86400
        said, options, who = script.says(
            n, turn.get("who", spec.get("who", "telegram:1")), turn["text"]
        )
        _check(script, turn.get("expect", {}), said, options, who)
        for order in script.orders:
            for language in ("en", "zh"):
                if order_status(order, order.number, language) in said:
                    assert script.may_see(who, order), f"{order.number}'s status reached {who}"


def _check(
    script: Script, expect: dict[str, Any], said: str, options: tuple[str, ...], who: str
) -> None:
    for words in expect.get("says", []):
        assert words in said, f"{words!r} not in {said!r}"
    for words in expect.get("not", []):
        assert words not in said, f"{words!r} in {said!r}"
    if "options" in expect:
        assert list(options) == expect["options"]
    if "action" in expect:
        assert script.action is not None and script.action.value == expect["action"]
    if "state" in expect:
        assert script.store.conversations[who].state.value == expect["state"]
    if "erased" in expect:
        assert (who in script.erasure.erased) is expect["erased"]
        assert (who not in script.store.conversations) is expect["erased"]
    if "slots" in expect:
        slots = dict(script.store.conversations[who].slots)  # null: not set, or set empty
        assert {k: slots.get(k) or None for k in expect["slots"]} == expect["slots"]
    profile = script.customers.load(who)
    if "profile_id" in expect:
        assert profile.id == expect["profile_id"]
    for name, value in expect.get("profile", {}).items():
        got = getattr(profile, name)
        got = list(got) if isinstance(got, tuple) else got
        assert (None if got == "" else got) == value, f"profile {name}: {got!r}"


def test_there_are_forty_scripts_in_both_languages() -> None:
    """GIVEN the scripts WHEN counted THEN at least 40, in English and in Chinese."""
    languages = [c["lang"] for c in CONVERSATIONS]
    assert len(CONVERSATIONS) >= 40
    assert {"en", "zh"} <= set(languages)


def test_the_metrics_agree_with_a_recount_from_the_tables(index: EmbeddedIndex) -> None:
    """GIVEN every script run through the pipeline WHEN the outcome metrics the worker emitted
    are added up THEN they agree with the figures recounted from the stored conversations
    (scripts that end in an erasure left nothing to recount, and are left out)."""
    emitted: dict[str, float] = {}
    stored = []
    for spec in CONVERSATIONS:
        script = Script(index, spec)
        for n, turn in enumerate(spec["turns"]):
            script.now = NOW + turn.get("days_later", 0) * 86400
            script.says(n, turn.get("who", spec["who"]), turn["text"])
        if script.erasure.erased:
            continue
        stored += script.store.scan()
        for outcome in script.recorded:
            for name in outcome.outcomes:
                emitted[name] = emitted.get(name, 0) + 1
            emitted["csat_sum"] = emitted.get("csat_sum", 0) + outcome.csat
            emitted["csat_answers"] = emitted.get("csat_answers", 0) + bool(outcome.csat)

    figures = outcome_figures(stored)["all"]
    total = figures["conversations"]
    assert total == emitted["started"] > 40
    assert round(figures["resolved_by_bot"] * total) == emitted["resolved_by_bot"] > 0
    assert round(figures["handed_to_person"] * total) == emitted["handed_to_person"] > 0
    assert round(figures["reopened_7d"] * total) == emitted["reopened"] > 0
    assert figures["csat_answers"] == emitted["csat_answers"] > 0
    assert figures["csat"] == round(emitted["csat_sum"] / emitted["csat_answers"], 2)
