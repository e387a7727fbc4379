"""One turn, start to end: the use case the worker runs for each customer message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from socialcare.channels.capabilities import capabilities
from socialcare.channels.outbound import Outbound, Outgoing, keyed, render
from socialcare.dialogue.messages import TOPICS, is_greeting, say
from socialcare.generate.extractive import extractive_reply
from socialcare.knowledge.port import Retriever
from socialcare.model import (
    AnswerInProgress,
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

# How long an attempt to answer holds a message before another may take over: longer than the
# worker's timeout (a live attempt has ended by then), shorter than the queue's visibility timeout
# (a message redelivered after a killed attempt finds the hold expired).
DEFAULT_LEASE_S = 30.0

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
    """Answers each customer message exactly once, whatever fails.

    The right to answer goes to the attempt that records the customer's turn with the reply's
    idempotency key (a conditional write), before anything is sent. Every send carries that key.
    A failed send releases the message for its redelivery; a killed attempt's hold expires after
    `lease_s`; either way the redelivery sends again under the same key, which the platform
    honours (a key it has already accepted is not delivered twice), and records the agent's turn.
    """

    def __init__(
        self,
        store: ConversationStore,
        retriever: Retriever,
        outbound: Callable[[Channel], Outbound],
        clock: Callable[[], float] = time.time,
        lease_s: float = DEFAULT_LEASE_S,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._outbound = outbound
        self._clock = clock
        self._lease_s = lease_s

    def handle(self, message: InboundMessage) -> TurnResult:
        ref = pseudonym(message.message_id)  # WhatsApp's message ids embed phone numbers
        conversation = self._store.load(message.conversation_id, message.channel)
        if conversation.has_answered(message.message_id):
            logger.info("already answered", extra={"message_ref": ref})
            return TurnResult(None, 0)
        understood = understand(message.text, default_language=conversation.language or "en")
        language = understood.language
        at = float(message.sent_at) or self._clock()
        customer = _customer_turn(message, understood, at)
        now = self._clock()
        claimed = self._store.save(
            conversation, lambda c: _claim(c, customer, message.reply_key, now, self._lease_s)
        )
        sending = claimed.sending_of(message.message_id) if claimed else None
        if claimed is None or sending is None:
            logger.info("already answered", extra={"message_ref": ref})
            return TurnResult(None, 0)
        reply = compose(message, language, self._retriever)
        try:
            sent = self._send(message, reply, claimed, sending.key)
        except Exception:
            # Released, not forgotten: the redelivery sends under the same key at once.
            self._store.save(claimed, lambda c: _release(c, message.message_id, now))
            raise
        # What the customer saw; nothing when the channel's message window had closed.
        said = "\n".join(o.text for o in sent if o.text) if sent else ""
        source = reply.source if sent else "window_closed"
        agent = Turn("agent", said, at, message.message_id, reply.language, source)
        self._store.save(claimed, lambda c: c.finish(agent))
        logger.info(
            "answered",
            extra={
                "conversation": pseudonym(conversation.id),
                "message_ref": ref,
                "language": language,
                "intent": understood.intent.name,
                "sentiment": understood.sentiment.label,
                "toxic": understood.toxic,
                "urgent": understood.urgent,
                "source": source,
                "citations": [c.id for c in reply.citations],
                "resent": message.message_id in conversation.answered,
            },
        )
        return TurnResult(reply, len(sent))

    def _send(
        self, message: InboundMessage, reply: Reply, conversation: Conversation, key: str
    ) -> list[Outgoing]:
        """Render the reply to the channel and send it, within the channel's message window,
        each part under its idempotency key."""
        caps = capabilities(message.channel)
        window_open = caps.window_open(conversation.customer_last_wrote, self._clock())
        outgoing = keyed(render(reply, message, caps, window_open), key)
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


def _claim(
    conversation: Conversation, customer: Turn, key: str, now: float, lease_s: float
) -> Conversation:
    """Who may send the reply to the customer's message: the first attempt to record its turn,
    or the next one once the holder has released it or its hold has expired (presumed killed).
    Unchanged when the reply has gone out; AnswerInProgress while another attempt holds it."""
    sending = conversation.sending_of(customer.message_id)
    if sending is None:
        if conversation.has_answered(customer.message_id):
            return conversation
        return conversation.begin(customer, key, now)
    if sending.since and now - sending.since < lease_s:
        raise AnswerInProgress(f"{pseudonym(customer.message_id)} is being answered")
    return conversation.hold(customer.message_id, now)


def _release(conversation: Conversation, message_id: str, since: float) -> Conversation:
    """Without this attempt's hold on the message, unless another attempt has taken it over."""
    sending = conversation.sending_of(message_id)
    if sending is None or sending.since != since:
        return conversation
    return conversation.hold(message_id, 0.0)


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
