"""Realistic, correctly signed platform webhooks for the local stack: used by the demo, the
benchmarks and the end-to-end tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from socialcare.channels.wechat_crypto import WeChatCrypto, signature
from socialcare_local.credentials import credential

_ids = count(int(time.time() * 1000) % 10**9)

WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
MESSENGER_PAGE_ID = "104351285392613"
INSTAGRAM_ACCOUNT_ID = "17841405822304914"
X_BRAND_ID = "2975699229"
WECHAT_ACCOUNT = "gh_lumen00dev"
LINE_DESTINATION = "U4af4980629lumen0000000000000000"


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
    return meta_headers(raw, secret)


def meta_headers(raw: bytes, app_secret: str) -> dict[str, str]:
    signature_hex = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature_hex}"}


def _meta_delivery(
    channel: str, account: str, entry: dict[str, Any], recipient: str, texts: tuple[str, ...]
) -> Delivery:
    obj = "page" if channel == "messenger" else "instagram"
    body = {"object": obj, "entry": [{"id": account, "time": int(time.time() * 1000), **entry}]}
    raw = json.dumps(body).encode()
    secret = credential(f"{channel.upper()}_APP_SECRET")
    return Delivery(
        channel, f"/webhooks/{channel}", raw, meta_headers(raw, secret), recipient, texts
    )


def meta_messages(channel: str, customer: str, messages: list[dict[str, Any]]) -> Delivery:
    """Messenger or Instagram direct messages ({"text": ...}, {"quick_reply": ...} ...) from one
    customer, batched in one entry as Meta does."""
    account = MESSENGER_PAGE_ID if channel == "messenger" else INSTAGRAM_ACCOUNT_ID
    now = int(time.time() * 1000)
    events = [
        {
            "sender": {"id": customer},
            "recipient": {"id": account},
            "timestamp": now,
            "message": {"mid": f"m_local{next(_ids)}", **m},
        }
        for m in messages
    ]
    texts = tuple(str(m.get("text", "")) for m in messages)
    return _meta_delivery(channel, account, {"messaging": events}, customer, texts)


def meta_comment(channel: str, author: str, text: str) -> Delivery:
    """A public comment on the brand's Page post (Messenger) or Instagram media."""
    comment_id = f"{next(_ids)}_{next(_ids)}"
    if channel == "messenger":
        value: dict[str, Any] = {
            "from": {"id": author, "name": "Ada Lovelace"},
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": f"{MESSENGER_PAGE_ID}_{next(_ids)}",
            "message": text,
            "created_time": int(time.time()),
        }
        change = {"field": "feed", "value": value}
        account = MESSENGER_PAGE_ID
    else:
        value = {
            "from": {"id": author, "username": "ada.l"},
            "media": {"id": str(next(_ids)), "media_product_type": "FEED"},
            "id": comment_id,
            "text": text,
        }
        change = {"field": "comments", "value": value}
        account = INSTAGRAM_ACCOUNT_ID
    return _meta_delivery(channel, account, {"changes": [change]}, comment_id, (text,))


def x_headers(raw: bytes, consumer_secret: str | None = None) -> dict[str, str]:
    secret = credential("X_CONSUMER_SECRET") if consumer_secret is None else consumer_secret
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode(),
    }


def x_direct_message(user: str, text: str) -> Delivery:
    event = {
        "type": "message_create",
        "id": str(next(_ids)),
        "created_timestamp": str(int(time.time() * 1000)),
        "message_create": {
            "target": {"recipient_id": X_BRAND_ID},
            "sender_id": user,
            "message_data": {"text": text, "entities": {"hashtags": [], "urls": []}},
        },
    }
    raw = json.dumps({"for_user_id": X_BRAND_ID, "direct_message_events": [event]}).encode()
    return Delivery("x", "/webhooks/x", raw, x_headers(raw), user, (text,))


def x_mention(user: str, text: str) -> Delivery:
    """A public post by `user` mentioning the brand (@LumenCo)."""
    post_id = str(next(_ids))
    tweet = {
        "id_str": post_id,
        "text": f"@LumenCo {text}",
        "user": {"id_str": user, "screen_name": "ada"},
        "in_reply_to_status_id_str": None,
        "entities": {"user_mentions": [{"id_str": X_BRAND_ID, "screen_name": "LumenCo"}]},
        "timestamp_ms": str(int(time.time() * 1000)),
    }
    raw = json.dumps(
        {"for_user_id": X_BRAND_ID, "user_has_blocked": False, "tweet_create_events": [tweet]}
    ).encode()
    return Delivery("x", "/webhooks/x", raw, x_headers(raw), post_id, (text,))


def wechat_message(
    openid: str,
    fields: str,
    texts: tuple[str, ...] = (),
    *,
    token: str | None = None,
    aes_key: str | None = None,
) -> Delivery:
    """A WeChat XML message (`fields`: its type's elements), signed as WeChat signs it, and
    encrypted when WECHAT_ENCODING_AES_KEY is set (safe mode)."""
    xml = (
        f"<xml><ToUserName><![CDATA[{WECHAT_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>{fields}</xml>"
    ).encode()
    timestamp, nonce = str(int(time.time())), str(next(_ids))
    secret_token = credential("WECHAT_TOKEN") if token is None else token
    query = {"signature": signature(secret_token, timestamp, nonce), "timestamp": timestamp}
    query |= {"nonce": nonce, "openid": openid}
    aes_key = credential("WECHAT_ENCODING_AES_KEY") if aes_key is None else aes_key
    if aes_key:
        crypto = WeChatCrypto(aes_key, credential("WECHAT_APP_ID"))
        encrypted = crypto.encrypt(xml, os.urandom(16))
        xml = (
            f"<xml><ToUserName><![CDATA[{WECHAT_ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        ).encode()
        query |= {
            "encrypt_type": "aes",
            "msg_signature": signature(secret_token, timestamp, nonce, encrypted),
        }
    path = f"/webhooks/wechat?{urlencode(query)}"
    return Delivery("wechat", path, xml, {"Content-Type": "text/xml"}, openid, texts)


def wechat_text(openid: str, text: str, aes_key: str | None = None) -> Delivery:
    fields = (
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{escape(text)}]]></Content>"
        f"<MsgId>{next(_ids)}</MsgId>"
    )
    return wechat_message(openid, fields, (text,), aes_key=aes_key)


def line_headers(raw: bytes, channel_secret: str | None = None) -> dict[str, str]:
    secret = credential("LINE_CHANNEL_SECRET") if channel_secret is None else channel_secret
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Line-Signature": base64.b64encode(digest).decode(),
    }


def line_events(user: str, events: list[dict[str, Any]]) -> Delivery:
    """LINE events from one user ({"type": "message", "message": {...}}, {"type": "follow"} ...),
    each with its own reply token, event id and message id, in one delivery."""
    now = int(time.time() * 1000)
    stamped = [
        {
            "replyToken": f"{user}.{next(_ids)}",
            "mode": "active",
            "timestamp": now,
            "source": {"type": "user", "userId": user},
            "webhookEventId": f"01LOCAL{next(_ids)}",
            "deliveryContext": {"isRedelivery": False},
            **e,
        }
        for e in events
    ]
    for event in stamped:
        if "message" in event:
            event["message"] = {"id": str(next(_ids)), "quoteToken": "q", **event["message"]}
    raw = json.dumps({"destination": LINE_DESTINATION, "events": stamped}).encode()
    texts = tuple(str(e.get("message", {}).get("text", "")) for e in events)
    return Delivery("line", "/webhooks/line", raw, line_headers(raw), user, texts)


def line_text(text: str) -> dict[str, Any]:
    return {"type": "message", "message": {"type": "text", "text": text}}


@dataclass(frozen=True)
class WebchatSession:
    token: str
    session_id: str


def webchat_session(base_url: str) -> WebchatSession:
    status, body = post(base_url, "/webchat/session", b"", {})
    if status != 200:
        raise RuntimeError(f"POST /webchat/session answered {status}")
    issued = json.loads(body)
    return WebchatSession(issued["token"], issued["session_id"])


def webchat_message(session: WebchatSession, text: str, payload: str = "") -> Delivery:
    body: dict[str, Any] = {"session_id": session.session_id, "id": str(next(_ids)), "text": text}
    if payload:
        body["payload"] = payload
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {session.token}"}
    raw = json.dumps(body).encode()
    return Delivery("webchat", "/webhooks/webchat", raw, headers, session.session_id, (text,))


def webchat_replies(
    base_url: str, session: WebchatSession, at_least: int, timeout_s: float = 10.0
) -> list[dict[str, Any]]:
    """The session's replies, long-polling GET /webchat/replies until there are `at_least`."""
    replies: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    while len(replies) < at_least and time.monotonic() < deadline:
        cursor = replies[-1]["cursor"] if replies else ""
        request = urllib.request.Request(
            f"{base_url}/webchat/replies?{urlencode({'after': cursor, 'wait': 5})}",
            headers={"Authorization": f"Bearer {session.token}"},
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            replies.extend(json.loads(response.read())["replies"])
    return replies


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
