"""The dialogue policy through the pipeline, with in-memory ports: handoff triggers, silence
while a person owns the conversation, hand-back on timeout, the order-number slot and the
greeting by name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.orders import Order
from socialcare.dialogue.policy import Action, DecisionInput, decide
from socialcare.dialogue.profiles import VIP, CustomerProfile
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, Conversation, InboundMessage, Kind, State, Turn
from socialcare.pipeline import DialogueSettings, TurnHandler
from tests.fakes.ports import FakeConversationStore, FakeCustomers, FakeOrders, FakeOutbound

NOW = 1_700_000_000.0
CHAT = "telegram:77"


@pytest.fixture(scope="module")
def index(shipped_index: EmbeddedIndex) -> EmbeddedIndex:
    return shipped_index


class Desk:
    """GIVEN a Telegram customer, the real help centre, sample orders and a profile store."""

    def __init__(self, index: EmbeddedIndex, profile: CustomerProfile | None = None) -> None:
        self.store = FakeConversationStore()
        self.outbound = FakeOutbound()
        self.customers = FakeCustomers(profile)
        self.now = NOW
        self.handler = TurnHandler(
            self.store,
            index,
            lambda _channel: self.outbound,
            clock=lambda: self.now,
            profiles=self.customers,
            orders=FakeOrders(Order("1234", "shipped", "DHL", "2025-06-12", CHAT)),
            dialogue=DialogueSettings(handback_after_s=600, expected_wait_minutes=7),
        )
        self._ids = iter(range(10**6))

    def says(self, text: str) -> Action | None:
        n = next(self._ids)
        message = InboundMessage(
            Channel.TELEGRAM, f"m{n}", CHAT, "77", "77", Kind.TEXT, text, sent_at=int(self.now)
        )
        return self.handler.handle(message).action

    @property
    def conversation(self) -> Conversation:
        return self.store.conversations[CHAT]

    @property
    def last_sent(self) -> str:
        return self.outbound.sent[-1].text


@pytest.mark.parametrize(
    ("texts", "reason"),
    [
        (["I want to talk to a human"], "asked_for_human"),
        (["转人工"], "asked_for_human"),
        (["please delete my account"], "account_deletion"),
        (["my heater caught fire, I am calling my lawyer"], "safety"),
        (
            ["this is terrible, awful service", "still nothing, this is ridiculous"],
            "negative_sentiment",
        ),
        (["how do I reset my password"] * 3, "repeated_failure"),
        (["qwerty zxcvb plonk", "flibber jabber wonk"], "repeated_failure"),
    ],
)
def test_handoff_triggers(index: EmbeddedIndex, texts: list[str], reason: str) -> None:
    """GIVEN a conversation WHEN the customer's messages call for a person THEN only the last one
    hands off, with its reason, and the customer is told the expected wait (or, for an urgent
    reason such as safety, that they are first in line)."""
    desk = Desk(index)
    actions = [desk.says(text) for text in texts]

    assert actions[-1] is Action.HANDOFF
    assert Action.HANDOFF not in actions[:-1]
    assert desk.conversation.state is State.PENDING_HUMAN
    assert desk.conversation.handoff_reason == reason
    urgent = HandoffReason(reason).urgent
    assert desk.conversation.urgent is urgent
    assert ("front of the queue" if urgent else "7") in desk.last_sent


def test_the_guards_wants_human_flag_hands_off() -> None:
    """GIVEN an ordinary question WHEN the generation guard says a person should answer THEN the
    decision is a handoff for that reason."""
    customer = Turn(
        "customer",
        "how long does delivery take?",
        NOW,
        "m1",
        "en",
        intent="delivery_period",
        confidence=0.9,
    )
    given = DecisionInput(
        Conversation(CHAT, Channel.TELEGRAM, turns=(customer,)), customer, wants_human=True
    )

    decision = decide(given)

    assert (decision.action, decision.reason) == (Action.HANDOFF, "wants_human")


def test_bot_is_silent_while_a_person_owns_the_conversation(index: EmbeddedIndex) -> None:
    """GIVEN a conversation handed to a person WHEN the customer writes again THEN the message is
    recorded for the agent and the bot sends nothing."""
    desk = Desk(index)
    desk.says("I want to talk to a human")
    sent = len(desk.outbound.sent)

    action = desk.says("how long does delivery take?")

    assert action is Action.SILENT
    assert len(desk.outbound.sent) == sent
    last = desk.conversation.turns[-1]
    assert (last.role, last.text, last.intent) == (
        "customer",
        "how long does delivery take?",
        "delivery_period",
    )


def test_an_idle_agent_hands_the_conversation_back_after_the_timeout(index: EmbeddedIndex) -> None:
    """GIVEN an agent who replied and then went silent past the timeout WHEN the customer writes
    THEN the bot answers again."""
    desk = Desk(index)
    desk.says("I want to talk to a human")
    agent_turn = Turn("agent", "Hi, Sam here", NOW + 10, "agent:1", "en", "human")
    desk.store.conversations[CHAT] = desk.conversation.human_reply("sam", agent_turn)
    desk.now = NOW + 10 + 601

    action = desk.says("how long does delivery take?")

    assert action is Action.ANSWER
    assert "3-5 business days" in desk.last_sent
    assert desk.conversation.state is State.BOT


def test_a_resolved_conversation_goes_back_to_the_bot(index: EmbeddedIndex) -> None:
    desk = Desk(index)
    desk.says("I want to talk to a human")
    desk.store.conversations[CHAT] = desk.conversation.resolve()

    assert desk.says("how long does delivery take?") is Action.ANSWER
    assert desk.conversation.state is State.BOT


def test_order_number_is_asked_for_and_remembered(index: EmbeddedIndex) -> None:
    """GIVEN a customer asking about their order WHEN they give the number on the next message
    THEN they get its real status, and a later refund question reuses the remembered number."""
    desk = Desk(index)

    assert desk.says("where is my order?") is Action.ASK
    assert "order number" in desk.last_sent
    desk.says("1234")
    assert desk.last_sent == "Order 1234 has shipped with DHL, expected on 2025-06-12."
    desk.says("I want a refund")
    assert desk.last_sent.startswith("Order 1234 has shipped")
    assert desk.conversation.slot("order_number") == "1234"
    assert "1234" in desk.customers.load("telegram:77").orders


def test_unknown_order_number_is_said_so(index: EmbeddedIndex) -> None:
    desk = Desk(index)
    desk.says("where is my order 999999?")
    assert "couldn't find an order with the number 999999" in desk.last_sent


def test_known_customer_is_greeted_by_name_and_marks_vip(index: EmbeddedIndex) -> None:
    """GIVEN a VIP customer who agreed that the brand keeps their name WHEN they say hi THEN they
    are greeted by first name, and their conversation is marked VIP for the agents' queue."""
    profile = CustomerProfile("telegram:77", "Ada Lovelace", "en", VIP, consent=True)
    desk = Desk(index, profile)

    desk.says("hi")

    assert desk.last_sent.startswith("Hi Ada! I'm the Lumen & Co. assistant.")
    assert desk.conversation.vip


def test_a_name_without_consent_is_not_used(index: EmbeddedIndex) -> None:
    desk = Desk(index, CustomerProfile("telegram:77", "Ada Lovelace", consent=False))
    desk.says("hi")
    assert "Ada" not in desk.last_sent


def test_profiles_linked_across_channels_share_history() -> None:
    """GIVEN a customer's Telegram profile WHEN their WhatsApp id is linked to it THEN the WhatsApp
    id resolves to the same profile, with both channels' conversations."""
    customers = FakeCustomers(CustomerProfile("telegram:77", conversations=("telegram:77",)))
    customers.update("whatsapp:4915", lambda p: replace(p, conversations=("whatsapp:4915",)))

    customers.link("telegram:77", "whatsapp:4915")

    merged = customers.load("whatsapp:4915")
    assert merged.id == "telegram:77"
    assert set(merged.conversations) == {"telegram:77", "whatsapp:4915"}
