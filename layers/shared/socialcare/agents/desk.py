"""What a human agent can do with a conversation, whatever carries the request (the Agent API,
a test): read the queue and a transcript, reply on the customer's channel, resolve, hand back.

Replies are stored with a conditional write that is retried on a conflict, so two agents
replying at once both get their message stored and sent; a resolved conversation takes none.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any, Protocol

from socialcare.agents.summary import summarise
from socialcare.channels.capabilities import capabilities
from socialcare.channels.outbound import Outbound, render
from socialcare.dialogue.consent import FORGET_SLOT
from socialcare.dialogue.memory import memory
from socialcare.dialogue.messages import say
from socialcare.dialogue.profiles import CustomerProfiles
from socialcare.dialogue.satisfaction import ASKED_SLOT, RESOLVED_AT_SLOT, asking, question
from socialcare.erasure import BadCustomerId, CustomerErasure, check_customer_id
from socialcare.insights.figures import WINDOW_S, HourlyCounts, insights
from socialcare.model import Channel, Conversation, Reply, State, Turn
from socialcare.pipeline import ConversationStore
from socialcare.understand.pii import redact
from socialcare.understand.text import sanitize

MAX_REPLY_CHARS = 4000
MAX_QUEUE = 1000
MEMORY_DAYS = 90.0  # the past sessions an agent sees (as the worker's DialogueSettings.memory_days)


class DeskError(Exception):
    status = 400


class BadRequest(DeskError):
    status = 400


class UnknownConversation(DeskError):
    status = 404


class ConversationClosed(DeskError):
    """A reply or hand-back to a resolved conversation, or one the agent cannot reach."""

    status = 409


class ErasureIncomplete(DeskError):
    """Something of the customer's was still there after the erasure (a worker stored a new
    message meanwhile): the agent is told so, and erases again."""

    status = 503


class AgentConversations(ConversationStore, Protocol):
    def find(self, conversation_id: str) -> Conversation | None: ...

    def queue(self, state: State, limit: int) -> list[Conversation]: ...


class AgentDesk:
    def __init__(
        self,
        store: AgentConversations,
        profiles: CustomerProfiles,
        outbound: Callable[[Channel], Outbound],
        erasure: Callable[[], CustomerErasure],
        *,
        clock: Callable[[], float] = time.time,
        counts: HourlyCounts | None = None,
    ) -> None:
        self._store = store
        self._counts = counts  # the insights' hourly counts (None: the insights show none)
        self._profiles = profiles
        self._outbound = outbound
        self._erasure = erasure  # built on the first erasure: most calls never need it
        self._clock = clock

    def queue(self, state: str, limit: int = MAX_QUEUE) -> list[dict[str, Any]]:
        try:
            wanted = State(state)
        except ValueError:
            raise BadRequest(f"state must be one of {', '.join(State)}") from None
        return [_queue_entry(c) for c in self._store.queue(wanted, min(limit, MAX_QUEUE))]

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        conversation = self._find(conversation_id)
        profile = (
            self._profiles.load(conversation.customer_id) if conversation.customer_id else None
        )
        return {
            **_queue_entry(conversation),
            "turns": [asdict(t) for t in conversation.turns],
            "slots": dict(conversation.slots),
            "profile": asdict(profile) if profile else None,
            "summary": summarise(conversation),
            "memory": memory([conversation], self._clock(), MEMORY_DAYS),  # issue 19
        }

    def reply(self, conversation_id: str, agent: str, text: str) -> dict[str, Any]:
        """Send the agent's text on the customer's channel; the agent owns the conversation.
        Refused (409, nothing stored) when the channel's message window has closed; undone
        (the turn gone, the conversation back in the queue as it was) when the send fails."""
        text = sanitize(text).strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            raise BadRequest(f"text must have 1 to {MAX_REPLY_CHARS} characters")
        conversation = self._find(conversation_id)
        contact = conversation.contact
        if contact is None:
            raise ConversationClosed("the customer has not written yet: nowhere to reply")
        now = self._clock()
        caps = capabilities(contact.channel)
        if not caps.window_open(conversation.customer_last_wrote, now):
            raise ConversationClosed(
                f"{contact.channel.value}'s reply window has closed: the customer has to write"
                " again before a reply can reach them; nothing was sent"
            )
        message_id = f"agent:{uuid.uuid4()}"
        # Stored redacted, like every turn; the customer gets the agent's words as written.
        turn = Turn("agent", redact(text), now, message_id, conversation.language, "human")

        def take(current: Conversation) -> Conversation:
            if current.state is State.RESOLVED:
                raise ConversationClosed("the conversation is resolved")
            return current.human_reply(agent, turn)

        stored = self._store.save(conversation, take)
        to = replace(contact, message_id=message_id)
        outgoing = render(Reply(text, conversation.language or "en", "human"), to, caps, True)
        try:
            self._outbound(contact.channel).send(to, outgoing)
        except Exception:
            # Not sent: not in the transcript, and the conversation waits where it waited.
            self._store.save(conversation, lambda c: _unsent(c, conversation, agent, message_id))
            raise
        if stored is not None and stored.slot(FORGET_SLOT) and stored.customer_id:
            # The customer said "forget me" while waiting for a person: erased once answered.
            self._erasure().erase(stored.customer_id, "customer")
            return {"message_id": message_id, "sent": len(outgoing), "state": "erased"}
        return {"message_id": message_id, "sent": len(outgoing), "state": _state(stored)}

    def resolve(self, conversation_id: str) -> dict[str, Any]:
        """Resolved; the customer gets the one-tap satisfaction question, once per
        conversation (issue 19)."""
        conversation = self._find(conversation_id)
        if conversation.slot(FORGET_SLOT) and conversation.customer_id:
            # Resolved without a reply to "forget me": erased now, and asked nothing more.
            self._erasure().erase(conversation.customer_id, "customer")
            return {"id": conversation_id, "state": "erased"}
        now = self._clock()
        ask = conversation.contact is not None and not conversation.slot(ASKED_SLOT)
        marks = asking(now) if ask else ((RESOLVED_AT_SLOT, f"{now:.0f}"),)

        def resolved(current: Conversation) -> Conversation:
            for name, value in marks:
                current = current.remember(name, value)
            return current.resolve()

        stored = self._store.save(conversation, resolved)
        if ask:
            self._tell(conversation, question(conversation.language or "en"), "csat")
        return {"id": conversation_id, "state": _state(stored) or State.RESOLVED.value}

    def hand_back(self, conversation_id: str) -> dict[str, Any]:
        """Back to the bot, and the customer is told so in their language."""
        conversation = self._find(conversation_id)
        if conversation.state is State.RESOLVED:
            raise ConversationClosed("the conversation is resolved")
        self._store.save(conversation, lambda c: c.hand_back())
        if conversation.state is not State.BOT:
            language = conversation.language or "en"
            self._tell(conversation, Reply(say("handback", language), language, "handback"))
        return {"id": conversation_id, "state": State.BOT.value}

    def _tell(self, conversation: Conversation, reply: Reply, kind: str = "handback") -> None:
        """The bot's message to the customer, within the channel's message window."""
        if conversation.contact is None:
            return
        contact = replace(conversation.contact, message_id=f"{kind}:{uuid.uuid4()}")
        caps = capabilities(contact.channel)
        window = caps.window_open(conversation.customer_last_wrote, self._clock())
        self._outbound(contact.channel).send(contact, render(reply, contact, caps, window))

    def insights(self) -> dict[str, Any]:
        """From the hourly counts and the conversations agents own: no scan of the table."""
        now = self._clock()
        hours = self._counts.hourly(now - WINDOW_S) if self._counts else []
        return insights(hours, self._store.queue(State.HUMAN, MAX_QUEUE), now)

    def link(self, customer_id: str, other_id: str) -> dict[str, Any]:
        if not other_id or other_id == customer_id:
            raise BadRequest("give the other channel's customer id as `other`")
        for given in (customer_id, other_id):
            try:
                check_customer_id(given)
            except BadCustomerId as error:
                raise BadRequest(str(error)) from None
        return asdict(self._profiles.link(customer_id, other_id))

    def erase(self, customer_id: str, agent: str) -> dict[str, Any]:
        """Everything stored about the customer deleted, audited under the agent's id."""
        try:
            check_customer_id(customer_id)
        except BadCustomerId as error:
            raise BadRequest(str(error)) from None
        record = self._erasure().erase(customer_id, agent)
        if not record.complete:
            left = sum(record.remaining.values())
            raise ErasureIncomplete(f"erasure incomplete: {left} item(s) remain, erase again")
        return record.to_json()

    def _find(self, conversation_id: str) -> Conversation:
        conversation = self._store.find(conversation_id)
        if conversation is None:
            raise UnknownConversation(f"no conversation {conversation_id}")
        return conversation


def _state(conversation: Conversation | None) -> str:
    return conversation.state.value if conversation else ""


def _unsent(
    current: Conversation, before: Conversation, agent: str, message_id: str
) -> Conversation:
    """`current` without the agent's unsent message; when that message made the agent its
    owner, its state and ownership go back to what they were before it."""
    turns = tuple(t for t in current.turns if t.message_id != message_id)
    if current.owner != agent or before.owner == agent:
        return replace(current, turns=turns)
    return replace(
        current,
        turns=turns,
        state=before.state,
        owner=before.owner,
        waiting_since=before.waiting_since,
        first_human_reply_at=before.first_human_reply_at,
        human_active_at=before.human_active_at,
    )


def _queue_entry(conversation: Conversation) -> dict[str, Any]:
    last = next((t for t in reversed(conversation.turns) if t.role == "customer"), None)
    return {
        "id": conversation.id,
        "channel": conversation.channel.value,
        "state": conversation.state.value,
        "owner": conversation.owner,
        "vip": conversation.vip,
        "handoff_reason": conversation.handoff_reason,
        "waiting_since": conversation.waiting_since,
        "language": conversation.language,
        "last_message": last.text if last else "",
        "last_intent": last.intent if last else "",
        "last_sentiment": last.sentiment if last else "",
        "version": conversation.version,
    }
