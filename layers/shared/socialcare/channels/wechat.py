"""WeChat Official Account: XML messages in, the customer-service message API out.

WeChat signs each request in the query string (`signature` = SHA-1 of the sorted token, timestamp
and nonce; in safe mode `msg_signature` also covers the encrypted body) and waits only 5 seconds,
so the webhook answers "success" at once and the worker replies through the customer-service API,
which WeChat allows for 48 hours after the customer's last message.

Plain mode's signature covers no part of the body: anyone who saw one signed request could post
any message under its query string. Safe mode (the body AES-encrypted and signed) is therefore
the only mode unless plain mode is asked for explicitly (`plain=True`; bootstrap: the setting
WECHAT_PLAIN_MODE=true, with a warning on every delivery). In both modes a request's timestamp
must lie within REPLAY_WINDOW_S of now, and its (timestamp, nonce) is recorded with a hash of the
body for as long as the timestamp stays in the window: the same nonce with another body is a
replay and refused. The same nonce with the same body is WeChat resending a delivery it got no
answer for (it retries three times), accepted so that a failed first attempt loses nothing; the
message id's deduplication then queues it at most once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Protocol
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from socialcare.channels.outbound import Outgoing
from socialcare.channels.outbound_http import DeliveryFailed, PlatformHttp
from socialcare.channels.payload import as_float, as_int
from socialcare.channels.signatures import matches
from socialcare.channels.wechat_crypto import WeChatCrypto, signature
from socialcare.model import Attachment, Channel, InboundMessage, Kind, Location, Part, TextPart
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRequest,
    WebhookResponse,
)

# Events that ask for an answer; menu views, location reports, scans, job reports do not.
_EVENT_KINDS = {"subscribe": Kind.FOLLOW, "CLICK": Kind.TEXT}
_MEDIA = {"image": "PicUrl", "voice": "MediaId", "video": "MediaId", "shortvideo": "MediaId"}


def parse_xml(body: bytes | str) -> Element:
    """XML with no DTD, so no entity can expand (billion laughs, external entities)."""
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise MalformedPayload(f"body is not XML we accept: {type(error).__name__}") from None
    if root.tag != "xml":
        raise MalformedPayload("the root element is not <xml>")
    return root


def _text(root: Element, name: str) -> str:
    return (root.findtext(name) or "").strip()


# How far a request's timestamp may be from now, either way (clocks drift; WeChat retries for
# about 15 seconds).
REPLAY_WINDOW_S = 300
MAX_NONCE_CHARS = 64  # WeChat's are ten digits; a key stays far below DynamoDB's limit


class NonceLedger(Protocol):
    """Where the nonces of signed requests are kept while their timestamps are in the window
    (store.dynamodb_nonces in AWS, the idempotency table with its TTL)."""

    def claim(self, key: str, fingerprint: str, expires_at: int) -> bool:
        """Record `key` with the request's fingerprint until `expires_at` (epoch seconds);
        False when it was recorded before with another fingerprint."""


class WeChatInbound:
    acknowledgement = "success"

    def __init__(
        self,
        token: str,
        crypto: WeChatCrypto | None,
        *,
        nonces: NonceLedger,
        clock: Callable[[], float] = time.time,
        plain: bool = False,
    ) -> None:
        if crypto is None and not plain:
            raise ValueError("WeChat safe mode needs the EncodingAESKey; plain mode is opt-in")
        self._token = token
        self._crypto = crypto  # None: plain mode, asked for explicitly
        self._nonces = nonces
        self._clock = clock

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        """The server check: echo `echostr` when the signature is ours."""
        query = request.query
        if not self._signed(query, query.get("signature")):
            raise BadHandshake("signature does not match")
        return WebhookResponse(200, query.get("echostr", ""))

    def verify(self, request: WebhookRequest) -> None:
        query = request.query
        if self._crypto is None:
            if not self._signed(query, query.get("signature")):
                raise BadSignature("missing or wrong signature")
        else:
            # Safe mode: only an encrypted body counts, and its signature covers the ciphertext.
            if query.get("encrypt_type") != "aes":
                raise BadSignature("safe mode expects encrypt_type=aes")
            encrypted = _text(parse_xml(request.body), "Encrypt")
            if not encrypted or not self._signed(query, query.get("msg_signature"), encrypted):
                raise BadSignature("missing or wrong msg_signature")
        self._fresh(query.get("timestamp", ""), query.get("nonce", ""), request.body)

    def _fresh(self, timestamp: str, nonce: str, body: bytes) -> None:
        """BadSignature unless the timestamp is within the window and the nonce unused in it."""
        sent = as_int(timestamp) if len(timestamp) <= MAX_NONCE_CHARS else 0
        if abs(self._clock() - sent) > REPLAY_WINDOW_S:
            raise BadSignature(f"timestamp outside {REPLAY_WINDOW_S} s of now")
        if not nonce or len(nonce) > MAX_NONCE_CHARS:
            raise BadSignature(f"nonce missing or over {MAX_NONCE_CHARS} characters")
        fingerprint = hashlib.sha256(body).hexdigest()
        if not self._nonces.claim(f"wechat#{sent}#{nonce}", fingerprint, sent + REPLAY_WINDOW_S):
            raise BadSignature("nonce already used with another body (a replay)")

    def _signed(self, query: Any, given: str | None, *extra: str) -> bool:
        if not self._token:
            return False
        expected = signature(
            self._token, query.get("timestamp", ""), query.get("nonce", ""), *extra
        )
        return matches(expected, given)

    def parse(self, body: bytes) -> list[InboundMessage]:
        root = parse_xml(body)
        if self._crypto is not None:
            root = parse_xml(self._crypto.decrypt(_text(root, "Encrypt")))
        return _messages(root)


def _messages(root: Element) -> list[InboundMessage]:
    customer, account = _text(root, "FromUserName"), _text(root, "ToUserName")
    msg_type = _text(root, "MsgType")
    if not customer or not account or not msg_type:
        raise MalformedPayload("message without FromUserName, ToUserName or MsgType")
    created = as_int(_text(root, "CreateTime"))
    text, payload = "", ""
    parts: list[Part] = []
    if msg_type == "event":
        event = _text(root, "Event")
        kind = _EVENT_KINDS.get(event)
        if kind is None:
            return []
        payload = text = _text(root, "EventKey") if kind is Kind.TEXT else ""
        message_id = f"event:{customer}:{created}:{event}"  # events have no MsgId
    else:
        message_id = _text(root, "MsgId")
        if not message_id:
            raise MalformedPayload("message without MsgId")
        # Voice messages carry WeChat's transcript when speech recognition is on.
        text = _text(root, "Content") or _text(root, "Recognition")
        if msg_type in _MEDIA:
            parts.append(Attachment(msg_type, _text(root, _MEDIA[msg_type])))
        elif msg_type == "location":
            parts.append(
                Location(
                    as_float(_text(root, "Location_X")),
                    as_float(_text(root, "Location_Y")),
                    _text(root, "Label"),
                )
            )
        elif msg_type == "link":
            parts.append(Attachment("link", _text(root, "Url")))
        kind = Kind.TEXT if text else Kind.UNSUPPORTED
    if text:
        parts.insert(0, TextPart(text))
    return [
        InboundMessage(
            channel=Channel.WECHAT,
            message_id=message_id,
            conversation_id=f"wechat:{account}:{customer}",
            sender_id=customer,
            recipient=customer,
            kind=kind,
            text=text,
            sent_at=created,
            account_id=account,
            platform_type=msg_type if msg_type != "event" else f"event:{_text(root, 'Event')}",
            parts=tuple(parts),
            payload=payload,
        )
    ]


# Access-token errors after which a fresh token is fetched once: invalid, expired.
_TOKEN_ERRORS = frozenset({40001, 40014, 42001})


class WeChatOutbound:
    """POST /cgi-bin/message/custom/send with an access token from /cgi-bin/stable_token,
    kept until shortly before it expires. WeChat answers errors as HTTP 200 with an errcode."""

    def __init__(
        self,
        http: PlatformHttp,
        api_base: str,
        app_id: str,
        app_secret: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._api_base = api_base.rstrip("/")
        self._credentials = {
            "grant_type": "client_credential",
            "appid": app_id,
            "secret": app_secret,
        }
        self._clock = clock
        self._token = ""
        self._token_expires = 0.0

    def send(self, message: InboundMessage, outgoing: list[Outgoing]) -> None:
        for one in outgoing:
            self._post(
                "/cgi-bin/message/custom/send",
                {"touser": message.recipient, "msgtype": "text", "text": {"content": one.text}},
                one.key,
            )

    def _post(self, path: str, body: dict[str, Any], key: str) -> None:
        for fresh in (False, True):
            token = self._access_token(refresh=fresh)
            answer = self._http.post_json(
                f"{self._api_base}{path}?access_token={token}", body, idempotency_key=key
            )
            code = as_int(answer.get("errcode"))
            if code == 0:
                return
            if code not in _TOKEN_ERRORS:
                break
        raise DeliveryFailed(f"WeChat errcode {code}")

    def _access_token(self, *, refresh: bool) -> str:
        if refresh or not self._token or self._clock() >= self._token_expires:
            answer = self._http.post_json(
                f"{self._api_base}/cgi-bin/stable_token",
                {**self._credentials, "force_refresh": refresh},
            )
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise DeliveryFailed(f"WeChat stable_token errcode {answer.get('errcode')}")
            self._token = token
            # Renew five minutes early, so a token never expires between check and use.
            self._token_expires = self._clock() + as_int(answer.get("expires_in")) - 300
        return self._token
