"""Web chat on the brand's own site: signed session tokens, messages in, an outbox read by
long polling.

`POST /webchat/session` issues a token: base64url JSON {"sid", "exp"}, a dot, and the base64url
HMAC-SHA256 of that part under WEBCHAT_SIGNING_KEY. The widget sends each message to
`POST /webhooks/webchat` with `Authorization: Bearer <token>`; the worker's replies go to an
outbox that `GET /webchat/replies` reads, holding the request open until a reply arrives.

Anyone can open a session, so a message's text (and a chosen option's payload) is capped at
MAX_TEXT_CHARS, as the messaging platforms cap theirs: a longer one is refused with 413 and a
message that says so, never cut or dropped without the widget knowing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from socialcare.channels.outbound import Outgoing
from socialcare.channels.payload import as_int, as_text, field, json_object
from socialcare.channels.signatures import matches
from socialcare.model import Channel, InboundMessage, Kind, TextPart
from socialcare.webhook import (
    BadSignature,
    MalformedPayload,
    NotAllowed,
    PayloadTooLarge,
    WebhookRequest,
    WebhookResponse,
)

SESSION_TTL_S = 30 * 60
# A held request holds a function: short, with looks that back off (0.25 s doubling to 2 s:
# 8 reads in 10 s where there were 80 in 20 s). The widget waits longer between requests the
# longer its customer is quiet, and stops after a while (infra/webchat_widget/widget.js).
MAX_WAIT_S = 10.0
POLL_EVERY_S = 0.25
MAX_POLL_EVERY_S = 2.0
MAX_CLIENT_ID = 64
MAX_TEXT_CHARS = 4096  # Telegram's and WhatsApp's limit; X allows 10,000 in a DM


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    session_id: str
    expires_at: int

    def to_json(self) -> str:
        return json.dumps(
            {"token": self.token, "session_id": self.session_id, "expires_at": self.expires_at}
        )


class WebchatSessions:
    def __init__(self, signing_key: str, clock: Callable[[], float] = time.time) -> None:
        self._key = signing_key.encode()
        self._clock = clock

    def issue(self) -> Session:
        if not self._key:
            raise BadSignature("no WEBCHAT_SIGNING_KEY to sign sessions with")
        session_id = uuid.uuid4().hex
        expires_at = int(self._clock()) + SESSION_TTL_S
        body = _b64(json.dumps({"sid": session_id, "exp": expires_at}).encode())
        return Session(f"{body}.{self._sign(body)}", session_id, expires_at)

    def session_of(self, token: str | None) -> str:
        """The session a token names; BadSignature if it is forged, garbled or expired."""
        body, _, sig = (token or "").partition(".")
        if not self._key or not matches(self._sign(body), sig):
            raise BadSignature("missing or forged web chat session token")
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, binascii.Error):
            raise BadSignature("garbled web chat session token") from None
        claims = claims if isinstance(claims, dict) else {}
        session_id = claims.get("sid")
        if as_int(claims.get("exp")) < self._clock() or not isinstance(session_id, str):
            raise BadSignature("expired web chat session token")
        return session_id

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def bearer(request: WebhookRequest) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None


class WebchatInbound:
    """`{"session_id", "id", "text"}` or, for a chosen option, `{"..., "payload"}`; the bearer
    token must name the same session."""

    acknowledgement = "ok"

    def __init__(self, sessions: WebchatSessions, clock: Callable[[], float] = time.time) -> None:
        self._sessions = sessions
        self._clock = clock

    def verify(self, request: WebhookRequest) -> None:
        session_id = self._sessions.session_of(bearer(request))
        claimed = json_object(request.body).get("session_id")
        if not matches(session_id, claimed if isinstance(claimed, str) else None):
            raise BadSignature("the token is for another session")

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        raise NotAllowed("web chat messages are POST only")

    def parse(self, body: bytes) -> list[InboundMessage]:
        data = json_object(body)
        session_id = field(data, "session_id", str)
        client_id = field(data, "id", str)
        if not 0 < len(client_id) <= MAX_CLIENT_ID:
            raise MalformedPayload(f"id must be 1 to {MAX_CLIENT_ID} characters")
        payload = _capped(as_text(data.get("payload")), "payload")
        text = _capped(as_text(data.get("text")), "text") or payload
        return [
            InboundMessage(
                channel=Channel.WEBCHAT,
                message_id=f"{session_id}:{client_id}",
                conversation_id=f"webchat:{session_id}",
                sender_id=session_id,
                recipient=session_id,
                kind=Kind.TEXT if text.strip() else Kind.UNSUPPORTED,
                text=text,
                sent_at=int(self._clock()),
                platform_type="postback" if payload else "text",
                parts=(TextPart(text),) if text else (),
                payload=payload,
            )
        ]


def _capped(value: str, name: str) -> str:
    if len(value) > MAX_TEXT_CHARS:
        raise PayloadTooLarge(
            f"{name} of {len(value)} characters is over {MAX_TEXT_CHARS}: send it in parts"
        )
    return value


class Outbox(Protocol):
    """Where the worker leaves web chat replies, and the replies request finds them."""

    def append(self, session_id: str, message_id: str, outgoing: list[Outgoing]) -> None: ...

    def since(self, session_id: str, cursor: str) -> list[dict[str, Any]]:
        """Replies after `cursor` ("" for all), oldest first, each with its own "cursor"."""


class WebchatOutbound:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        self._outbox.append(message.recipient, message.message_id, outgoing)


def wait_for_replies(
    outbox: Outbox,
    session_id: str,
    cursor: str,
    wait_s: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Long polling: the replies after `cursor` as soon as there are any, or none after
    `wait_s` seconds (at most MAX_WAIT_S)."""
    deadline = clock() + min(max(wait_s, 0.0), MAX_WAIT_S)
    every = POLL_EVERY_S
    while True:
        replies = outbox.since(session_id, cursor)
        left = deadline - clock()
        if replies or left <= 0:
            return replies
        sleep(min(every, left))
        every = min(every * 2, MAX_POLL_EVERY_S)
