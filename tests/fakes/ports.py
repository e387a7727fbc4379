"""In-memory stand-ins for the pipeline's ports: no AWS, no HTTP.

FakeConversationStore follows the ConversationStore protocol of socialcare.pipeline;
FakeOutbound follows the Outbound protocol of socialcare.channels.outbound; FakeCustomers and
FakeOrders the CustomerProfiles and OrderSystem ports of socialcare.dialogue.
ScriptedChatModel and RecordingMetrics follow the ChatModel and Metrics protocols of
socialcare.generate.llm_port.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from socialcare.channels.outbound import Audience, Outgoing
from socialcare.channels.outbound_http import DeliveryFailed
from socialcare.dialogue.orders import Order
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.erasure import ErasureRecord
from socialcare.evaluation.harness import MemoryConversations
from socialcare.generate.llm_port import ChatMessage, Completion, LlmError
from socialcare.model import Channel, Conversation, InboundMessage, State, Turn


class FakeConversationStore(MemoryConversations):
    """Conversations in a dict, versioned like the DynamoDB adapter (the evaluation's store),
    with helpers for the tests."""

    # Helpers for assertions
    def history(self, conversation_id: str) -> list[Turn]:
        return list(
            self.conversations.get(conversation_id, Conversation("", Channel.TELEGRAM)).turns
        )

    # The agents' side of the store (socialcare.agents.desk.AgentConversations)
    def find(self, conversation_id: str) -> Conversation | None:
        return self.conversations.get(conversation_id)

    def queue(self, state: State, limit: int) -> list[Conversation]:
        return [c for c in self.conversations.values() if c.state is state][:limit]

    def scan(self) -> list[Conversation]:
        return list(self.conversations.values())

    def seed(self, conversation_id: str, *turns: Turn) -> None:
        base = self.conversations.get(
            conversation_id, Conversation(conversation_id, Channel.TELEGRAM)
        )
        self.conversations[conversation_id] = replace(base, turns=(*base.turns, *turns))


@dataclass
class Sent:
    recipient: str
    message_id: str
    text: str
    audience: Audience = Audience.PRIVATE
    options: tuple[str, ...] = ()
    key: str = ""


@dataclass
class FakeOutbound:
    """Records what would have been sent; `fail_next` makes the next N sends raise. Like a
    platform that honours idempotency keys, it delivers a part whose key it has seen once."""

    fail_next: int = 0
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0
    keys_seen: list[str] = field(default_factory=list)

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        self.attempts += 1
        self.keys_seen.extend(o.key for o in outgoing)
        if self.fail_next > 0:
            self.fail_next -= 1
            raise DeliveryFailed("fake platform: HTTP 503")
        delivered = {s.key for s in self.sent}
        self.sent.extend(
            Sent(message.recipient, message.message_id, o.text, o.audience, o.options, o.key)
            for o in outgoing
            if not o.key or o.key not in delivered
        )


class FakeCustomers:
    """Customer profiles in a dict, following links like the DynamoDB adapter."""

    def __init__(self, *profiles: CustomerProfile | None) -> None:
        self.profiles = {p.id: p for p in profiles if p is not None}
        self.links: dict[str, str] = {}

    def load(self, customer_id: str) -> CustomerProfile:
        key = self.links.get(customer_id, customer_id)
        return self.profiles.get(key, CustomerProfile(key))

    def update(
        self, customer_id: str, change: Callable[[CustomerProfile], CustomerProfile]
    ) -> CustomerProfile:
        changed = change(self.load(customer_id))
        self.profiles[changed.id] = changed
        return changed

    def link(self, primary_id: str, other_id: str) -> CustomerProfile:
        other = self.load(other_id)
        merged = self.update(primary_id, lambda p: p.merged(other))
        self.links[other_id] = primary_id
        return merged


class FakeOrders:
    def __init__(self, *orders: Order) -> None:
        self.orders = {o.number: o for o in orders}

    def find(self, number: str) -> Order | None:
        return self.orders.get(number)


@dataclass
class ScriptedChatModel:
    """The LLM port, answering from a script: each call takes the next entry, a reply text (or a
    (text, finish_reason) pair) or an LlmError to raise; `clock` advances by `latency_s` a call."""

    script: list[str | tuple[str, str] | LlmError]
    latency_s: float = 0.0
    clock: list[float] = field(default_factory=lambda: [0.0])
    calls: list[list[ChatMessage]] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)
    schemas: list[dict[str, Any] | None] = field(default_factory=list)

    def now(self) -> float:
        return self.clock[0]

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        self.calls.append(list(messages))
        self.timeouts.append(timeout_s)
        self.schemas.append(schema)
        self.clock[0] += min(self.latency_s, timeout_s)
        entry = self.script.pop(0)
        if isinstance(entry, LlmError):
            raise entry
        if self.latency_s > timeout_s:
            raise LlmError("timeout")
        text, finish = entry if isinstance(entry, tuple) else (entry, "stop")
        return Completion(text, finish, prompt_tokens=100, completion_tokens=20)


@dataclass
class RecordingMetrics:
    """The metrics port, keeping every value by name."""

    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str) -> None:
        self.values.setdefault(name, []).append(value)

    def count(self, name: str) -> float:
        return sum(self.values.get(name, []))


class RecordingErasure:
    """The erasure port: records who asked to erase whom, and answers with fixed counts (and
    `remaining`, what it reports left behind)."""

    def __init__(self, remaining: dict[str, int] | None = None) -> None:
        self.calls: list[tuple[str, str]] = []
        self.remaining = remaining or {}

    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        self.calls.append((customer_id, actor))
        deleted = {"conversations": 3}
        return ErasureRecord("ref", actor, "2026-01-01T00:00:00+00:00", deleted, {}, self.remaining)


class MemoryNonces:
    """The WeChat nonce ledger in a dict, answering like store.dynamodb_nonces."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def claim(self, key: str, fingerprint: str, expires_at: int) -> bool:
        return self.seen.setdefault(key, fingerprint) == fingerprint


class MemoryErasure:
    """The erasure port over FakeCustomers and a FakeConversationStore: the customer's profile
    and every conversation of theirs deleted, as the DynamoDB adapter deletes them."""

    def __init__(self, customers: FakeCustomers, store: FakeConversationStore) -> None:
        self.customers = customers
        self.store = store
        self.erased: list[str] = []

    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        profile = self.customers.load(customer_id)
        ids = {customer_id, profile.id, *profile.linked}
        self.customers.profiles.pop(profile.id, None)
        gone = [k for k, c in self.store.conversations.items() if k in ids or c.customer_id in ids]
        for key in gone:
            del self.store.conversations[key]
        self.erased.append(customer_id)
        deleted = {"conversations": len(gone), "customers": 1}
        return ErasureRecord("ref", actor, "2026-01-01T00:00:00+00:00", deleted)


class MemoryLinkCodes:
    """One-time linking codes in a dict, redeemed once like store.dynamodb_link_codes."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, float]] = {}

    def issue(self, code_ref: str, customer_id: str, expires_at: float) -> None:
        self.codes[code_ref] = (customer_id, expires_at)

    def redeem(self, code_ref: str, now: float) -> str:
        owner, expires_at = self.codes.pop(code_ref, ("", 0.0))
        return owner if expires_at >= now else ""
