"""At most once per platform message: Powertools idempotency records in DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from socialcare.model import InboundMessage
from socialcare.webhook import DeliveryInProgress

# Platforms redeliver for hours (Meta up to 7 days with backoff); keep records for a week.
RECORD_SECONDS = 7 * 24 * 3600


class OncePerMessage:
    """Calls `enqueue` once per (channel, platform message id), however often it arrives."""

    def __init__(
        self, enqueue: Callable[[InboundMessage], None], table_name: str, client: Any = None
    ) -> None:
        self._config = IdempotencyConfig(
            event_key_jmespath="[channel, message_id]", expires_after_seconds=RECORD_SECONDS
        )
        persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="message", persistence_store=persistence, config=self._config
        )
        def enqueue_once(message: dict[str, Any]) -> bool:
            enqueue(InboundMessage.from_dict(message))
            return True

        self._enqueue_once = enqueue_once

    def for_invocation(self, lambda_context: Any) -> OncePerMessage:
        """Lets an in-progress record expire with the invocation that wrote it."""
        self._config.register_lambda_context(lambda_context)
        return self

    def __call__(self, message: InboundMessage) -> None:
        try:
            self._enqueue_once(message=asdict(message))
        except IdempotencyAlreadyInProgressError:
            raise DeliveryInProgress(f"{message.channel} message already being queued") from None
