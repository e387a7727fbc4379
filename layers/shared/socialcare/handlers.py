"""The Lambda entry points' shared shape. Each function's app.py is one line that picks its
channel: verify, normalise, enqueue, acknowledge."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from aws_lambda_powertools import Logger

from socialcare import bootstrap
from socialcare.apigw import request_from_event, to_event_response
from socialcare.channels.payload import as_float
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
                bootstrap.pseudonyms(),
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
        else:
            logger.info("webhook accepted", extra={"queued": len(response.queued)})
        return to_event_response(response)

    return handler


def webchat_session_handler() -> LambdaHandler:
    """POST /webchat/session: a new web chat session and its short-lived signed token."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        session = bootstrap.webchat_sessions().issue()
        logger.info(
            "web chat session issued", extra={"session": bootstrap.pseudonyms()(session.session_id)}
        )
        return to_event_response(WebhookResponse(200, session.to_json(), "application/json"))

    return handler


def webchat_replies_handler() -> LambdaHandler:
    """GET /webchat/replies?after=CURSOR&wait=SECONDS: the session's replies after the cursor,
    held open (long polling) until there is one or the wait is over."""
    from socialcare.channels.webchat import bearer, wait_for_replies

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            request = request_from_event(event)
            session_id = bootstrap.webchat_sessions().session_of(bearer(request))
        except WebhookRejected as rejected:
            logger.warning("web chat replies refused", extra={"reason": str(rejected)})
            return to_event_response(rejected.response())
        replies = wait_for_replies(
            bootstrap.webchat_outbox(),
            session_id,
            request.query.get("after", ""),
            wait_s=as_float(request.query.get("wait", "0")),
        )
        body = json.dumps({"replies": replies}, ensure_ascii=False)
        return to_event_response(WebhookResponse(200, body, "application/json"))

    return handler


def agent_api_handler() -> LambdaHandler:
    """/agent/...: the human agents' queue, transcripts, replies, resolve, hand-back, insights."""
    from socialcare.agents.api import handle

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        status, body = handle(bootstrap.agent_desk(), event)
        # The route and the outcome only: no conversation text, no customer ids.
        logger.info("agent api", extra={"route": event.get("routeKey", ""), "status": status})
        payload = json.dumps(body, ensure_ascii=False)
        return to_event_response(WebhookResponse(status, payload, "application/json"))

    return handler


def queue_monitor_handler() -> LambdaHandler:
    """Every minute: how long the longest-waiting customer has waited for a person, as the
    HandoffQueueAgeSeconds metric the queue-age alarm watches."""
    import time

    from aws_lambda_powertools.metrics import MetricUnit

    from socialcare.model import State
    from socialcare.telemetry.emf_metrics import emit

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        since = bootstrap.conversations().oldest_waiting_since(State.PENDING_HUMAN)
        age = max(0.0, time.time() - since) if since is not None else 0.0
        emit("HandoffQueueAgeSeconds", MetricUnit.Seconds, age, {"service": "socialcare"})
        return {"handoff_queue_age_s": round(age, 1)}

    return handler


class NoTimeLeft(RuntimeError):
    """Too little of the invocation left for a whole turn: the message goes back to the queue."""


@dataclass
class TurnClock:
    """Whether the worker may start another message before its timeout: the first of an
    invocation always starts (a redelivery would get no more time), a later one only while a
    whole turn (`reserve_ms`) still fits in what Lambda says is left."""

    context: Any
    reserve_ms: float
    started: int = 0

    def admit(self) -> None:
        left = self.context.get_remaining_time_in_millis()
        if self.started and left < self.reserve_ms:
            raise NoTimeLeft(f"{left} ms left, a turn may take {self.reserve_ms:.0f} ms")
        self.started += 1


def worker_handler() -> LambdaHandler:
    """SQS FIFO batches: a failing message fails the rest of its conversation, keeping order;
    messages that could not finish before the timeout are released the same way, unanswered."""
    from aws_lambda_powertools.utilities.batch import (
        SqsFifoPartialProcessor,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    # A failing conversation holds back only its own later messages; other conversations go on.
    processor = SqsFifoPartialProcessor(skip_group_on_error=True)
    # Report a wholly failed batch like any other, rather than raising: the queue redelivers it.
    processor.raise_on_entire_batch_failure = False

    def answer(record: SQSRecord, clock: TurnClock) -> None:
        try:
            clock.admit()
        except NoTimeLeft as late:
            # Reported as a batch item failure without being tried: the queue redelivers it.
            logger.info("released", extra={"sqs_message_id": record.message_id, "why": str(late)})
            raise
        try:
            bootstrap.turn_handler().handle(InboundMessage.from_json(record.body))
        except Exception:
            # Logged here, then reported as a batch item failure: redelivered, then dead-lettered.
            logger.exception("message failed", extra={"sqs_message_id": record.message_id})
            raise

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        clock = TurnClock(context, bootstrap.settings().worker_turn_reserve_s * 1000)
        try:
            return dict(
                process_partial_response(event, partial(answer, clock=clock), processor, context)
            )
        finally:
            bootstrap.metrics().flush()  # the LLM's latency, tokens and guard outcomes

    return handler


def kb_ingest_handler() -> LambdaHandler:
    """S3 events under documents/: an uploaded file is read, chunked, embedded and published as
    the next version of the index; a deleted file's documents leave it, as the next version. A
    file that cannot be read is logged with its reason and acknowledged (retrying would not
    help); an unreachable store or cluster raises, so that Lambda retries the event."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        from socialcare.knowledge.bucket_events import bucket_changes
        from socialcare.knowledge.ingestion import ingest, remove

        config = bootstrap.settings()
        reports = []
        for change in bucket_changes(event):
            if change.removed:
                report = remove(
                    change.key,
                    index=config.kb_index,
                    store=bootstrap.snapshot_store(),
                    publishers=bootstrap.publishers(),
                )
            else:
                with bootstrap.downloaded_document(change.bucket, change.key) as path:
                    report = ingest(
                        path,
                        index=config.kb_index,
                        store=bootstrap.snapshot_store(),
                        embedder=bootstrap.embedder(),
                        publishers=bootstrap.publishers(),
                        source=change.key,
                    )
            for problem in report.problems:
                logger.warning(
                    "document skipped", extra={"source": problem.source, "reason": problem.reason}
                )
            logger.info(
                "ingested",
                extra={
                    "index": report.index,
                    "version": report.version,
                    "added": len(report.added),
                    "replaced": len(report.replaced),
                    "unchanged": len(report.unchanged),
                    "removed": len(report.removed),
                    "chunks": report.chunks,
                },
            )
            reports.append(
                {
                    "version": report.version,
                    "problems": len(report.problems),
                    "removed": len(report.removed),
                }
            )
        return {"ingested": reports}

    return handler
