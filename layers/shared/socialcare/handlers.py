"""The Lambda entry points' shared shape. Each function's app.py is one line that picks its
channel: verify, normalise, enqueue, acknowledge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from socialcare import bootstrap
from socialcare.apigw import request_from_event, to_event_response
from socialcare.model import Channel, InboundMessage
from socialcare.webhook import WebhookRejected, WebhookResponse, receive

logger = Logger(service="socialcare")

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def webhook_handler(channel: Channel) -> LambdaHandler:
    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        logger.append_keys(channel=channel.value)
        try:
            response = receive(
                request_from_event(event),
                bootstrap.inbound_channel(channel),
                bootstrap.enqueue().for_invocation(context),
            )
        except WebhookRejected as rejected:
            response = rejected.response()
            logger.warning(
                "webhook rejected",
                extra={
                    "status": rejected.status,
                    "reason": str(rejected),
                    "security_event": rejected.status in (401, 403),
                },
            )
        except IdempotencyAlreadyInProgressError:
            # The same delivery is being handled right now; a non-2xx makes the platform retry.
            response = WebhookResponse(409, "already in progress")
            logger.info("webhook redelivered while in progress")
        else:
            logger.info("webhook accepted", extra={"queued": len(response.queued)})
        return to_event_response(response)

    return handler


def worker_handler() -> LambdaHandler:
    """SQS FIFO batches: a failing message fails the rest of its conversation, keeping order."""
    from aws_lambda_powertools.utilities.batch import (
        SqsFifoPartialProcessor,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    # A failing conversation holds back only its own later messages; other conversations go on.
    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    # Report a wholly failed batch like any other, rather than raising: the queue redelivers it.
    processor.raise_on_entire_batch_failure = False

    def answer(record: SQSRecord) -> None:
        bootstrap.turn_handler().handle(InboundMessage.from_json(record.body))

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return dict(process_partial_response(event, answer, processor, context))
        finally:
            bootstrap.metrics().flush()  # the LLM's latency, tokens and guard outcomes

    return handler
