"""LINE Messaging API: webhook events in; reply (while the token is fresh) or push out.

LINE signs the raw body: `X-Line-Signature` is the base64 HMAC-SHA256 under the channel secret
(line-bot-sdk's SignatureValidator does the same; the SDK itself, with pydantic and aiohttp, is
too big for the Lambda package). A delivery carries any number of events; each has a
webhookEventId, and a message event its message id.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from socialcare.channels.outbound import Outgoing
from socialcare.channels.outbound_http import DeliveryFailed, PlatformHttp
from socialcare.channels.payload import as_dict, as_float, as_int, as_text, field, json_object
from socialcare.channels.signatures import hmac_sha256_base64, matches
from socialcare.model import Attachment, Channel, InboundMessage, Kind, Location, Part, TextPart
from socialcare.webhook import BadSignature, NotAllowed, WebhookRequest, WebhookResponse

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-line-signature"
# A reply token must be used within a minute of the event; after that we push.
REPLY_TOKEN_TTL_S = 50
MAX_MESSAGES_PER_CALL = 5
# LINE's answer to a push whose X-Line-Retry-Key it has already accepted: delivered before.
ACCEPTED_BEFORE = 409
# Events answered by a greeting; the rest (unfollow, leave, memberJoined/Left, unsend,
# videoPlayComplete, beacon, accountLink, things, membership, module, activated ...) are not.
_GREETED = {"follow", "join"}
_MEDIA = {"image", "video", "audio", "file", "sticker"}


class LineInbound:
    acknowledgement = "ok"

    def __init__(self, channel_secret: str) -> None:
        self._channel_secret = channel_secret

    def verify(self, request: WebhookRequest) -> None:
        expected = hmac_sha256_base64(self._channel_secret, request.body)
        if not self._channel_secret or not matches(expected, request.headers.get(SIGNATURE_HEADER)):
            raise BadSignature("missing or wrong X-Line-Signature")

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        raise NotAllowed("LINE webhooks are POST only")

    def parse(self, body: bytes) -> list[InboundMessage]:
        payload = json_object(body)
        destination = as_text(payload.get("destination"))
        events = field(payload, "events", list)  # empty: LINE's "Verify" button
        return [
            message
            for event in events
            if isinstance(event, dict)
            for message in _from_event(destination, event)
        ]


def _from_event(destination: str, event: dict[str, Any]) -> list[InboundMessage]:
    event_type = as_text(event.get("type"))
    if event_type not in _GREETED | {"message", "postback"}:
        return []
    source = as_dict(event.get("source"))
    user = as_text(source.get("userId"))
    # A reply goes where the event came from: the user, or the group or room they wrote in.
    where = as_text(source.get("groupId")) or as_text(source.get("roomId")) or user
    if not where:
        return []
    base: dict[str, Any] = {
        "channel": Channel.LINE,
        "conversation_id": f"line:{destination}:{where}",
        "sender_id": user or where,
        "recipient": where,
        "sent_at": as_int(event.get("timestamp")) // 1000,
        "account_id": destination,
        "reply_token": as_text(event.get("replyToken")),
    }
    event_id = as_text(event.get("webhookEventId"))
    if event_type in _GREETED:
        return [
            InboundMessage(
                **base, message_id=f"event:{event_id}", kind=Kind.FOLLOW, platform_type=event_type
            )
        ]
    if event_type == "postback":
        data = as_text(as_dict(event.get("postback")).get("data"))
        return [
            InboundMessage(
                **base,
                message_id=f"event:{event_id}",
                kind=Kind.TEXT if data.strip() else Kind.UNSUPPORTED,
                text=data,
                platform_type="postback",
                payload=data,
            )
        ]
    message = field(event, "message", dict)
    message_type = as_text(message.get("type"))
    text = as_text(message.get("text")) if message_type == "text" else ""
    parts: list[Part] = [TextPart(text)] if text else []
    if message_type in _MEDIA:
        parts.append(Attachment(message_type, as_text(message.get("id"))))
    elif message_type == "location":
        parts.append(
            Location(
                as_float(message.get("latitude")),
                as_float(message.get("longitude")),
                as_text(message.get("title")) or as_text(message.get("address")),
            )
        )
    return [
        InboundMessage(
            **base,
            message_id=field(message, "id", str),
            kind=Kind.TEXT if text.strip() else Kind.UNSUPPORTED,
            text=text,
            platform_type=message_type,
            parts=tuple(parts),
            reply_to=as_text(message.get("quotedMessageId")),
        )
    ]


class LineOutbound:
    """POST /v2/bot/message/reply with the event's reply token while it is fresh (free, and up to
    five messages at once); POST /v2/bot/message/push otherwise, with the first part's
    idempotency key as X-Line-Retry-Key, so that a resent push is delivered once (LINE answers
    409 to a key it has already accepted)."""

    def __init__(
        self,
        http: PlatformHttp,
        api_base: str,
        access_token: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._clock = clock

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        batches = [
            [_message(one) for one in outgoing[i : i + MAX_MESSAGES_PER_CALL]]
            for i in range(0, len(outgoing), MAX_MESSAGES_PER_CALL)
        ]
        fresh = self._clock() - message.sent_at <= REPLY_TOKEN_TTL_S
        for n, batch in enumerate(batches):
            if n == 0 and message.reply_token and fresh:
                try:
                    self._http.post_json(
                        f"{self._api_base}/v2/bot/message/reply",
                        {"replyToken": message.reply_token, "messages": batch},
                        headers=self._headers,
                        idempotency_key=outgoing[0].key,
                    )
                    continue
                except DeliveryFailed as failed:
                    # Used or expired (a retried turn): the push below still reaches them.
                    logger.info("reply token refused, pushing", extra={"reason": str(failed)})
            first = outgoing[n * MAX_MESSAGES_PER_CALL]
            retry_key = first.key or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{message.reply_key}:{n}"))
            try:
                self._http.post_json(
                    f"{self._api_base}/v2/bot/message/push",
                    {"to": message.recipient, "messages": batch},
                    headers={**self._headers, "X-Line-Retry-Key": retry_key},
                )
            except DeliveryFailed as failed:
                if failed.status != ACCEPTED_BEFORE:
                    raise
                logger.info("push already accepted under its retry key")


def _message(one: Outgoing) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "text", "text": one.text}
    if one.options:
        body["quickReply"] = {
            "items": [
                {"type": "action", "action": {"type": "message", "label": o, "text": o}}
                for o in one.options
            ]
        }
    return body
