"""Receiving one webhook delivery: the use case every webhook function runs.

verify -> parse every event -> enqueue each new message -> acknowledge. Platform specifics live in
`channels/`; the queue and the deduplication behind `enqueue` are adapters built by bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from socialcare.dialogue.verification import Keyed, contact_proofs
from socialcare.model import InboundMessage
from socialcare.understand.pii import redact

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    method: str
    headers: Mapping[str, str]  # lower-case names
    query: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    status: int
    body: str = ""
    content_type: str = "text/plain; charset=utf-8"
    queued: tuple[str, ...] = field(default=(), compare=False)  # message ids, for logs and tests


class WebhookRejected(Exception):
    """A delivery the platform (or an attacker) sent that we refuse, with the status to answer."""

    status = 400

    def response(self) -> WebhookResponse:
        return WebhookResponse(self.status, str(self) or self.__class__.__name__)


class BadSignature(WebhookRejected):
    status = 401


class BadHandshake(WebhookRejected):
    status = 403


class MalformedPayload(WebhookRejected):
    status = 400


class PayloadTooLarge(WebhookRejected):
    status = 413


class DeliveryInProgress(WebhookRejected):
    """The same message is being queued by another invocation right now. A non-2xx makes the
    platform retry later, so nothing is lost if that other invocation fails."""

    status = 409


class NotAllowed(WebhookRejected):
    status = 405


class InboundChannel(Protocol):
    """What a platform's ingress must provide."""

    acknowledgement: str  # the body the platform expects with the 200 ("success" for WeChat)

    def verify(self, request: WebhookRequest) -> None:
        """Raise BadSignature unless the request provably comes from the platform."""

    def parse(self, body: bytes) -> list[InboundMessage]:
        """Every customer message of the delivery; echoes and status events left out."""

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        """Answer the platform's GET verification, or raise NotAllowed."""


Enqueue = Callable[[InboundMessage], None]


def receive(
    request: WebhookRequest,
    channel: InboundChannel,
    enqueue: Enqueue,
    keyed: Keyed | None = None,
) -> WebhookResponse:
    """Handle one delivery. Raises WebhookRejected for anything that must not be queued.
    `keyed`: the pseudonym key's hash, which turns contacts typed into proofs before redaction
    (None: no proofs; a stranger then cannot verify an order's contact)."""
    if request.method == "GET":
        return channel.handshake(request)
    if request.method != "POST":
        raise NotAllowed(f"method {request.method} not allowed")
    if len(request.body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body of {len(request.body)} bytes is over {MAX_BODY_BYTES}")
    channel.verify(request)
    messages = channel.parse(request.body)
    for message in messages:
        proofs = contact_proofs(message.text, keyed) if keyed else ()
        # personal data never reaches the queue or the tables
        enqueue(replace(message.redacted(redact), proofs=proofs))
    return WebhookResponse(
        200, channel.acknowledgement, queued=tuple(m.message_id for m in messages)
    )
