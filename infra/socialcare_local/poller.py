"""Lambda's SQS event source mapping, locally: batches to the worker, partial batch failures
honoured, failed messages left for redelivery and, after maxReceiveCount, the dead-letter queue
(moto applies the queue's redrive policy).

One thread receives; each batch runs on a free "container" (a concurrent worker invocation), as
Lambda scales a FIFO queue's consumer out across message groups. SQS never hands out a message of
a group that has one in flight, so each conversation keeps its order however many containers run.
Only the receiver polls the queue: idle containers cost the moto server nothing."""

from __future__ import annotations

import queue
import threading
from typing import Any

from aws_lambda_powertools import Logger

from socialcare_local.lambdas import LocalFunction

logger = Logger(service="local-poller")

IDLE_SLEEP = 0.02  # short polling: moto's long polling spins a core
STOP_CHECK_S = 0.2  # how often a receiver waiting for a free container looks for stop()


class SqsPoller:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        containers: list[LocalFunction],
        *,
        batch_size: int,
        retry_after_s: int | None = None,
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._free: queue.Queue[LocalFunction] = queue.Queue()
        for container in containers:
            self._free.put(container)
        self._containers = len(containers)
        self._batch_size = batch_size
        # None: a failed message waits out the queue's visibility timeout, as in AWS. The demo
        # and the tests shorten it so that retries and the dead-letter queue show within seconds.
        self._retry_after_s = retry_after_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="sqs-poller")
        self.running = False

    def start(self) -> SqsPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for _ in range(self._containers):  # the batches in flight finish
            try:
                self._free.get(timeout=5)
            except queue.Empty:
                break

    def _run(self) -> None:
        self.running = True
        while not self._stop.is_set():
            try:
                container = self._free.get(timeout=STOP_CHECK_S)
            except queue.Empty:
                continue
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url,
                MaxNumberOfMessages=self._batch_size,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if messages:
                threading.Thread(
                    target=self._invoke, args=(container, messages), daemon=True
                ).start()
            else:
                self._free.put(container)
                self._stop.wait(IDLE_SLEEP)
        self.running = False

    def _invoke(self, container: LocalFunction, messages: list[dict[str, Any]]) -> None:
        try:
            self._deliver(container, messages)
        finally:
            self._free.put(container)

    def _deliver(self, container: LocalFunction, messages: list[dict[str, Any]]) -> None:
        event = {"Records": [self._record(m) for m in messages]}
        try:
            result = container.invoke(event)
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:  # a crashed invocation fails the whole batch, as in Lambda
            logger.exception("worker invocation failed")
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        retry = [m for m in messages if m["MessageId"] in failed]
        if retry:
            logger.warning("messages left for redelivery", extra={"count": len(retry)})
            if self._retry_after_s is not None:
                self._sqs.change_message_visibility_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {
                            "Id": str(i),
                            "ReceiptHandle": m["ReceiptHandle"],
                            "VisibilityTimeout": self._retry_after_s,
                        }
                        for i, m in enumerate(retry)
                    ],
                )

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue_arn,
            "awsRegion": "us-east-1",
        }
