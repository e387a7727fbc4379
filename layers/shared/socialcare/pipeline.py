"""One turn, start to end: the use case the worker runs for each customer message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from socialcare.channels.outbound import Outbound, split_text
from socialcare.dialogue.messages import is_greeting, say
from socialcare.generate.brand import BrandPolicy
from socialcare.generate.extractive import answerable, extractive_answer
from socialcare.generate.llm_writer import Written
from socialcare.generate.prompt import CustomerProfile
from socialcare.generate.reply_style import DEFAULT_MAX_CHARS, ReplyStyle, reply_style
from socialcare.knowledge.port import Passage, Retriever
from socialcare.model import Channel, Conversation, InboundMessage, Kind, Reply, Turn
from socialcare.understand.language import detect_language
from socialcare.understand.pii import pseudonym

logger = logging.getLogger(__name__)

# Languages the help centre and the canned messages are written in; others are answered in English.
ANSWER_LANGUAGES = frozenset({"en", "zh"})
PASSAGES = 3  # the help-centre passages an LLM reply is written from


class ReplyWriter(Protocol):
    """Writes a grounded reply from passages (generate.llm_writer.LlmWriter), or says why not."""

    @property
    def brand(self) -> BrandPolicy: ...

    def write(
        self,
        question: str,
        language: str,
        passages: Sequence[Passage],
        *,
        style: ReplyStyle,
        history: Sequence[Turn] = (),
        profile: CustomerProfile | None = None,
    ) -> Written: ...


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
        writer: ReplyWriter | None = None,
    ) -> None:
        self._store = store
        self._retriever = retriever
        self._outbound = outbound
        self._clock = clock
        self._writer = writer  # None: extractive answers only

    def handle(self, message: InboundMessage) -> TurnResult:
        conversation = self._store.load(message.conversation_id, message.channel)
        language = detect_language(message.text, default=conversation.language or "en")
        at = float(message.sent_at) or self._clock()
        customer = Turn("customer", message.text, at, message.message_id, language)
        begun = self._store.save(conversation, lambda c: _begin(c, customer))
        if begun is None:
            logger.info("already answered", extra={"message_id": message.message_id})
            return TurnResult(None, 0)
        reply = compose(
            message, language, self._retriever, writer=self._writer, history=conversation.turns
        )
        try:
            parts = self._send(message, reply)
        except Exception:
            self._store.save(begun, lambda c: c.abandon(customer))
            raise
        agent = Turn("agent", reply.text, at, message.message_id, reply.language, reply.source)
        self._store.save(begun, lambda c: c.finish(agent))
        logger.info(
            "answered",
            extra={
                "conversation": pseudonym(conversation.id),
                "message_id": message.message_id,
                "language": language,
                "source": reply.source,
                "citations": [c.id for c in reply.citations],
            },
        )
        return TurnResult(reply, parts)

    def _send(self, message: InboundMessage, reply: Reply) -> int:
        outbound = self._outbound(message.channel)
        parts = split_text(reply.text, outbound.max_text)
        for part in parts:
            outbound.send_text(message, part)
        return len(parts)


def _begin(conversation: Conversation, customer: Turn) -> Conversation:
    """The right to answer a message goes to whoever records its turn first."""
    if conversation.has_answered(customer.message_id):
        return conversation
    return conversation.begin(customer)


def compose(
    message: InboundMessage,
    language: str,
    retriever: Retriever,
    *,
    writer: ReplyWriter | None = None,
    history: Sequence[Turn] = (),
    style: ReplyStyle | None = None,
    profile: CustomerProfile | None = None,
) -> Reply:
    """What the agent answers, in the customer's language when the help centre has it: a reply
    written by the LLM when one is configured and its reply passes the guards, else the
    extractive answer, else a person follows up."""
    language = language if language in ANSWER_LANGUAGES else "en"
    if message.kind is Kind.UNSUPPORTED:
        return Reply(say("unsupported", language), language, "unsupported")
    if is_greeting(message.text):
        return Reply(say("greeting", language), language, "greeting")
    if style is None:  # a private conversation on the message's channel
        brand_max = writer.brand.max_reply_chars if writer else DEFAULT_MAX_CHARS
        style = reply_style(message.channel.value, brand_max=brand_max)
    passages = retriever.search(message.text, k=PASSAGES, lang=language)
    if writer and answerable(passages):
        written = writer.write(
            message.text, language, passages, style=style, history=history, profile=profile
        )
        if written.reply:
            return written.reply
    answer = extractive_answer(passages, language, style.max_chars)
    return answer or Reply(say("no_answer", language), language, "fallback")
