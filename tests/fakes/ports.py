"""In-memory stand-ins for the pipeline's ports: no AWS, no HTTP.

FakeConversationStore follows the ConversationStore protocol of socialcare.pipeline;
FakeOutbound follows the Outbound protocol of socialcare.channels.outbound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from socialcare.channels.outbound_http import DeliveryFailed
from socialcare.model import Channel, Conversation, InboundMessage, Turn


class FakeConversationStore:
    """Conversations in a dict; the same turn (role, message_id) stored twice is kept once."""

    def __init__(self) -> None:
        self.turns: dict[str, list[Turn]] = {}
        self.channels: dict[str, Channel] = {}
        self.claims: set[tuple[str, str]] = set()
        self.released: list[tuple[str, str]] = []

    def load(self, conversation_id: str, channel: Channel, limit: int) -> Conversation:
        self.channels.setdefault(conversation_id, channel)
        turns = list(self.turns.get(conversation_id, []))
        return Conversation(conversation_id, channel, turns[-limit:] if limit else turns)

    def append(self, conversation_id: str, turns: list[Turn]) -> None:
        stored = self.turns.setdefault(conversation_id, [])
        seen = {(t.role, t.message_id) for t in stored}
        for turn in turns:
            if (turn.role, turn.message_id) not in seen:
                stored.append(turn)
                seen.add((turn.role, turn.message_id))

    def claim_reply(self, conversation_id: str, message_id: str) -> bool:
        key = (conversation_id, message_id)
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    def release_reply(self, conversation_id: str, message_id: str) -> None:
        self.claims.discard((conversation_id, message_id))
        self.released.append((conversation_id, message_id))

    # Helpers for assertions
    def history(self, conversation_id: str) -> list[Turn]:
        return list(self.turns.get(conversation_id, []))

    def seed(self, conversation_id: str, *turns: Turn) -> None:
        self.append(conversation_id, list(turns))


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
