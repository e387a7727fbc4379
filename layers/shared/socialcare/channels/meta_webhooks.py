"""What every Meta webhook (WhatsApp, Messenger, Instagram) shares: the X-Hub-Signature-256 over
the raw body, and the hub.challenge subscription check."""

from __future__ import annotations

from socialcare.channels.signatures import hmac_sha256_hex, matches
from socialcare.webhook import BadHandshake, BadSignature, WebhookRequest, WebhookResponse

SIGNATURE_HEADER = "x-hub-signature-256"


def verify_signature(app_secret: str, request: WebhookRequest) -> None:
    expected = "sha256=" + hmac_sha256_hex(app_secret, request.body)
    if not app_secret or not matches(expected, request.headers.get(SIGNATURE_HEADER)):
        raise BadSignature("missing or wrong X-Hub-Signature-256")


def subscription_handshake(verify_token: str, request: WebhookRequest) -> WebhookResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token is ours."""
    query = request.query
    if query.get("hub.mode") != "subscribe" or not matches(
        verify_token, query.get("hub.verify_token")
    ):
        raise BadHandshake("hub.verify_token does not match")
    return WebhookResponse(200, query.get("hub.challenge", ""))


class MetaWebhook:
    """The verification half of a Meta channel's ingress; subclasses parse their deliveries."""

    acknowledgement = "ok"

    def __init__(self, app_secret: str, verify_token: str) -> None:
        self._app_secret = app_secret
        self._verify_token = verify_token

    def verify(self, request: WebhookRequest) -> None:
        verify_signature(self._app_secret, request)

    def handshake(self, request: WebhookRequest) -> WebhookResponse:
        return subscription_handshake(self._verify_token, request)
