"""Answers that depend on who the customer is: an order's status only for the customer it belongs
to (anyone else proves the order's e-mail or phone, or a person takes over), and "my order"
answered from the customer's own open orders.

Who may see an order: the profile it belongs to (the customer's id on this channel, their profile
and every channel linked to it), or a customer who proved its contact in this conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.messages import say
from socialcare.dialogue.orders import Order, OrderSystem, order_status
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.dialogue.replies import order_reply
from socialcare.generate.prompt import CustomerProfile as PromptProfile
from socialcare.model import Conversation, InboundMessage, Reply, Turn, Visibility

VERIFY_SLOT = "verify_order"  # the order whose contact the customer was asked to prove
VERIFIED_SLOT = "verified_orders"  # orders proven in this conversation, space-separated
MAX_OPTIONS = 3  # open orders offered as quick replies
MAX_LOOKUPS = 10  # the customer's latest orders looked up for "my order"
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}

MESSAGES: dict[str, dict[str, str]] = {
    "verify_order": {
        "en": "To keep your orders private, I can only share the status of order {number} with "
        "its owner. Please send the e-mail address or phone number on the order.",
        "zh": "为保护订单隐私,订单 {number} 的状态只能告知下单人。请发送该订单预留的邮箱或手机号。",
    },
    "verify_failed": {
        "en": "That doesn't match the details on the order, so I'm passing you to a member of "
        "our team, who will reply right here.",
        "zh": "您提供的信息与订单不符,我将为您转接人工客服,客服会直接在这里回复您。",
    },
    "which_order": {
        "en": "You have {count} open orders. Which one is it about?",
        "zh": "您有 {count} 笔进行中的订单,请问是哪一笔?",
    },
}


def personal_say(key: str, language: str) -> str:
    texts = MESSAGES[key]
    return texts.get(language, texts["en"])


@dataclass(frozen=True, slots=True)
class Outcome:
    """A personal answer, what the conversation remembers of it, and whether a person takes
    over (the handoff reason; "" when the bot answered)."""

    reply: Reply
    slots: tuple[tuple[str, str], ...] = ()
    handoff: str = ""
    order_number: str = ""  # the order the answer is about, remembered for the next question


@dataclass(frozen=True, slots=True)
class Customer:
    """Who is asking: every id of their profile, and the orders they proved in this chat."""

    ids: frozenset[str]
    verified: tuple[str, ...]
    orders: tuple[str, ...]  # order numbers their profile lists (given or bought)

    def may_see(self, order: Order) -> bool:
        return order.belongs_to(self.ids) or order.number in self.verified


def who_is(
    message_customer_id: str, profile: CustomerProfile, conversation: Conversation
) -> Customer:
    ids = frozenset({message_customer_id, profile.id, *profile.linked})
    verified = tuple(conversation.slot(VERIFIED_SLOT).split())
    return Customer(ids, verified, profile.orders)


class PersonalOrders:
    def __init__(self, orders: OrderSystem) -> None:
        self._orders = orders

    def verify(
        self, conversation: Conversation, message: InboundMessage, customer: Customer, language: str
    ) -> Outcome | None:
        """The answer to the proof the bot asked for (None: nothing asked, or no proof given)."""
        pending = conversation.slot(VERIFY_SLOT)
        if not pending or not message.proofs:
            return None
        # A message that is only an e-mail or phone reads as "[PHONE]": the question's language.
        language = _asked_in(conversation) or language
        order = self._orders.find(pending)
        if order is None or not order.proven_by(message.proofs):
            text = personal_say("verify_failed", language)
            reply = Reply(text, language, "handoff")
            return Outcome(reply, ((VERIFY_SLOT, ""),), handoff=HandoffReason.VERIFICATION_FAILED)
        verified = " ".join(dict.fromkeys((*customer.verified, pending)))
        reply = Reply(order_status(order, pending, language), language, "order")
        slots = ((VERIFY_SLOT, ""), (VERIFIED_SLOT, verified))
        return Outcome(reply, slots, order_number=pending)

    def answer(
        self,
        number: str,
        intent: str,
        customer: Customer,
        language: str,
        knowledge: Reply | None,
    ) -> Outcome:
        """The order's status for its owner; anyone else is asked to prove its contact."""
        order = self._orders.find(number)
        if order is None or customer.may_see(order):
            reply = order_reply(order, number, intent, language, knowledge)
            return Outcome(reply, ((VERIFY_SLOT, ""),), order_number=number)
        text = personal_say("verify_order", language).format(number=number)
        return Outcome(Reply(text, language, "verify"), ((VERIFY_SLOT, number),))

    def mine(
        self, intent: str, customer: Customer, language: str, knowledge: Reply | None
    ) -> Outcome | None:
        """ "My order" from a customer with open orders: the one's status, or the choice between
        them as quick replies (None: no open order of theirs; the bot asks for the number)."""
        found = (self._orders.find(n) for n in reversed(customer.orders[-MAX_LOOKUPS:]))
        mine = [o for o in found if o is not None and o.open and o.belongs_to(customer.ids)]
        if not mine:
            return None
        if len(mine) == 1:
            return self.answer(mine[0].number, intent, customer, language, knowledge)
        text = personal_say("which_order", language).format(count=len(mine))
        options = tuple(o.number for o in mine[:MAX_OPTIONS])
        return Outcome(Reply(text, language, "ask_slot", options=options))


def _asked_in(conversation: Conversation) -> str:
    """The language of the bot's latest reply."""
    agent = [t.language for t in conversation.turns if t.role == "agent" and t.language]
    return agent[-1] if agent else ""


def in_private(outcome: Outcome, message: InboundMessage) -> Outcome:
    """On a public post everybody reads the answer: they see an invitation to a private chat."""
    if message.visibility is not Visibility.PUBLIC:
        return outcome
    public = say("go_private", outcome.reply.language)
    return replace(outcome, reply=replace(outcome.reply, public=public))


def vip_complaint(profile: CustomerProfile, customer: Turn) -> bool:
    """A VIP's complaint, or a VIP writing angrily: a person answers it at once rather than
    after the bot's attempts (a standard customer's goes through the usual triggers)."""
    return profile.vip and (customer.intent == "complaint" or customer.sentiment == "negative")


def prompt_profile(profile: CustomerProfile, memory: tuple[str, ...] = ()) -> PromptProfile | None:
    """The facts about the customer the LLM may use: their first name (with consent), their tier,
    their preferred language, and what their last conversations were about."""
    preferences = []
    if profile.vip:
        preferences.append("VIP customer: thank them for their loyalty, be especially attentive")
    if profile.language in LANGUAGE_NAMES:
        preferences.append(f"prefers {LANGUAGE_NAMES[profile.language]}")
    preferences += memory
    if not profile.first_name and not preferences:
        return None
    return PromptProfile(profile.first_name, tuple(preferences))
