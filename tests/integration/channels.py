"""Signed deliveries of N customer messages for every webhook channel, and how to forge them:
the cases the channel tests run for each platform."""

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
    deliver: Callable[[list[str]], Delivery]  # one delivery carrying these customer texts
    auth_header: str  # the header that proves the platform sent it ("" : in the query string)
    batches: bool = True  # whether the platform puts several messages into one delivery

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
        lambda texts: telegram_update(4242, {"text": texts[0]}),
        "X-Telegram-Bot-Api-Secret-Token",
        batches=False,
    ),
    ChannelCase(
        "whatsapp",
        "WebhookWhatsAppFunction",
        lambda texts: whatsapp_delivery("4915100000001", [whatsapp_text(t) for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "messenger",
        "WebhookMessengerFunction",
        lambda texts: meta_messages("messenger", "6789012345678901", [{"text": t} for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "instagram",
        "WebhookInstagramFunction",
        lambda texts: meta_messages("instagram", "1254459154682919", [{"text": t} for t in texts]),
        "X-Hub-Signature-256",
    ),
    ChannelCase(
        "x",
        "WebhookXFunction",
        lambda texts: x_direct_message("1205290247124217856", texts[0]),
        "x-twitter-webhooks-signature",
        batches=False,
    ),
    ChannelCase(
        "wechat",
        "WebhookWeChatFunction",
        lambda texts: wechat_text("oLumenCustomer0001", texts[0]),
        "",
        batches=False,
    ),
    ChannelCase(
        "line",
        "WebhookLineFunction",
        lambda texts: line_events(
            "U206d25c2ea6bd87c17655609a1c37cb8", [line_text(t) for t in texts]
        ),
        "X-Line-Signature",
    ),
]
