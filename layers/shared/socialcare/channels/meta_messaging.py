"""Messenger and Instagram: Meta's messaging webhooks in, the Send API and comment replies out.

Both platforms deliver `entry[].messaging[]` events of one shape (messages, quick replies,
postbacks, echoes, reads) and `entry[].changes[]` for public activity: Page feed comments for
Messenger, media comments for Instagram. A customer is keyed by the id the platform gives them on
the brand's account, so a comment and the direct messages after it are one conversation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from socialcare.channels.meta_webhooks import MetaWebhook
from socialcare.channels.outbound import Audience, Outgoing
from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.payload import as_dict, as_int, as_text, field, json_object
from socialcare.model import (
    Attachment,
    Channel,
    InboundMessage,
    Kind,
    Part,
    TextPart,
    Visibility,
)
from socialcare.webhook import MalformedPayload

# The delivery's "object" for each channel, and the change field that carries public comments.
_OBJECT = {Channel.MESSENGER: "page", Channel.INSTAGRAM: "instagram"}
_COMMENT_FIELD = {Channel.MESSENGER: "feed", Channel.INSTAGRAM: "comments"}
# Where a public reply to a comment is posted.
_COMMENT_REPLY_EDGE = {Channel.MESSENGER: "comments", Channel.INSTAGRAM: "replies"}


class MetaMessagingInbound(MetaWebhook):
    def __init__(self, channel: Channel, app_secret: str, verify_token: str) -> None:
        super().__init__(app_secret, verify_token)
        self._channel = channel

    def parse(self, body: bytes) -> list[InboundMessage]:
        payload = json_object(body)
        if payload.get("object") != _OBJECT[self._channel]:
            raise MalformedPayload(f"not a {_OBJECT[self._channel]!r} delivery")
        messages: list[InboundMessage] = []
        for entry in field(payload, "entry", list):
            if not isinstance(entry, dict):
                raise MalformedPayload("entry is not an object")
            account_id = str(entry.get("id", ""))
            for event in _objects(entry.get("messaging")):
                messages.extend(self._from_messaging(account_id, event))
            for change in _objects(entry.get("changes")):
                messages.extend(self._from_change(account_id, change))
        return messages

    def _from_messaging(self, account_id: str, event: dict[str, Any]) -> Iterator[InboundMessage]:
        sender = as_text(as_dict(event.get("sender")).get("id"))
        sent_at = as_int(event.get("timestamp")) // 1000
        base: dict[str, Any] = {
            "channel": self._channel,
            "conversation_id": f"{self._channel}:{account_id}:{sender}",
            "sender_id": sender,
            "recipient": sender,
            "sent_at": sent_at,
            "account_id": account_id,
        }
        if isinstance(event.get("message"), dict):
            message = event["message"]
            if message.get("is_echo") or message.get("is_deleted") or sender == account_id:
                return  # our own message echoed back, or one the customer deleted
            yield _from_message(message, base)
        elif isinstance(event.get("postback"), dict):
            postback = event["postback"]
            title, data = as_text(postback.get("title")), as_text(postback.get("payload"))
            mid = as_text(postback.get("mid")) or f"postback:{sender}:{event.get('timestamp')}"
            yield InboundMessage(
                **base,
                message_id=mid,
                kind=Kind.TEXT if (title or data).strip() else Kind.UNSUPPORTED,
                text=title or data,
                platform_type="postback",
                payload=data,
            )
        # delivery, read, reaction, optin, referral ...: nothing for the agent to answer

    def _from_change(self, account_id: str, change: dict[str, Any]) -> Iterator[InboundMessage]:
        value = as_dict(change.get("value"))
        if change.get("field") != _COMMENT_FIELD[self._channel]:
            return  # mentions, likes, page changes ...
        if self._channel is Channel.MESSENGER and (
            value.get("item") != "comment" or value.get("verb") != "add"
        ):
            return  # posts, reactions, edited or removed comments
        author = as_text(as_dict(value.get("from")).get("id"))
        comment_id = as_text(value.get("comment_id")) or as_text(value.get("id"))
        if not author or not comment_id:
            raise MalformedPayload("comment without an author or an id")
        if author == account_id:
            return  # the brand's own comment, possibly our public answer
        text = as_text(value.get("message")) or as_text(value.get("text"))
        yield InboundMessage(
            channel=self._channel,
            message_id=f"comment:{comment_id}",
            conversation_id=f"{self._channel}:{account_id}:{author}",
            sender_id=author,
            recipient=author,
            kind=Kind.TEXT if text.strip() else Kind.UNSUPPORTED,
            text=text,
            sent_at=as_int(value.get("created_time")),
            account_id=account_id,
            platform_type="comment",
            parts=(TextPart(text),) if text else (),
            reply_to=as_text(value.get("parent_id")),
            visibility=Visibility.PUBLIC,
            thread_id=comment_id,
        )


def _objects(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedPayload("expected a list of objects")
    return value


def _from_message(message: dict[str, Any], base: dict[str, Any]) -> InboundMessage:
    text = as_text(message.get("text"))
    quick_reply = as_text(as_dict(message.get("quick_reply")).get("payload"))
    attachments = [a for a in message.get("attachments") or () if isinstance(a, dict)]
    parts: list[Part] = [TextPart(text)] if text else []
    parts.extend(
        Attachment(as_text(a.get("type")), as_text(as_dict(a.get("payload")).get("url")))
        for a in attachments
    )
    kinds = {as_text(a.get("type")) for a in attachments}
    if text.strip():
        kind = Kind.TEXT
    elif "story_mention" in kinds:
        kind = Kind.MENTION
    else:
        kind = Kind.UNSUPPORTED
    reply_to = as_dict(message.get("reply_to"))
    return InboundMessage(
        **base,
        message_id=field(message, "mid", str),
        kind=kind,
        text=text,
        platform_type="quick_reply" if quick_reply else ",".join(sorted(kinds)) or "text",
        parts=tuple(parts),
        payload=quick_reply,
        reply_to=as_text(reply_to.get("mid")) or as_text(as_dict(reply_to.get("story")).get("id")),
    )


class MetaMessagingOutbound:
    """The Send API ({account}/messages) for private messages and quick replies; a comment's
    replies edge for public answers, and Meta's private reply to the comment for the rest."""

    def __init__(
        self, channel: Channel, http: PlatformHttp, api_base: str, access_token: str
    ) -> None:
        self._channel = channel
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        # A comment's author is reached once through the comment; Meta then names their
        # messaging id, where the rest of the answer goes.
        recipient: dict[str, str] = (
            {"comment_id": message.thread_id} if message.thread_id else {"id": message.recipient}
        )
        for one in outgoing:
            if one.audience is Audience.PUBLIC:
                edge = _COMMENT_REPLY_EDGE[self._channel]
                self._http.post_json(
                    f"{self._api_base}/{message.thread_id}/{edge}",
                    {"message": one.text},
                    headers=self._headers,
                    idempotency_key=one.key,
                )
                continue
            answer = self._http.post_json(
                f"{self._api_base}/{message.account_id}/messages",
                {"recipient": recipient, "messaging_type": "RESPONSE", "message": _body(one)},
                headers=self._headers,
                idempotency_key=one.key,
            )
            recipient = {"id": str(answer.get("recipient_id") or message.recipient)}


def _body(one: Outgoing) -> dict[str, Any]:
    body: dict[str, Any] = {"text": one.text}
    if one.options:
        body["quick_replies"] = [
            {"content_type": "text", "title": option, "payload": option} for option in one.options
        ]
    return body
