"""An automatic summary of a conversation for the agent who picks it up: built from what the
understanding stored with each turn, so it needs no model and names no personal data."""

from __future__ import annotations

from collections import Counter

from socialcare.model import Conversation

_REASONS = {
    "asked_for_human": "asked for a person",
    "negative_sentiment": "stayed unhappy over several messages",
    "repeated_failure": "the same question failed twice",
    "low_confidence": "the bot was unsure what they meant",
    "sensitive": "a sensitive request (account deletion, legal or safety words)",
    "wants_human": "the answer guard asked for a person",
}


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
        reason = _REASONS.get(conversation.handoff_reason, conversation.handoff_reason)
        parts.append(f"Handed to a person because {reason}.")
    if conversation.vip:
        parts.append("VIP customer.")
    return " ".join(parts)
