"""Consent and privacy at the edges of a conversation: "forget me" while a person owns it, the
contact proofs taken at ingress, and names that are never kept without consent."""

from __future__ import annotations

import time

import pytest

from socialcare.agents.desk import AgentDesk, UnknownConversation
from socialcare.dialogue.consent import Consent, consent_request, typed_name
from socialcare.dialogue.linking import Linking
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.dialogue.satisfaction import satisfaction
from socialcare.dialogue.verification import contact_hash
from socialcare.erasure import ErasureRecord
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import (
    Channel,
    Conversation,
    InboundMessage,
    Kind,
    State,
    StoreUnavailable,
    Turn,
)
from socialcare.pipeline import TurnHandler
from socialcare.pseudonyms import Pseudonyms
from socialcare.webhook import WebhookRequest, receive
from tests.fakes.ports import (
    FakeConversationStore,
    FakeCustomers,
    FakeOutbound,
    MemoryErasure,
    MemoryLinkCodes,
)
from tests.unit.test_personal_conversations import ScriptChannel

NOW = 1_800_000_000.0
CHAT = "telegram:5"
KEYED = Pseudonyms(b"k" * 32)


def _message(n: int, text: str) -> InboundMessage:
    return InboundMessage(Channel.TELEGRAM, f"m{n}", CHAT, "5", "5", Kind.TEXT, text, int(NOW))


def _desk(index: EmbeddedIndex) -> tuple[TurnHandler, AgentDesk, MemoryErasure, FakeOutbound]:
    store, outbound = FakeConversationStore(), FakeOutbound()
    customers = FakeCustomers(CustomerProfile(CHAT, "Ada", "en", consent=True))
    erasure = MemoryErasure(customers, store)
    handler = TurnHandler(
        store,
        index,
        lambda _c: outbound,
        clock=lambda: NOW,
        profiles=customers,
        erasure=lambda: erasure,
    )
    desk = AgentDesk(store, customers, lambda _c: outbound, lambda: erasure, clock=lambda: NOW)
    return handler, desk, erasure, outbound


def test_forget_me_during_a_handoff_erases_after_the_agents_reply(index: EmbeddedIndex) -> None:
    """GIVEN a customer waiting for a person WHEN they say "forget me" THEN nothing is erased
    until the agent's reply has been delivered, and then everything is."""
    handler, desk, erasure, outbound = _desk(index)
    handler.handle(_message(1, "I want to talk to a human"))
    handler.handle(_message(2, "forget me"))
    assert erasure.erased == []

    answer = desk.reply(CHAT, "agent-1", "Of course, we will erase your data.")

    assert outbound.sent[-1].text == "Of course, we will erase your data."
    assert answer["state"] == "erased"
    assert erasure.erased == [CHAT]
    with pytest.raises(UnknownConversation):
        desk.conversation(CHAT)


def test_forget_me_is_erased_when_the_agent_resolves_without_replying(
    index: EmbeddedIndex,
) -> None:
    """GIVEN "forget me" while waiting for a person WHEN the agent resolves the conversation
    without a reply THEN the customer is erased and gets no satisfaction question."""
    handler, desk, erasure, outbound = _desk(index)
    handler.handle(_message(1, "I want to talk to a human"))
    handler.handle(_message(2, "forget me"))
    sent = len(outbound.sent)

    assert desk.resolve(CHAT)["state"] == "erased"
    assert erasure.erased == [CHAT]
    assert len(outbound.sent) == sent


def test_an_agent_resolving_asks_the_satisfaction_question_once(index: EmbeddedIndex) -> None:
    """GIVEN a conversation a person answered WHEN the agent resolves it twice THEN the customer
    gets the one-tap question once, and their tap is recorded."""
    handler, desk, _, outbound = _desk(index)
    handler.handle(_message(1, "I want to talk to a human"))
    desk.reply(CHAT, "agent-1", "Sorted, your parcel is on its way.")

    desk.resolve(CHAT)
    desk.resolve(CHAT)
    handler.handle(_message(2, "Great"))

    texts = [s.text for s in outbound.sent]
    assert texts.count("How did we do? Tap one:") == 1
    assert outbound.sent[texts.index("How did we do? Tap one:")].options == (
        "Great",
        "OK",
        "Not good",
    )
    assert texts[-1] == "Thank you for your feedback!"
    assert desk.conversation(CHAT)["slots"]["csat"] == "5"


def test_an_agents_reply_without_forget_me_erases_nothing(index: EmbeddedIndex) -> None:
    handler, desk, erasure, _ = _desk(index)
    handler.handle(_message(1, "I want to talk to a human"))
    desk.reply(CHAT, "agent-1", "Hello, how can I help?")
    assert erasure.erased == []
    assert desk.conversation(CHAT)["state"] == State.HUMAN.value


def test_without_an_erasure_forget_me_is_never_claimed(index: EmbeddedIndex) -> None:
    """GIVEN no erasure configured WHEN the customer says "forget me" THEN the bot does not
    claim to have erased anything."""
    outbound = FakeOutbound()
    handler = TurnHandler(FakeConversationStore(), index, lambda _c: outbound, clock=lambda: NOW)
    handler.handle(_message(1, "forget me"))
    assert "erased" not in outbound.sent[-1].text


def test_ingress_keeps_a_proof_of_the_contact_not_the_contact() -> None:
    """GIVEN a message with an e-mail and a phone WHEN received THEN the queued message holds
    neither, only their keyed hashes, which match the order system's hashes of the same
    contacts however the phone was written."""
    queue: list[InboundMessage] = []
    text = "it's Ada@Example.com or +44 20 7946 0018"
    body = _message(1, text).to_json().encode()

    receive(WebhookRequest("POST", {}, {}, body), ScriptChannel(), queue.append, KEYED)

    (queued,) = queue
    assert "Example" not in queued.to_json() and "7946" not in queued.to_json()
    assert set(queued.proofs) == {
        contact_hash("email", "ada@example.com", KEYED),
        contact_hash("phone", "020 7946 0018", KEYED),
    }
    assert InboundMessage.from_json(queued.to_json()).proofs == queued.proofs


def test_consent_phrases_in_both_languages() -> None:
    assert consent_request("please forget me") is Consent.FORGET
    assert consent_request("删除我的数据") is Consent.FORGET
    assert consent_request("记住我") is Consent.REMEMBER
    assert consent_request("my name is Ada") is Consent.NAME
    assert consent_request("my name is not important, where is my parcel") is None
    assert typed_name("我叫小明，订单呢") == "小明"


HOSTILE = (
    "my name is " * 20_000 + "a" * 50_000,
    "link " * 40_000 + "1" * 50_000,
    "thanks " * 30_000 + "!" * 50_000,
    "!" * 5 + "ok, " * 50_000,
    "忘记" * 50_000 + "我的",
    "关联" * 50_000 + "1" * 7,
)


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_personal_patterns_stay_linear_on_hostile_input(text: str) -> None:
    """GIVEN 200,000 characters built to make a regex backtrack WHEN the consent, linking and
    satisfaction patterns read them THEN they finish at once."""
    conversation = Conversation(CHAT, Channel.TELEGRAM, slots=(("csat_pending", "1"),))
    customer = Turn("customer", text, NOW, "m1")
    started = time.perf_counter()
    consent_request(text)
    satisfaction(conversation, customer, "en")
    Linking(MemoryLinkCodes(), FakeCustomers(), KEYED).handle(text, CHAT, conversation, "en", NOW)
    assert time.perf_counter() - started < 1.0


class FailingOnce(MemoryErasure):
    """An erasure whose first run stops half-way (a table that did not answer)."""

    failed = False

    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        if not self.failed:
            self.failed = True
            raise StoreUnavailable("the customers table did not answer")
        return super().erase(customer_id, actor)


def test_forget_me_is_erased_on_the_redelivery_when_the_erasure_stopped(
    index: EmbeddedIndex,
) -> None:
    """GIVEN "forget me" answered, but the erasure after it stopped half-way WHEN the queue
    delivers the message again THEN the customer is erased, and not told twice."""
    store, outbound = FakeConversationStore(), FakeOutbound()
    customers = FakeCustomers(CustomerProfile(CHAT, "Ada", "en", consent=True))
    erasure = FailingOnce(customers, store)
    handler = TurnHandler(
        store,
        index,
        lambda _c: outbound,
        clock=lambda: NOW,
        profiles=customers,
        erasure=lambda: erasure,
    )
    with pytest.raises(StoreUnavailable):
        handler.handle(_message(1, "forget me"))

    handler.handle(_message(1, "forget me"))

    assert erasure.erased == [CHAT]
    assert CHAT not in store.conversations
    assert [s.text for s in outbound.sent].count(outbound.sent[0].text) == 1
