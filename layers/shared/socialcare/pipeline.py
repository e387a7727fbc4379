"""One turn, start to end: the use case the worker runs for each customer message."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from socialcare.channels.capabilities import capabilities
from socialcare.channels.outbound import Outbound, Outgoing, keyed, render
from socialcare.dialogue.confidence import Choice, Verdict, read_intent, weigh
from socialcare.dialogue.consent import (
    FORGET_SLOT,
    FORGOTTEN,
    Consent,
    consent_reply,
    consent_request,
    name_in,
    remembered,
)
from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.linking import Linked, Linking
from socialcare.dialogue.memory import MAX_EPISODES, memory
from socialcare.dialogue.messages import TOPICS, is_closer, is_greeting, say
from socialcare.dialogue.orders import NoOrderSystem, OrderSystem
from socialcare.dialogue.personal import (
    PersonalOrders,
    in_private,
    prompt_profile,
    vip_complaint,
    who_is,
)
from socialcare.dialogue.policy import (
    NOT_ANSWERED,
    Action,
    Decision,
    DecisionInput,
    decide,
    fails_again,
    order_entities,
)
from socialcare.dialogue.profiles import (
    AnonymousCustomers,
    CustomerProfile,
    CustomerProfiles,
    customer_id,
)
from socialcare.dialogue.replies import (
    ask_order_number,
    clarify_reply,
    close_reply,
    greeting,
    handoff_reply,
    not_covered_reply,
    personalised,
)
from socialcare.dialogue.satisfaction import Step, satisfaction
from socialcare.dialogue.scope import out_of_scope, vague
from socialcare.erasure import CustomerErasure
from socialcare.generate.brand import BrandPolicy
from socialcare.generate.extractive import (
    answerable,
    extractive_answer,
    more_line,
    passage_reply,
)
from socialcare.generate.llm_writer import Written
from socialcare.generate.prompt import CustomerProfile as PromptProfile
from socialcare.generate.reply_style import DEFAULT_MAX_CHARS, ReplyStyle, reply_style
from socialcare.insights.metrics import Metrics, NoMetrics, TurnOutcome
from socialcare.insights.outcomes import marked
from socialcare.knowledge.port import Passage, Probe, Retriever, probe
from socialcare.model import (
    AnswerInProgress,
    Channel,
    Conversation,
    InboundMessage,
    Kind,
    Reply,
    State,
    Turn,
    Visibility,
)
from socialcare.pseudonyms import Pseudonyms, per_process
from socialcare.understand.risk_exemplars import similar_risk
from socialcare.understand.text import sanitize
from socialcare.understand.understanding import Understanding, understand

logger = logging.getLogger(__name__)

# How long an attempt holds the right to send a reply: longer than the worker's timeout (a live
# attempt is never overtaken), shorter than the queue's visibility timeout (a killed one is resent
# by the next delivery).
DEFAULT_LEASE_S = 30.0

# Languages the help centre is written in; others get the English article, with a line saying so.
ANSWER_LANGUAGES = frozenset({"en", "zh"})
# Languages the agent's own messages (greeting, clarify, handoff, close ...) are written in.
MESSAGE_LANGUAGES = frozenset({"en", "zh", "es", "fr", "de", "pt", "ja", "ko"})
PASSAGES = 3  # the help-centre passages an LLM reply is written from
# A message longer than this is not one question: the agent asks what it is about.
MAX_QUESTION_CHARS = 2000
# The help-centre article whose link a security handoff gives (change the password now).
SECURITY_ARTICLE = "recover-password"
SECURITY_QUERY = {"en": "reset my password", "zh": "重置密码"}
Slots = tuple[tuple[str, str], ...]  # details a reply leaves for the conversation to remember


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
        profile: PromptProfile | None = None,
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
    reply: Reply | None  # None when the message had already been answered, or a human owns it
    parts_sent: int
    action: Action | None = None  # what the dialogue policy decided (None: already answered)


@dataclass(frozen=True, slots=True)
class DialogueSettings:
    handback_after_s: float = 3600.0  # an agent silent this long hands the conversation back
    expected_wait_minutes: int = 5  # told to the customer on a handoff
    brand: str = ""  # the name greetings give; empty: the packaged brand policy's
    memory_days: float = 90.0  # past sessions older than this are not remembered


class TurnHandler:
    def __init__(
        self,
        store: ConversationStore,
        retriever: Retriever,
        outbound: Callable[[Channel], Outbound],
        *,
        clock: Callable[[], float] = time.time,
        profiles: CustomerProfiles | None = None,
        orders: OrderSystem | None = None,
        metrics: Metrics | None = None,
        dialogue: DialogueSettings | None = None,
        lease_s: float = DEFAULT_LEASE_S,
        writer: ReplyWriter | None = None,
        pseudonym: Callable[[str], str] | None = None,
        erasure: Callable[[], CustomerErasure] | None = None,
        linking: Linking | None = None,
    ) -> None:
        self._store = store
        self._retriever = LastProbe(retriever)
        self._outbound = outbound
        self._clock = clock
        self._profiles = profiles or AnonymousCustomers()
        self._orders = PersonalOrders(orders or NoOrderSystem())
        self._metrics = metrics or NoMetrics()
        self._dialogue = dialogue or DialogueSettings()
        self._lease_s = lease_s
        self._writer = writer  # None: extractive answers only
        # Keyed: a WhatsApp id is a phone number, and so are the message ids that embed it.
        self._pseudonym: Callable[[str], str] = pseudonym or Pseudonyms(per_process())
        # "forget me": built on the first one (None: no erasure here, "forget me" is a question)
        self._erasure = erasure
        self._linking = linking  # one-time codes across channels (None: not offered)

    def handle(self, message: InboundMessage) -> TurnResult:
        ref = self._pseudonym(message.message_id)
        conversation = self._store.load(message.conversation_id, message.channel)
        if conversation.has_answered(message.message_id):
            logger.info("already answered", extra={"message_ref": ref})
            if _said(conversation, message.message_id) == FORGOTTEN:
                self._forget(customer_id(message))  # an erasure that stopped half-way, again
            return TurnResult(None, 0)
        profile = self._profiles.load(customer_id(message))
        default_language = conversation.language or profile.language or "en"
        understood = understand(message.text, default_language=default_language)
        language = understood.language
        at = float(message.sent_at) or self._clock()
        found = self._look_up(message, language)
        customer = _customer_turn(message, understood, at, found)
        now = self._clock()
        claimed = self._store.save(
            conversation,
            lambda c: _claim(c, customer, message, profile, now=now, lease_s=self._lease_s),
        )
        sending = claimed.sending_of(message.message_id) if claimed else None
        if claimed is None or sending is None:
            logger.info("already answered", extra={"message_ref": ref})
            return TurnResult(None, 0)
        decision = decide(
            DecisionInput(
                claimed,
                customer,
                message.kind,
                now=now,
                handback_after_s=self._dialogue.handback_after_s,
                seen_risk=similar_risk(found.vector) if found else None,
            )
        )
        reply, decision, slots = self._reply(
            message, language, decision, customer=customer, conversation=claimed, profile=profile
        )
        sent: list[Outgoing] = []
        if reply is None:  # a human owns the conversation: recorded, nothing sent
            self._store.save(
                claimed, lambda c: _after(c.settle(message.message_id), decision, at, slots)
            )
        else:
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
            self._store.save(claimed, lambda c: _after(c.finish(agent), decision, at, slots))
        self._remember(message, customer, language, decision)
        self._report(message, understood, decision, reply, claimed, slots=slots)
        if reply is not None and reply.source == FORGOTTEN and sent:  # "forget me", said
            self._forget(customer_id(message))
        return TurnResult(reply, len(sent), decision.action)

    def _forget(self, who: str) -> None:
        """Everything stored about the customer erased, once the reply saying so has gone."""
        if self._erasure is not None:
            record = self._erasure().erase(who, "customer")
            logger.info("forget me", extra={"complete": record.complete})

    def _reply(
        self,
        message: InboundMessage,
        language: str,
        decision: Decision,
        *,
        customer: Turn,
        conversation: Conversation,
        profile: CustomerProfile,
    ) -> tuple[Reply | None, Decision, Slots]:
        """The reply the decision calls for (None: stay silent), the final decision (an answer
        the help centre does not have for the second time goes to a human instead), and the
        details the conversation remembers of it."""
        language = language if language in MESSAGE_LANGUAGES else "en"
        consent = consent_request(customer.text) if message.kind is Kind.TEXT else None
        if consent is Consent.FORGET and self._erasure is None:
            consent = None  # nothing could erase them: never say it was done
        if decision.action is Action.SILENT:  # "forget me" waits for the agent's reply
            return None, decision, ((FORGET_SLOT, "1"),) if consent is Consent.FORGET else ()
        # The satisfaction question's tap, the question after a "thanks", a reopen.
        step = satisfaction(conversation, customer, language) if consent is None else Step(None)
        if step.reply is not None:
            answered = replace(decision, action=Action.ANSWER, order_number="")
            return step.reply, answered, step.slots
        reply, decision, slots = self._respond(
            message,
            language,
            decision,
            consent,
            customer=customer,
            conversation=conversation,
            profile=profile,
        )
        return reply, decision, (*step.slots, *slots)

    def _respond(
        self,
        message: InboundMessage,
        language: str,
        decision: Decision,
        consent: Consent | None,
        *,
        customer: Turn,
        conversation: Conversation,
        profile: CustomerProfile,
    ) -> tuple[Reply | None, Decision, Slots]:
        """The reply to a message the satisfaction flow leaves to the dialogue."""
        if consent is Consent.FORGET:  # erased, whatever else the message asks
            forget = replace(decision, action=Action.ANSWER)
            return self._consent(consent, message, language, conversation), forget, ()
        # A one-time code asked for or typed: an explicit command, which the intent model tends
        # to read as "delete my account".
        linked = self._link(message, customer, conversation, language)
        if linked is not None:
            answered = replace(decision, action=Action.ANSWER, order_number="")
            return linked.reply, answered, linked.slots
        if decision.action is Action.HANDOFF:
            return self._handoff(language, decision), decision, ()
        if consent is not None:  # "remember me", a name typed
            return self._consent(consent, message, language, conversation), decision, ()
        if vip_complaint(profile, customer):  # a VIP's complaint goes to a person first
            return self._handed_off(language, decision, HandoffReason.VIP_COMPLAINT)
        # Order privacy, verification and "my order" from the customer's own orders.
        personal = self._personal(message, language, decision, conversation, profile)
        if personal is not None:
            return personal
        if decision.action is Action.ASK:
            knowledge = self._knowledge(message, language, decision)
            return ask_order_number(language, knowledge), decision, ()
        written = self._compose(message, language, conversation, profile, decision.intent)
        if written.wants_human:  # the LLM judged that a person should take over
            return self._handed_off(language, decision, HandoffReason.LLM_WANTS_HUMAN)
        reply = personalised(written, profile, self._dialogue.brand)
        if reply.source in NOT_ANSWERED and fails_again(conversation.turns, customer):
            return self._handed_off(language, decision, HandoffReason.REPEATED_FAILURE)
        return reply, decision, ()

    def _handed_off(
        self, language: str, decision: Decision, reason: HandoffReason
    ) -> tuple[Reply, Decision, Slots]:
        handoff = replace(decision, action=Action.HANDOFF, reason=reason)
        return self._handoff(language, handoff), handoff, ()

    def _link(
        self, message: InboundMessage, customer: Turn, conversation: Conversation, language: str
    ) -> Linked | None:
        if self._linking is None or message.kind is not Kind.TEXT:
            return None
        who = customer_id(message)
        return self._linking.handle(customer.text, who, conversation, language, self._clock())

    def _consent(
        self, consent: Consent, message: InboundMessage, language: str, conversation: Conversation
    ) -> Reply:
        name = name_in(conversation.turns)
        if consent is Consent.REMEMBER:
            self._profiles.update(customer_id(message), lambda p: remembered(p, name, language))
        return consent_reply(consent, name, language)

    def _personal(
        self,
        message: InboundMessage,
        language: str,
        decision: Decision,
        conversation: Conversation,
        profile: CustomerProfile,
    ) -> tuple[Reply, Decision, Slots] | None:
        """The answer only this customer may get: a proof of an order's contact checked, an
        order's status for its owner (a request to verify for anyone else), or their own open
        orders for "my order". None: not about an order the bot can answer."""
        who = who_is(customer_id(message), profile, conversation)
        outcome = self._orders.verify(conversation, message, who, language)
        if outcome is None and decision.order_number:
            knowledge = self._knowledge(message, language, decision)
            outcome = self._orders.answer(
                decision.order_number, decision.intent, who, language, knowledge
            )
        elif outcome is None and decision.action is Action.ASK and who.orders:
            knowledge = self._knowledge(message, language, decision)
            outcome = self._orders.mine(decision.intent, who, language, knowledge)
        if outcome is None:
            return None
        outcome = in_private(outcome, message)
        if outcome.handoff:
            decision = replace(decision, action=Action.HANDOFF, reason=outcome.handoff)
        elif outcome.order_number:
            decision = replace(decision, action=Action.ANSWER, order_number=outcome.order_number)
        return outcome.reply, decision, outcome.slots

    def _knowledge(
        self, message: InboundMessage, language: str, decision: Decision
    ) -> Reply | None:
        """The help centre's how-to that goes with an order question ("how do I cancel?" is
        answered at once); none for tracking, which the order's status answers."""
        if decision.intent == "track_order":
            return None
        return compose(message, language, self._retriever, intent=decision.intent)

    def _look_up(self, message: InboundMessage, language: str) -> Probe | None:
        """The message's one search, made before the decision so that the topic model's reading
        of its e5 vector can inform the intent; compose() reuses it (None: nothing to search)."""
        text = sanitize(message.text)
        if message.kind is not Kind.TEXT or not _searchable(text):
            return None
        return probe(self._retriever, text, k=PASSAGES + 1, lang=_search_language(language))

    def _handoff(self, language: str, decision: Decision) -> Reply:
        """The handoff message; for a security case, what to do now from the help centre."""
        advice = ""
        if decision.reason in (HandoffReason.SECURITY, HandoffReason.FRAUD):
            advice = say("security_now", language)
            lang = language if language in ANSWER_LANGUAGES else "en"
            found = self._retriever.search(SECURITY_QUERY[lang], k=3, lang=lang)
            article = next((p for p in found if p.id == SECURITY_ARTICLE), None)
            if article is not None:
                advice += "\n" + more_line(article.url, language)
        wait = self._dialogue.expected_wait_minutes
        return handoff_reply(language, wait, urgent=decision.urgent, advice=advice)

    def _compose(
        self,
        message: InboundMessage,
        language: str,
        conversation: Conversation,
        profile: CustomerProfile,
        intent: str,
    ) -> Reply:
        """compose() with the LLM writer when one is configured (None: extractive answers)."""
        if self._writer is None:
            return compose(
                message, language, self._retriever, brand=self._dialogue.brand, intent=intent
            )
        history = tuple(t for t in conversation.turns if t.message_id != message.message_id)
        return compose(
            message,
            language,
            self._retriever,
            writer=self._writer,
            history=history,
            profile=prompt_profile(profile, self._memory(conversation, profile)),
            brand=self._dialogue.brand,
            intent=intent,
        )

    def _memory(self, conversation: Conversation, profile: CustomerProfile) -> tuple[str, ...]:
        """The customer's past sessions, here and on their other channels."""
        others = [c for c in profile.conversations[-MAX_EPISODES:] if c != conversation.id]
        loaded = [self._store.load(c, Channel(c.split(":")[0])) for c in others if _channel_of(c)]
        return memory([*loaded, conversation], self._clock(), self._dialogue.memory_days)

    def _remember(
        self, message: InboundMessage, customer: Turn, language: str, decision: Decision
    ) -> None:
        orders = tuple(e.value.lstrip("#") for e in order_entities(customer))
        if decision.order_number and decision.order_number not in orders:
            orders = (*orders, decision.order_number)
        self._profiles.update(
            customer_id(message), lambda p: p.saw(message.conversation_id, language, orders)
        )

    def _report(
        self,
        message: InboundMessage,
        understood: Understanding,
        decision: Decision,
        reply: Reply | None,
        conversation: Conversation,
        *,
        slots: Slots = (),
    ) -> None:
        source = reply.source if reply else ""
        outcomes, csat = marked(conversation, decision.action is Action.HANDOFF, slots)
        self._metrics.record(
            TurnOutcome(
                message.channel.value,
                understood.intent.name,
                understood.sentiment.label,
                decision.action.value,
                decision.reason,
                source,
                understood.language,
                outcomes,
                csat,
            )
        )
        logger.info(
            "answered" if reply else "recorded for the human agent",
            extra={
                "conversation": self._pseudonym(conversation.id),
                "message_ref": self._pseudonym(message.message_id),
                "language": understood.language,
                "intent": understood.intent.name,
                "sentiment": understood.sentiment.label,
                "toxic": understood.toxic,
                "urgent": understood.urgent,
                "action": decision.action.value,
                "handoff_reason": decision.reason,
                "source": source,
                "citations": [c.id for c in reply.citations] if reply else [],
            },
        )

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


def _said(conversation: Conversation, message_id: str) -> str:
    """The source of the bot's reply to the message ("" when there is none)."""
    replies = [t for t in conversation.turns if t.role == "agent" and t.message_id == message_id]
    return replies[-1].source if replies else ""


def _channel_of(conversation_id: str) -> bool:
    return conversation_id.split(":", maxsplit=1)[0] in set(Channel)


def _customer_turn(
    message: InboundMessage, understood: Understanding, at: float, found: Probe | None
) -> Turn:
    intent, confidence = read_intent(
        understood.intent.name, understood.intent.confidence, found.reading if found else None
    )
    return Turn(
        "customer",
        message.text,
        at,
        message.message_id,
        understood.language,
        intent=intent,
        confidence=confidence,
        sentiment=understood.sentiment.label,
        sentiment_score=understood.sentiment.score,
        entities=understood.entities,
        toxic=understood.toxic,
        urgent=understood.urgent,
    )


def _claim(
    conversation: Conversation,
    customer: Turn,
    message: InboundMessage,
    profile: CustomerProfile,
    *,
    now: float,
    lease_s: float,
) -> Conversation:
    """Who may send the reply to the customer's message: the first attempt to record its turn,
    or the next one once the holder has released it or its hold has expired (presumed killed).
    Unchanged when the reply has gone out; AnswerInProgress while another attempt holds it.
    The first attempt also tells the conversation where a human agent's reply would go."""
    sending = conversation.sending_of(customer.message_id)
    if sending is not None:
        if sending.since and now - sending.since < lease_s:
            raise AnswerInProgress("another attempt is answering the message")
        return conversation.hold(customer.message_id, now)
    if conversation.has_answered(customer.message_id):
        return conversation
    contact = replace(
        message,
        text="",
        parts=(),
        payload="",
        reply_token="",  # one-time handles are spent by the bot's reply
        visibility=Visibility.PRIVATE,
    )
    begun = conversation.begin(customer, message.reply_key, now)
    return replace(begun, contact=contact, customer_id=profile.id, vip=profile.vip)


def _release(conversation: Conversation, message_id: str, since: float) -> Conversation:
    """Without this attempt's hold on the message, unless another attempt has taken it over."""
    sending = conversation.sending_of(message_id)
    if sending is None or sending.since != since:
        return conversation
    return conversation.hold(message_id, 0.0)


def _after(
    conversation: Conversation, decision: Decision, at: float, slots: Slots = ()
) -> Conversation:
    """The conversation's state and memory after the bot's reply."""
    for name, value in slots:
        conversation = conversation.remember(name, value)
    if decision.handed_back or conversation.state is State.RESOLVED:
        conversation = conversation.hand_back()
    match decision.action:
        case Action.HANDOFF:
            return conversation.hand_off(decision.reason, at, urgent=decision.urgent)
        case Action.ASK:
            return replace(conversation, pending_intent=decision.intent)
    if decision.order_number:
        conversation = conversation.remember("order_number", decision.order_number)
    return replace(conversation, pending_intent="")


def compose(
    message: InboundMessage,
    language: str,
    retriever: Retriever,
    *,
    writer: ReplyWriter | None = None,
    history: Sequence[Turn] = (),
    style: ReplyStyle | None = None,
    profile: PromptProfile | None = None,
    brand: str = "",
    intent: str = "",
) -> Reply:
    """What the agent answers, in the customer's language when the help centre has it: a reply
    written by the LLM when one is configured and its reply passes the guards, else the
    extractive answer, else a person follows up. `brand`: the name a greeting gives (empty:
    the packaged brand policy's); `intent`: the intent model's reading, which the decision to
    answer weighs."""
    language = language if language in MESSAGE_LANGUAGES else "en"
    reply = _private_reply(
        message,
        language,
        retriever,
        writer=writer,
        history=history,
        style=style,
        profile=profile,
        brand=brand,
        intent=intent,
    )
    if message.visibility is Visibility.PUBLIC:
        # Everybody reads a public answer: it invites to a private message and names nothing.
        return replace(reply, public=say("go_private", language))
    return reply


def _private_reply(
    message: InboundMessage,
    language: str,
    retriever: Retriever,
    *,
    writer: ReplyWriter | None,
    history: Sequence[Turn],
    style: ReplyStyle | None,
    profile: PromptProfile | None,
    brand: str,
    intent: str,
) -> Reply:
    if message.kind is Kind.UNSUPPORTED:
        return Reply(say("unsupported", language), language, "unsupported")
    if message.kind is Kind.HELP:
        topics = TOPICS.get(language, TOPICS["en"])
        return Reply(say("help", language), language, "help", options=topics)
    if message.kind is Kind.MENTION:
        return Reply(say("mention", language), language, "mention")
    if message.kind is Kind.FOLLOW or is_greeting(message.text):
        return greeting(language, brand)
    if is_closer(message.text):
        return close_reply(language)
    text = sanitize(message.text)
    if not _searchable(text):
        return clarify_reply(language)  # empty, emoji only, or pages of text
    if out_of_scope(text):
        return not_covered_reply(language)
    search_language = _search_language(language)
    found = probe(retriever, text, k=PASSAGES + 1, lang=search_language)
    asks = "?" in text or "？" in text
    verdict = weigh(found, intent, vague=vague(text), asks=asks)
    if _chose_an_option(text, language, found):  # a topic or an article it offered
        verdict = Verdict(Choice.ANSWER, tuple(found.passages[:1]), verdict.confidence)
    if verdict.choice is Choice.DECLINE:
        return not_covered_reply(language)
    if verdict.choice is Choice.CLARIFY:
        return clarify_reply(language, verdict.passages)
    best = verdict.passages[0]
    passages = [best, *(p for p in found.passages if p.id != best.id)][:PASSAGES]
    answer = _answer(
        text,
        search_language,
        passages,
        message,
        writer=writer,
        style=style,
        history=history,
        profile=profile,
    )
    if search_language != language and answer.citations:
        answer = replace(answer, text=f"{say('in_english', language)}\n{answer.text}")
    return answer


def _searchable(text: str) -> bool:
    """Not empty, emoji only or pages of text: something to look up."""
    return any(c.isalnum() for c in text) and len(text) <= MAX_QUESTION_CHARS


def _search_language(language: str) -> str:
    return language if language in ANSWER_LANGUAGES else "en"


class LastProbe:
    """The knowledge base, remembering the last probe: the decision and the reply read the same
    search (one e5 embedding per message), and an evaluation reads what the decision saw."""

    def __init__(self, retriever: Retriever) -> None:
        self._retriever = retriever
        self._last: tuple[tuple[str, int, str | None, tuple[str, ...]], Probe] | None = None

    @property
    def last(self) -> Probe | None:
        return self._last[1] if self._last else None

    def forget(self) -> None:
        self._last = None

    def search(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> list[Passage]:
        return self._retriever.search(query, k=k, lang=lang, tags=tags)

    def probe(
        self, query: str, *, k: int = 5, lang: str | None = None, tags: Sequence[str] = ()
    ) -> Probe:
        key = (query, k, lang, tuple(tags))
        if self._last is None or self._last[0] != key:
            self._last = (key, probe(self._retriever, query, k=k, lang=lang, tags=tags))
        return self._last[1]


def _chose_an_option(text: str, language: str, found: Probe) -> bool:
    """Whether the message is a quick reply the agent offered: a greeting's topic, or the title
    of the best article (one of two it asked the customer to choose from)."""
    chosen = text.strip().casefold()
    topics = {t.casefold() for t in TOPICS.get(language, TOPICS["en"])}
    titles = {p.title.casefold() for p in found.passages[:1]}
    return bool(found.passages) and (chosen in topics or chosen in titles)


def _answer(
    text: str,
    language: str,
    passages: list[Passage],
    message: InboundMessage,
    *,
    writer: ReplyWriter | None,
    style: ReplyStyle | None,
    history: Sequence[Turn],
    profile: PromptProfile | None,
) -> Reply:
    """The reply from the chosen article: written by the LLM when one is configured and its
    reply passes the guards, else the article's lead."""
    if writer is None and style is None:  # no LLM configured: the extractive answer, uncut
        return passage_reply(passages[0], language)
    if style is None:  # a private conversation on the message's channel
        brand_max = writer.brand.max_reply_chars if writer else DEFAULT_MAX_CHARS
        style = reply_style(message.channel.value, brand_max=brand_max)
    if writer and answerable(passages):
        written = writer.write(
            text, language, passages, style=style, history=history, profile=profile
        )
        if written.reply:
            return written.reply
    answer = extractive_answer(passages, language, style.max_chars)
    return answer or Reply(say("no_answer", language), language, "fallback")
