"""The order system, as the dialogue sees it: a port, and how an order's status is told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from socialcare.dialogue.messages import say

OPEN_STATUSES = frozenset({"processing", "shipped"})


@dataclass(frozen=True, slots=True)
class Order:
    number: str
    status: str  # processing, shipped, delivered, cancelled, refunded
    carrier: str = ""
    eta: str = ""  # ISO date the carrier expects to deliver
    customer_id: str = ""  # the profile the order belongs to ("": nobody known)
    # Keyed hashes of the order's e-mail and phone (dialogue.verification), never the contacts
    contact_hashes: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        """Still on its way: the status a customer asking about "my order" means."""
        return self.status in OPEN_STATUSES

    def belongs_to(self, customer_ids: frozenset[str]) -> bool:
        return bool(self.customer_id) and self.customer_id in customer_ids

    def proven_by(self, proofs: tuple[str, ...]) -> bool:
        return bool(self.contact_hashes) and any(p in self.contact_hashes for p in proofs)


class OrderSystem(Protocol):
    def find(self, number: str) -> Order | None:
        """The order with this number, or None when there is none."""


_STATUS = {
    "processing": {"en": "is being prepared in our warehouse", "zh": "正在仓库备货"},
    "shipped": {"en": "has shipped", "zh": "已发货"},
    "delivered": {"en": "has been delivered", "zh": "已签收"},
    "cancelled": {"en": "was cancelled", "zh": "已取消"},
    "refunded": {"en": "was refunded", "zh": "已退款"},
}


def order_status(order: Order | None, number: str, language: str) -> str:
    """One sentence on the order's real status, in the customer's language."""
    if order is None:
        return say("order_unknown", language).format(number=number)
    zh = language == "zh"
    status = _STATUS.get(order.status, {"en": order.status, "zh": order.status})
    text = f"订单 {order.number} {status['zh']}" if zh else f"Order {order.number} {status['en']}"
    if order.carrier:
        text += f"，承运商 {order.carrier}" if zh else f" with {order.carrier}"
    if order.eta and order.status == "shipped":
        text += f"，预计 {order.eta} 送达" if zh else f", expected on {order.eta}"
    return text + ("。" if zh else ".")


class NoOrderSystem:
    """No order system connected: every order is unknown."""

    def find(self, number: str) -> Order | None:
        return None
