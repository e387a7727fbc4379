"""One turn, start to end: the use case the worker runs for each customer message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from socialcare.channels.capabilities import capabilities
from socialcare.channels.outbound import Outbound, Outgoing, render
from socialcare.dialogue.messages import TOPICS, is_greeting, say
from socialcare.generate.extractive import extractive_reply
from socialcare.knowledge.port import Retriever
from socialcare.model import (
    Channel,
    Conversation,
    InboundMessage,
    Kind,
    Reply,
    Turn,
    Visibility,
)
from socialcare.understand.pii import pseudonym
from socialcare.understand.understanding import Understanding, understand

logger = logging.getLogger(__name__)

# Languages the help centre and the canned messages are written in; others are answered in English.
ANSWER_LANGUAGES = frozenset({"en", "zh"})


class ConversationStore(Protocol):
    def load(self, conversation_id: str, channel: Channel) -> Conversation: ...

    def save(
        self, conversation: Conversation, change: Callable[[Conversation], Conversation]
    ) -> Conversation | None:
        """Store change(conversation) if nobody stored a newer version meanwhile; on a conflict,
        reload and apply the change again. Returns what was stored, or None when `change`
        returns the conversation unchanged."""


@dataclass(frozen=True, slots=True)
class TurnResult:
    reply: Reply | None  # None when the message had already been answered
    parts_sent: int


class TurnHandler:
    def __init__(
        self,
        store: ConversationStore,
        retriever: Retriever,
        outbound: Callable[[Channel], Outbound],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._outbound = outbound
        self._clock = clock

    def handle(self, message: InboundMessage) -> TurnResult:
        conversation = self._store.load(message.conversation_id, message.channel)
        understood = understand(message.text, default_language=conversation.language or "en")
        language = understood.language
        at = float(message.sent_at) or self._clock()
        customer = _customer_turn(message, understood, at)
        begun = self._store.save(conversation, lambda c: _begin(c, customer))
        if begun is None:
            logger.info("already answered", extra={"message_ref": pseudonym(message.message_id)})
            return TurnResult(None, 0)
        reply = compose(message, language, self._retriever)
        try:
            sent = self._send(message, reply, begun)
        except Exception:
            self._store.save(begun, lambda c: c.abandon(customer))
            raise
        # What the customer saw; nothing when the channel's message window had closed.
        said = "\n".join(o.text for o in sent if o.text) if sent else ""
        source = reply.source if sent else "window_closed"
        agent = Turn("agent", said, at, message.message_id, reply.language, source)
        self._store.save(begun, lambda c: c.finish(agent))
        logger.info(
            "answered",
            extra={
                "conversation": pseudonym(conversation.id),
                # WhatsApp's message ids embed the customer's phone number: pseudonyms only.
                "message_ref": pseudonym(message.message_id),
                "language": language,
                "intent": understood.intent.name,
                "sentiment": understood.sentiment.label,
                "toxic": understood.toxic,
                "urgent": understood.urgent,
                "source": source,
                "citations": [c.id for c in reply.citations],
            },
        )
        return TurnResult(reply, len(sent))

    def _send(
        self, message: InboundMessage, reply: Reply, conversation: Conversation
    ) -> list[Outgoing]:
        """Render the reply to the channel and send it, within the channel's message window."""
        caps = capabilities(message.channel)
        window_open = caps.window_open(conversation.customer_last_wrote, self._clock())
        outgoing = render(reply, message, caps, window_open)
        if outgoing:
            self._outbound(message.channel).send(message, outgoing)
        return outgoing


def _customer_turn(message: InboundMessage, understood: Understanding, at: float) -> Turn:
    return Turn(
        "customer",
        message.text,
        at,
        message.message_id,
        understood.language,
        intent=understood.intent.name,
        confidence=understood.intent.confidence,
        sentiment=understood.sentiment.label,
        sentiment_score=understood.sentiment.score,
        entities=understood.entities,
        toxic=understood.toxic,
        urgent=understood.urgent,
    )


def _begin(conversation: Conversation, customer: Turn) -> Conversation:
    """The right to answer a message goes to whoever records its turn first."""
    if conversation.has_answered(customer.message_id):
        return conversation
    return conversation.begin(customer)


def compose(message: InboundMessage, language: str, retriever: Retriever) -> Reply:
    """What the agent answers, in the customer's language when the help centre has it."""
    language = language if language in ANSWER_LANGUAGES else "en"
    reply = _private_reply(message, language, retriever)
    if message.visibility is Visibility.PUBLIC:
        # Everybody reads a public answer: it invites to a private message and names nothing.
        return replace(reply, public=say("go_private", language))
    return reply


def _private_reply(message: InboundMessage, language: str, retriever: Retriever) -> Reply:
    if message.kind is Kind.UNSUPPORTED:
        return Reply(say("unsupported", language), language, "unsupported")
    if message.kind is Kind.HELP:
        return Reply(say("help", language), language, "help", options=TOPICS[language])
    if message.kind is Kind.MENTION:
        return Reply(say("mention", language), language, "mention")
    if message.kind is Kind.FOLLOW or is_greeting(message.text):
        return Reply(say("greeting", language), language, "greeting", options=TOPICS[language])
    answer = extractive_reply(message.text, language, retriever)
    return answer or Reply(say("no_answer", language), language, "fallback")
