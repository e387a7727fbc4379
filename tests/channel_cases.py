"""Signed deliveries of N customer messages for every webhook channel, and how to forge them:
the cases the integration and end-to-end tests run for each platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from socialcare_local.traffic import (
    Delivery,
    line_events,
    line_text,
    meta_messages,
    telegram_update,
    wechat_text,
    whatsapp_delivery,
    whatsapp_text,
    x_direct_message,
)


@dataclass(frozen=True)
class ChannelCase:
    channel: str
    function: str  # the template's logical id
    deliver_as: Callable[[int, list[str]], Delivery]  # customer number n writes these texts
    auth_header: str  # the header that proves the platform sent it ("" : in the query string)
    batches: bool = True  # whether the platform puts several messages into one delivery

    def deliver(self, texts: list[str], customer: int = 4242) -> Delivery:
        """One delivery carrying these customer texts (one per message, where it batches)."""
        return self.deliver_as(customer, texts)

    def forged(self, delivery: Delivery) -> Delivery:
        if not self.auth_header:  # WeChat: a signature for another body and token
            return replace(delivery, path=delivery.path.replace("signature=", "signature=0"))
        headers = {**delivery.headers, self.auth_header: "sha256=" + "A" * 44}
        return replace(delivery, headers=headers)

    def unsigned(self, delivery: Delivery) -> Delivery:
        if not self.auth_header:
            return replace(delivery, path=delivery.path.split("?")[0])
        headers = {k: v for k, v in delivery.headers.items() if k != self.auth_header}
        return replace(delivery, headers=headers)


CASES = [
    ChannelCase(
        "telegram",
        "WebhookTelegramFunction",
        lambda n, texts: telegram_update(n, {"text": texts[0]}),
        "X-Telegram-Bot-Api-Secret-Token",
        batches=False,
    ),
    ChannelCase(
        "whatsapp",
        "WebhookWhatsAppFunction",
        lambda n, texts: whatsapp_delivery(f"49151{n:08d}", [whatsapp_text(t) for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "messenger",
        "WebhookMessengerFunction",
        lambda n, texts: meta_messages("messenger", f"67{n:014d}", [{"text": t} for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "instagram",
        "WebhookInstagramFunction",
        lambda n, texts: meta_messages("instagram", f"12{n:014d}", [{"text": t} for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "x",
        "WebhookXFunction",
        lambda n, texts: x_direct_message(f"120529{n:013d}", texts[0]),
        "x-twitter-webhooks-signature",
        batches=False,
    ),
    ChannelCase(
        "wechat",
        "WebhookWeChatFunction",
        lambda n, texts: wechat_text(f"oLumenCustomer{n:06d}", texts[0]),
        "",
        batches=False,
    ),
    ChannelCase(
        "line",
        "WebhookLineFunction",
        lambda n, texts: line_events(f"U{n:032x}", [line_text(t) for t in texts]),
        "X-Line-Signature",
    ),
]
