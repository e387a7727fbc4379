"""Memory of a returning customer: the LLM's prompt and the agent's view carry a line for each
of their latest past sessions (asked, answered, solved), within the brand's retention; the
profile facts the prompt may use (first name with consent, tier, language)."""

from __future__ import annotations

import json

from socialcare.agents.desk import AgentDesk
from socialcare.dialogue.memory import DAY_S
from socialcare.dialogue.personal import prompt_profile
from socialcare.dialogue.profiles import VIP, CustomerProfile
from socialcare.generate.brand import load_brand_policy
from socialcare.generate.guards import GuardContext, check_reply
from socialcare.generate.llm_writer import LlmWriter
from socialcare.generate.reply_contract import parse_reply
from socialcare.generate.reply_style import reply_style
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind, Turn
from socialcare.pipeline import DialogueSettings, TurnHandler
from tests.fakes.ports import (
    FakeConversationStore,
    FakeCustomers,
    FakeOutbound,
    RecordingErasure,
    RecordingMetrics,
    ScriptedChatModel,
)

NOW = 1_800_000_000.0
CHAT = "telegram:1"
GOOD = json.dumps(
    {
        "text": "Standard delivery takes 3-5 business days, counted from dispatch.",
        "citations": ["delivery-time"],
    }
)


def _past(days_ago: float, intent: str, source: str, n: int) -> tuple[Turn, Turn]:
    at = NOW - days_ago * DAY_S
    asked = Turn("customer", "[earlier]", at, f"old{n}", "en", intent=intent)
    return asked, Turn("agent", "[answer]", at + 5, f"old{n}", "en", source)


def _prompt_after(index: EmbeddedIndex, *turns: Turn, profile: CustomerProfile) -> str:
    store, model = FakeConversationStore(), ScriptedChatModel([GOOD])
    store.seed(CHAT, *turns)
    writer = LlmWriter(model, load_brand_policy(), RecordingMetrics())
    handler = TurnHandler(
        store,
        index,
        lambda _c: FakeOutbound(),
        clock=lambda: NOW,
        profiles=FakeCustomers(profile),
        writer=writer,
        dialogue=DialogueSettings(memory_days=30),
    )
    message = InboundMessage(
        Channel.TELEGRAM, "new", CHAT, "1", "1", Kind.TEXT, "how long does delivery take?", NOW
    )
    handler.handle(message)
    return "\n".join(m.content for m in model.calls[0])


def test_a_returning_customer_is_remembered_in_the_prompt(index: EmbeddedIndex) -> None:
    """GIVEN a customer who asked about an order 2 days ago (answered) and about a refund 5 days
    ago (no answer), and one question 40 days ago WHEN they come back THEN the LLM sees the two
    recent sessions with their outcomes, and not the one past the 30 days' retention."""
    prompt = _prompt_after(
        index,
        *_past(40, "cancel_order", "knowledge", 1),
        *_past(5, "get_refund", "fallback", 2),
        *_past(2, "track_order", "order", 3),
        profile=CustomerProfile(CHAT, conversations=(CHAT,)),
    )

    assert "telegram: unsolved, bot had no answer: get refund" in prompt
    assert "telegram: solved, bot answered: track order" in prompt
    assert "cancel order" not in prompt


def test_profile_facts_reach_the_prompt_only_with_consent(index: EmbeddedIndex) -> None:
    """GIVEN a VIP who prefers Chinese WHEN they write THEN the prompt carries their tier and
    language, and their first name only because they agreed that the brand keeps it."""
    consenting = CustomerProfile(CHAT, "Ada Lovelace", "zh", VIP, consent=True)
    prompt = _prompt_after(index, profile=consenting)
    assert "name: Ada" in prompt and "Lovelace" not in prompt
    assert "VIP customer" in prompt and "prefers Chinese" in prompt

    refusing = CustomerProfile(CHAT, "Ada Lovelace", "en", consent=False)
    assert "Ada" not in _prompt_after(index, profile=refusing)


def test_the_agent_sees_the_customers_past_sessions(index: EmbeddedIndex) -> None:
    store = FakeConversationStore()
    store.seed(CHAT, *_past(3, "track_order", "human", 1))
    desk = AgentDesk(
        store, FakeCustomers(), lambda _c: FakeOutbound(), RecordingErasure, clock=lambda: NOW
    )
    (line,) = desk.conversation(CHAT)["memory"]
    assert line.endswith("telegram: solved, a person answered: track order")


def test_the_guard_allows_the_profile_facts_the_prompt_gave(index: EmbeddedIndex) -> None:
    """GIVEN a reply that welcomes the VIP back by name and mentions their unsolved refund WHEN
    checked with the facts their prompt carried THEN it passes; checked for a customer whose
    prompt carried none of them THEN it is refused as ungrounded."""
    question = "how long does delivery take?"
    passages = tuple(index.search(question, k=3, lang="en"))
    text = (
        "Welcome back Ada! As a valued VIP customer, your earlier refund chat was unsolved, "
        "sorry. Standard delivery takes 3-5 business days."
    )
    draft = parse_reply(json.dumps({"text": text, "citations": ["delivery-time"]}), "stop")
    facts = prompt_profile(
        CustomerProfile(CHAT, "Ada Lovelace", "en", VIP, consent=True),
        ("earlier chat 2027-01-10 telegram: unsolved, bot had no answer: get refund",),
    )
    assert facts is not None

    def check(profile: str) -> list[str]:
        style = reply_style("telegram")
        context = GuardContext("en", question, passages, style, load_brand_policy(), "", profile)
        return [v.guard for v in check_reply(draft, context)]

    assert check(" ".join((facts.name, *facts.preferences))) == []
    assert check("") == ["grounded"]
