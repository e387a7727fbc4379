"""X (Account Activity API): direct messages and mentions in; DMs and public replies out.

X proves a webhook URL with the CRC check (a GET with crc_token, answered with its HMAC under the
consumer secret) and signs each POST with `x-twitter-webhooks-signature`: "sha256=" and the
base64 HMAC-SHA256 of the raw body. A delivery names the subscribed brand in `for_user_id`;
everything the brand itself did arrives too, and is left out.

Both use the same MAC, so the CRC answer must never sign something that could pass for a body:
only a token shaped like X's (a short string of the base64/base64url alphabet) is answered, and
anything else (a JSON body, above all) is refused with 400. User ids are numeric strings, checked
at parse time, and escaped again where they go into a URL path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from socialcare.channels.outbound import Audience, Outgoing
from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.payload import as_dict, as_int, as_text, field, json_object
from socialcare.channels.signatures import hmac_sha256_base64, matches
from socialcare.model import Attachment, Channel, InboundMessage, Kind, Part, TextPart, Visibility
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRequest,
    WebhookResponse,
)

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
# X's crc_token is a short random string in the base64 or base64url alphabet (44 characters in
# the tokens seen in the wild); a bounded length and that alphabet leave no room for a JSON body.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{8,128}={0,2}")
# X user ids are 64-bit integers sent as decimal strings ("id_str").
_USER_ID = re.compile(r"[0-9]{1,20}")


class XInbound:
    acknowledgement = "ok"

    def __init__(self, consumer_secret: str) -> None:
        self._consumer_secret = consumer_secret

    def verify(self, request: WebhookRequest) -> None:
        expected = "sha256=" + hmac_sha256_base64(self._consumer_secret, request.body)
        if not self._consumer_secret or not matches(
            expected, request.headers.get(SIGNATURE_HEADER)
        ):
            raise BadSignature("missing or wrong x-twitter-webhooks-signature")

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        """The challenge-response check X runs on registration and then about hourly."""
        token = request.query.get("crc_token", "")
        if not token or not self._consumer_secret:
            raise BadHandshake("no crc_token, or no consumer secret to answer it with")
        if not CRC_TOKEN.fullmatch(token):
            raise MalformedPayload("crc_token is not shaped like X's")
        response_token = "sha256=" + hmac_sha256_base64(self._consumer_secret, token.encode())
        return WebhookResponse(
            200, json.dumps({"response_token": response_token}), "application/json"
        )

    def parse(self, body: bytes) -> list[InboundMessage]:
        payload = json_object(body)
        brand = _user_id(field(payload, "for_user_id", str), "for_user_id")
        return [
            *_direct_messages(brand, _events(payload, "direct_message_events")),
            *_mentions(brand, _events(payload, "tweet_create_events")),
        ]  # likes, follows, typing and read indicators, deletions: nothing to answer


def _events(payload: dict[str, Any], name: str) -> list[dict[str, Any]]:
    events = payload.get(name, [])
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise MalformedPayload(f"{name} is not a list of objects")
    return events


def _user_id(value: str, name: str) -> str:
    """A user id as X sends it (decimal digits), or MalformedPayload: ids become URL paths."""
    if not _USER_ID.fullmatch(value):
        raise MalformedPayload(f"{name} is not a numeric X user id")
    return value


def _between(brand: str, customer: str, text: str) -> dict[str, Any]:
    """What a DM and a mention by the same customer share: one conversation with the brand."""
    return {
        "channel": Channel.X,
        "conversation_id": f"x:{brand}:{customer}",
        "sender_id": customer,
        "recipient": customer,
        "account_id": brand,
        "kind": Kind.TEXT if text.strip() else Kind.UNSUPPORTED,
        "text": text,
    }


def _direct_messages(brand: str, events: list[dict[str, Any]]) -> Iterator[InboundMessage]:
    for event in events:
        if event.get("type") != "message_create":
            continue
        create = field(event, "message_create", dict)
        sender = _user_id(field(create, "sender_id", str), "sender_id")
        if sender == brand:
            continue  # a DM the brand sent, our replies included
        data = as_dict(create.get("message_data"))
        text = as_text(data.get("text"))
        parts: list[Part] = [TextPart(text)] if text else []
        attachment = as_dict(data.get("attachment"))
        if attachment:
            media = as_dict(attachment.get("media"))
            parts.append(
                Attachment(as_text(media.get("type")) or "media", as_text(media.get("id_str")))
            )
        yield InboundMessage(
            **_between(brand, sender, text),
            message_id=f"dm:{field(event, 'id', str)}",
            sent_at=as_int(event.get("created_timestamp")) // 1000,
            platform_type="direct_message",
            parts=tuple(parts),
            payload=as_text(as_dict(data.get("quick_reply_response")).get("metadata")),
        )


def _mentions(brand: str, tweets: list[dict[str, Any]]) -> Iterator[InboundMessage]:
    for tweet in tweets:
        author = _user_id(as_text(as_dict(tweet.get("user")).get("id_str")), "author id_str")
        if author == brand or "retweeted_status" in tweet:
            continue  # the brand's own posts (our replies) and reposts: nothing to answer
        mentioned = {
            as_text(m.get("id_str"))
            for m in as_dict(tweet.get("entities")).get("user_mentions") or ()
            if isinstance(m, dict)
        }
        if brand not in mentioned and tweet.get("in_reply_to_user_id_str") != brand:
            continue
        text = as_text(as_dict(tweet.get("extended_tweet")).get("full_text")) or as_text(
            tweet.get("text")
        )
        post_id = field(tweet, "id_str", str)
        yield InboundMessage(
            **_between(brand, author, text),
            message_id=f"post:{post_id}",
            sent_at=as_int(tweet.get("timestamp_ms")) // 1000,
            platform_type="mention",
            parts=(TextPart(text),) if text else (),
            reply_to=as_text(tweet.get("in_reply_to_status_id_str")),
            visibility=Visibility.PUBLIC,
            thread_id=post_id,
        )


class XOutbound:
    """X API v2: POST /2/tweets for a public reply, /2/dm_conversations/with/{id}/messages for
    a direct message, with the brand's user-context access token."""

    def __init__(self, http: PlatformHttp, api_base: str, access_token: str) -> None:
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        for one in outgoing:
            if one.audience is Audience.PUBLIC:
                self._http.post_json(
                    f"{self._api_base}/2/tweets",
                    {"text": one.text, "reply": {"in_reply_to_tweet_id": message.thread_id}},
                    headers=self._headers,
                    idempotency_key=one.key,
                )
            else:
                self._http.post_json(
                    f"{self._api_base}/2/dm_conversations/with/"
                    f"{quote(message.recipient, safe='')}/messages",
                    {"text": one.text},
                    headers=self._headers,
                    idempotency_key=one.key,
                )
