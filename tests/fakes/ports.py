"""In-memory stand-ins for the pipeline's ports: no AWS, no HTTP.

FakeConversationStore follows the ConversationStore protocol of socialcare.pipeline;
FakeOutbound follows the Outbound protocol of socialcare.channels.outbound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from socialcare.channels.outbound_http import DeliveryFailed
from socialcare.model import Channel, Conversation, InboundMessage, Turn


class FakeConversationStore:
    """Conversations in a dict, with the right to answer each message held once."""

    def __init__(self) -> None:
        self.turns: dict[str, list[Turn]] = {}
        self.channels: dict[str, Channel] = {}
        self.claims: set[tuple[str, str]] = set()
        self.released: list[tuple[str, str]] = []

    def load(self, conversation_id: str, channel: Channel, limit: int) -> Conversation:
        self.channels.setdefault(conversation_id, channel)
        turns = list(self.turns.get(conversation_id, []))
        return Conversation(conversation_id, channel, turns[-limit:] if limit else turns)

    def begin_turn(self, conversation_id: str, customer: Turn) -> bool:
        key = (conversation_id, customer.message_id)
        if key in self.claims:
            return False
        self.claims.add(key)
        self._append(conversation_id, customer)
        return True

    def abandon_turn(self, conversation_id: str, customer: Turn) -> None:
        self.claims.discard((conversation_id, customer.message_id))
        self.turns[conversation_id].remove(customer)
        self.released.append((conversation_id, customer.message_id))

    def finish_turn(self, conversation_id: str, agent: Turn) -> None:
        self._append(conversation_id, agent)

    def _append(self, conversation_id: str, turn: Turn) -> None:
        self.turns.setdefault(conversation_id, []).append(turn)

    # Helpers for assertions
    def history(self, conversation_id: str) -> list[Turn]:
        return list(self.turns.get(conversation_id, []))

    def seed(self, conversation_id: str, *turns: Turn) -> None:
        for turn in turns:
            self._append(conversation_id, turn)


@dataclass
class Sent:
    recipient: str
    message_id: str
    text: str


@dataclass
class FakeOutbound:
    """Records what would have been sent; `fail_next` makes the next N sends raise."""

    max_text: int = 4096
    fail_next: int = 0
    sent: list[Sent] = field(default_factory=list)
    attempts: int = 0

    def send_text(self, message: InboundMessage, text: str) -> None:
        self.attempts += 1
        if self.fail_next > 0:
            self.fail_next -= 1
            raise DeliveryFailed("fake platform: HTTP 503")
        self.sent.append(Sent(message.recipient, message.message_id, text))
