"""Erasing one customer: what is asked (a customer id, checked), what the store does (the port)
and what is recorded (the audit record: who, when, how much from which table, never the data).

A customer is known by their customer id ("<channel>:<platform sender id>", the profile's key)
or by one of their conversation ids ("<channel>:<account>:<sender>"); both start with a channel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from socialcare.model import Channel

MAX_ID_CHARS = 256


class BadCustomerId(ValueError):
    """Not an id of anyone this stack could hold data about."""


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    customer_ref: str  # the pseudonym of the id asked for
    actor: str  # who asked for it (an agent, a data-protection officer ...)
    at: str  # ISO 8601, UTC
    deleted: dict[str, int] = field(default_factory=dict)  # table -> items deleted
    unlinked: dict[str, int] = field(default_factory=dict)  # table -> items that lost the id
    # table -> items naming the customer still there when the erasure checked afterwards (a
    # worker storing a new message meanwhile); an erasure with any is not complete.
    remaining: dict[str, int] = field(default_factory=dict)
    stopped: str = ""  # why the erasure stopped half-way (a table that did not answer); "" if not

    @property
    def complete(self) -> bool:
        """Whether nothing of the customer's was left: never claimed when something remains."""
        return not self.stopped and not any(self.remaining.values())

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "complete": self.complete}


class CustomerErasure(Protocol):
    def erase(self, customer_id: str, actor: str) -> ErasureRecord:
        """Delete everything stored about the customer, check that nothing is left, and record
        what was and was not erased (also when it stops half-way: StoreUnavailable follows)."""


def check_customer_id(customer_id: str) -> None:
    """BadCustomerId, saying why, unless the id names a channel and someone on it."""
    channel, _, rest = customer_id.partition(":")
    if channel not in set(Channel):
        raise BadCustomerId(
            f'a customer id starts with a channel ({", ".join(Channel)}), e.g. "telegram:42"'
        )
    if not rest or not rest.strip(":"):
        raise BadCustomerId("the customer id names no one after the channel")
    if len(customer_id) > MAX_ID_CHARS:
        raise BadCustomerId(f"a customer id has at most {MAX_ID_CHARS} characters")
    if not customer_id.isprintable() or any(c.isspace() for c in customer_id):
        raise BadCustomerId("a customer id has no spaces or control characters")
