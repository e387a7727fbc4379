"""Realistic, correctly signed platform webhooks for the local stack: used by the demo, the
benchmarks and the end-to-end tests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from typing import Any

from socialcare_local.credentials import credential

_ids = count(int(time.time() * 1000) % 10**9)

WHATSAPP_PHONE_NUMBER_ID = "106540352242922"


@dataclass(frozen=True)
class Delivery:
    channel: str
    path: str
    body: bytes
    headers: dict[str, str]
    recipient: str  # where the replies go
    texts: tuple[str, ...]  # what the customer wrote, one per message in the delivery


def telegram_update(chat_id: int, message: dict[str, Any]) -> Delivery:
    """A Telegram Update carrying `message` (text, sticker, location ...) from a private chat."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Ada", "language_code": "en"}
    update = {
        "update_id": next(_ids),
        "message": {
            "message_id": next(_ids),
            "from": user,
            "chat": {"id": chat_id, "first_name": "Ada", "type": "private"},
            "date": int(time.time()),
            **message,
        },
    }
    return Delivery(
        "telegram",
        "/webhooks/telegram",
        json.dumps(update).encode(),
        telegram_headers(),
        str(chat_id),
        (str(message.get("text", "")),),
    )


def telegram_headers(secret_token: str | None = None) -> dict[str, str]:
    token = credential("TELEGRAM_SECRET_TOKEN") if secret_token is None else secret_token
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": token}


def whatsapp_delivery(wa_id: str, messages: list[dict[str, Any]]) -> Delivery:
    """One Cloud API delivery with several messages from one customer, as Meta batches them."""
    stamped = [
        {"from": wa_id, "id": f"wamid.local{next(_ids)}", "timestamp": str(int(time.time())), **m}
        for m in messages
    ]
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": WHATSAPP_PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": wa_id}],
                            "messages": stamped,
                        },
                    }
                ],
            }
        ],
    }
    raw = json.dumps(body).encode()
    return Delivery(
        "whatsapp",
        "/webhooks/whatsapp",
        raw,
        whatsapp_headers(raw),
        wa_id,
        tuple(m.get("text", {}).get("body", "") for m in messages),
    )


def whatsapp_text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": text}}


def whatsapp_headers(raw: bytes, app_secret: str | None = None) -> dict[str, str]:
    secret = credential("WHATSAPP_APP_SECRET") if app_secret is None else app_secret
    signature = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}


def post(base_url: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(base_url + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def deliver(base_url: str, delivery: Delivery) -> tuple[int, str]:
    return post(base_url, delivery.path, delivery.body, delivery.headers)


def sent(sandbox_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{sandbox_url}/_sent", timeout=5) as response:
        return list(json.loads(response.read()))


def wait_for_sent(sandbox_url: str, at_least: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
    """Everything the sandbox recorded, once it holds at least `at_least` messages."""
    deadline = time.monotonic() + timeout_s
    while True:
        messages = sent(sandbox_url)
        if len(messages) >= at_least or time.monotonic() > deadline:
            return messages
        time.sleep(0.01)
