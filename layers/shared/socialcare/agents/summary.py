"""An automatic summary of a conversation for the agent who picks it up: built from what the
understanding stored with each turn, so it needs no model and names no personal data."""

from __future__ import annotations

from collections import Counter

from socialcare.dialogue.handoff import describe
from socialcare.model import Conversation


def summarise(conversation: Conversation) -> str:
    customer = [t for t in conversation.turns if t.role == "customer"]
    if not customer:
        return "No customer messages yet."
    intents = Counter(t.intent for t in customer if t.intent and t.intent != "other")
    topics = (
        ", ".join(i.replace("_", " ") for i, _ in intents.most_common(3)) or "general questions"
    )
    moods = Counter(t.sentiment for t in customer if t.sentiment)
    mood = moods.most_common(1)[0][0] if moods else "neutral"
    parts = [
        f"{len(customer)} customer message(s) on {conversation.channel.value}"
        f" in {conversation.language or 'en'} about {topics}; mostly {mood},"
        f" last {customer[-1].sentiment or 'neutral'}."
    ]
    if conversation.slots:
        parts.append("Details given: " + ", ".join(f"{k} {v}" for k, v in conversation.slots) + ".")
    if conversation.handoff_reason:
        line = describe(conversation.handoff_reason, conversation.language)
        parts.append(f"{'URGENT: ' if conversation.urgent else ''}Handed to a person: {line}.")
    if conversation.vip:
        parts.append("VIP customer.")
    return " ".join(parts)
