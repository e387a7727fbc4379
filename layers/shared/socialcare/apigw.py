"""API Gateway HTTP API (payload format 2.0) events to webhook requests, and back."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from socialcare.webhook import MalformedPayload, WebhookRequest, WebhookResponse


def request_from_event(event: dict[str, Any]) -> WebhookRequest:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except binascii.Error:
            raise MalformedPayload("isBase64Encoded is set but the body is not base64") from None
    else:
        raw = body.encode("utf-8", "surrogateescape")
    http = event.get("requestContext", {}).get("http", {})
    return WebhookRequest(
        method=str(http.get("method", "POST")).upper(),
        headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
        query=event.get("queryStringParameters") or {},
        body=raw,
    )


def to_event_response(response: WebhookResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "headers": {"Content-Type": response.content_type},
        "body": response.body,
    }
