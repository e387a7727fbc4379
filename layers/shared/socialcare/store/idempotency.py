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

from socialcare.model import InboundMessage

# Platforms redeliver for hours (Meta up to 7 days with backoff); keep records for a week.
RECORD_SECONDS = 7 * 24 * 3600


def once_per_message(
    enqueue: Callable[[InboundMessage], None], table_name: str, client: Any = None
) -> Callable[[InboundMessage], None]:
    persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)
    config = IdempotencyConfig(
        event_key_jmespath="[channel, message_id]", expires_after_seconds=RECORD_SECONDS
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="message", persistence_store=persistence, config=config
    )
    def enqueue_once(message: dict[str, Any]) -> bool:
        enqueue(InboundMessage.from_dict(message))
        return True

    return lambda message: enqueue_once(message=asdict(message))
