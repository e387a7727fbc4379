"""The worker function, fed SQS batches as Lambda's event source mapping does, against moto
and the platform sandbox on loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialcare.model import Channel, Conversation, InboundMessage, Kind
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_event


def _message(n: int, text: str, kind: Kind = Kind.TEXT) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TELEGRAM,
        message_id=f"900:{n}",
        conversation_id="telegram:900",
        sender_id="900",
        recipient="900",
        kind=kind,
        text=text,
        sent_at=1_700_000_000 + n,
    )


def _stored(template: Template) -> Conversation:
    table = template.physical["ConversationsTable"]["Ref"]
    return DynamoDBConversations(table, retention_days=1).load("telegram:900", Channel.TELEGRAM)


def test_batch_is_answered_in_order_and_recorded(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN two questions from one customer in one batch WHEN the worker runs
    THEN each gets its answer, in order, on the customer's chat, and the history holds 4 turns."""
    platforms, _ = sandbox
    worker = function(aws, "WorkerFunction")

    result = worker.invoke(
        sqs_event(
            _message(1, "how long does delivery take?"),
            _message(2, "你好,我想咨询一下产品的退货政策?"),
        )
    )

    assert result == {"batchItemFailures": []}
    sent = platforms.sent()
    assert [s["recipient"] for s in sent] == ["900", "900"]
    assert "3-5 business days" in sent[0]["text"]
    assert "30 天" in sent[1]["text"]
    conversation = _stored(aws)
    assert [t.role for t in conversation.turns] == ["customer", "agent", "customer", "agent"]
    assert [t.language for t in conversation.turns] == ["en", "en", "zh", "zh"]
    assert conversation.answered == ("900:1", "900:2")


def test_same_message_twice_is_answered_once(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN SQS delivers a message a second time WHEN the worker sees it THEN no second reply."""
    platforms, _ = sandbox
    worker = function(aws, "WorkerFunction")

    worker.invoke(sqs_event(_message(3, "hi")))
    worker.invoke(sqs_event(_message(3, "hi")))

    assert len(platforms.sent()) == 1


def test_failed_send_reports_the_rest_of_the_fifo_batch_as_failed(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN the platform answers 500 to every retry WHEN the worker sends
    THEN the message and the ones after it go back to the queue (order kept), none are lost."""
    platforms, url = sandbox
    _inject(url, {"channel": "telegram", "status": 500, "count": 10})
    worker = function(aws, "WorkerFunction")

    result = worker.invoke(
        sqs_event(_message(4, "hi"), _message(5, "how long does delivery take?"))
    )

    assert result == {
        "batchItemFailures": [{"itemIdentifier": "sqs-0"}, {"itemIdentifier": "sqs-1"}]
    }
    assert platforms.sent() == []


def test_send_is_retried_after_429_with_retry_after(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN the platform rate-limits twice (429, Retry-After: 0) THEN the reply arrives once."""
    platforms, url = sandbox
    _inject(url, {"channel": "telegram", "status": 429, "count": 2, "retry_after": 0})
    worker = function(aws, "WorkerFunction")

    result = worker.invoke(sqs_event(_message(6, "hi")))

    assert result == {"batchItemFailures": []}
    assert len(platforms.sent()) == 1


@pytest.mark.parametrize("body", ["{not json", '{"channel": "fax"}'])
def test_poison_message_fails_alone(
    aws: Template, sandbox: tuple[PlatformSandbox, str], body: str
) -> None:
    """GIVEN a message body no code can read, batched with another customer's question
    THEN only the poison message is reported failed (for the dead-letter queue), and the other
    customer is still answered."""
    platforms, _ = sandbox
    worker = function(aws, "WorkerFunction")
    other = InboundMessage(
        channel=Channel.TELEGRAM,
        message_id="901:1",
        conversation_id="telegram:901",
        sender_id="901",
        recipient="901",
        kind=Kind.TEXT,
        text="hi",
        sent_at=1_700_000_000,
    )
    event = sqs_event(_message(7, "hi"), other)
    event["Records"][0]["body"] = body

    result = worker.invoke(event)

    assert result == {"batchItemFailures": [{"itemIdentifier": "sqs-0"}]}
    assert [s["recipient"] for s in platforms.sent()] == ["901"]


def _inject(sandbox_url: str, fault: dict[str, Any]) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"{sandbox_url}/_faults", data=json.dumps(fault).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5):
        pass
