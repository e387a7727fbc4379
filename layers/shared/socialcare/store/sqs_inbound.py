"""The inbound FIFO queue: one message group per conversation keeps its messages in order."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import boto3

from socialcare.model import InboundMessage

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class SqsInbound:
    def __init__(self, queue_url: str, client: SQSClient | None = None) -> None:
        self._queue_url = queue_url
        self._client = client or boto3.client("sqs")

    def enqueue(self, message: InboundMessage) -> None:
        key = f"{message.channel}:{message.message_id}"
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=message.to_json(),
            MessageGroupId=message.conversation_id,
            # FIFO deduplication within 5 minutes, a second guard behind the idempotency table.
            MessageDeduplicationId=hashlib.sha256(key.encode()).hexdigest(),
        )
