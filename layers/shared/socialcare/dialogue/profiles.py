"""Customer profiles: who the customer is across channels, what they prefer, what they bought.

The display name is personal data: the profile store keeps it encrypted at rest (a KMS key of
its own), it never goes into a conversation, a log line or a metric, and it is only used to greet
the customer by name. A customer without consent keeps no name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar, Protocol

from socialcare.model import InboundMessage

VIP = "vip"


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    id: str  # "<channel>:<platform sender id>" of the customer's first channel
    display_name: str = ""  # only with consent; never logged
    language: str = ""  # the language the customer prefers (the one they last wrote in)
    tier: str = "standard"  # "vip" puts their conversations first in the agents' queue
    tags: tuple[str, ...] = ()
    consent: bool = False  # may the brand keep their name to greet them
    conversations: tuple[str, ...] = ()  # ids of their conversations, oldest first
    orders: tuple[str, ...] = ()  # order numbers they gave or bought
    linked: tuple[str, ...] = ()  # their ids on other channels, which resolve to this profile

    MAX_HISTORY: ClassVar[int] = 50

    @property
    def vip(self) -> bool:
        return self.tier == VIP

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.consent and self.display_name else ""

    def saw(self, conversation_id: str, language: str, orders: tuple[str, ...]) -> CustomerProfile:
        """With this conversation, language and orders remembered."""
        conversations = tuple(c for c in self.conversations if c != conversation_id)
        known = tuple(o for o in self.orders if o not in orders)
        return replace(
            self,
            language=language or self.language,
            conversations=(*conversations, conversation_id)[-self.MAX_HISTORY :],
            orders=(*known, *orders)[-self.MAX_HISTORY :],
        )

    def merged(self, other: CustomerProfile) -> CustomerProfile:
        """This profile with another channel's profile of the same person folded in."""
        return replace(
            self,
            display_name=self.display_name or other.display_name,
            consent=self.consent or other.consent,
            language=self.language or other.language,
            tags=tuple(dict.fromkeys((*self.tags, *other.tags))),
            conversations=tuple(dict.fromkeys((*self.conversations, *other.conversations))),
            orders=tuple(dict.fromkeys((*self.orders, *other.orders))),
            linked=tuple(dict.fromkeys((*self.linked, other.id, *other.linked))),
        )


def customer_id(message: InboundMessage) -> str:
    return f"{message.channel.value}:{message.sender_id}"


class CustomerProfiles(Protocol):
    def load(self, customer_id: str) -> CustomerProfile:
        """The profile, following a link to the profile it was merged into; a new one if none."""

    def update(
        self, customer_id: str, change: Callable[[CustomerProfile], CustomerProfile]
    ) -> CustomerProfile:
        """Store change(profile) for the profile `customer_id` resolves to; returns it."""

    def link(self, primary_id: str, other_id: str) -> CustomerProfile:
        """From now on `other_id` (the same person on another channel) resolves to `primary_id`."""


class AnonymousCustomers:
    """No profile store: every customer is new and nothing is remembered (tools, some tests)."""

    def load(self, customer_id: str) -> CustomerProfile:
        return CustomerProfile(customer_id)

    def update(
        self, customer_id: str, change: Callable[[CustomerProfile], CustomerProfile]
    ) -> CustomerProfile:
        return change(CustomerProfile(customer_id))

    def link(self, primary_id: str, other_id: str) -> CustomerProfile:
        return CustomerProfile(primary_id, linked=(other_id,))
