"""Invoking the template's real functions the way the local gateway and poller do."""

from __future__ import annotations

import json
from typing import Any

from socialcare.model import Channel, InboundMessage, Kind
from socialcare_local.cfn_template import Template
from socialcare_local.gateway import Route, http_api_event
from socialcare_local.http_server import Request
from socialcare_local.lambdas import LocalFunction


def function(template: Template, logical_id: str) -> LocalFunction:
    (spec,) = [s for s in template.functions() if s.logical_id == logical_id]
    return LocalFunction(spec)


def sqs_event(
    *messages: InboundMessage, queue: str = "socialcare-local-inbound.fifo"
) -> dict[str, Any]:
    """An SQS batch of queued messages, as Lambda's event source mapping delivers it."""
    return {
        "Records": [
            {
                "messageId": f"sqs-{i}",
                "receiptHandle": f"rh-{i}",
                "body": m.to_json(),
                "attributes": {"MessageGroupId": m.conversation_id, "ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue}",
                "awsRegion": "us-east-1",
            }
            for i, m in enumerate(messages)
        ]
    }


def call_webhook(
    fn: LocalFunction,
    method: str,
    path: str,
    body: bytes = b"",
    headers: Any = None,
    query: str = "",
) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    request = Request(method, path, query, headers, body)
    result: dict[str, Any] = fn.invoke(http_api_event(Route(method, path, fn), {}, request))
    return result


def queued(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """Every message waiting in the queue (received, then made visible again)."""
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30
    ).get("Messages", []):
        messages.extend(batch)
    return [json.loads(m["Body"]) for m in messages]


def telegram_question(chat: int, text: str = "how long does delivery take?") -> InboundMessage:
    """A Telegram customer's first question, as the webhook queues it."""
    return InboundMessage(
        channel=Channel.TELEGRAM,
        message_id=f"{chat}:1",
        conversation_id=f"telegram:{chat}",
        sender_id=str(chat),
        recipient=str(chat),
        kind=Kind.TEXT,
        text=text,
        sent_at=1_700_000_000,
    )
