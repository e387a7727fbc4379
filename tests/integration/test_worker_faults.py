"""Faults injected where they happen: DynamoDB errors at the worker's real botocore client
(against moto), the platform answering late through the sandbox. Each ends in one reply, or in
the message reported failed for redelivery (and, after three, the dead-letter queue), never in
silence; the other conversations of the batch carry on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config

from socialcare import bootstrap
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.pipeline import TurnHandler
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_event, telegram_question
from tests.integration.test_worker_function import _inject

THROTTLED = "ProvisionedThroughputExceededException"
CONFLICT = "ConditionalCheckFailedException"


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def _error(request: AWSPreparedRequest, code: str) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code})
    return AWSResponse(request.url, 400, {"x-amzn-requestid": "injected"}, _Body(body.encode()))


class DynamoDBFaults:
    """Answers the next `count` PutItem calls on a conversation (all when count < 0) with an
    error, at the HTTP layer of a real client: botocore parses and retries it as DynamoDB's."""

    def __init__(self, client: Any) -> None:
        self.injected = 0
        self._plan: list[tuple[str, str, int]] = []
        client.meta.events.register("before-send.dynamodb.PutItem", self._before_send)

    def fail(self, code: str, conversation_id: str, count: int) -> None:
        self._plan.append((code, conversation_id, count))

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        item = json.loads(request.body or b"{}").get("Item", {})
        for n, (code, conversation_id, count) in enumerate(self._plan):
            if item.get("pk", {}).get("S") == conversation_id and count != 0:
                self._plan[n] = (code, conversation_id, count - 1)
                self.injected += 1
                return _error(request, code)
        return None


@pytest.fixture
def faults(aws: Template, shipped_index: EmbeddedIndex) -> Iterator[DynamoDBFaults]:
    """GIVEN the worker's conversation store on a real client (few retries, as a short test
    wants them) whose PutItem calls can be made to fail."""
    client = boto3.client(
        "dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 3})
    )
    store = DynamoDBConversations(aws.physical["ConversationsTable"]["Ref"], 30, client=client)
    handler = TurnHandler(store, shipped_index, bootstrap.outbound)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bootstrap, "turn_handler", lambda: handler)
        yield DynamoDBFaults(client)


def _replies(platforms: PlatformSandbox, chat: int) -> list[str]:
    return [s["text"] for s in platforms.sent() if s["recipient"] == str(chat)]


@pytest.mark.parametrize("code", [THROTTLED, CONFLICT])
def test_passing_dynamodb_errors_still_end_in_one_reply(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    faults: DynamoDBFaults,
    code: str,
) -> None:
    """GIVEN DynamoDB throttles, or reports another writer's conflicting write, twice when the
    worker takes the message WHEN the worker runs THEN botocore retries the throttling, the
    store reloads and reapplies after the conflict, and the customer gets one reply."""
    platforms, _ = sandbox
    faults.fail(code, "telegram:800", 2)

    result = function(aws, "WorkerFunction").invoke(sqs_event(telegram_question(800)))

    assert result == {"batchItemFailures": []}
    assert faults.injected == 2
    assert len(_replies(platforms, 800)) == 1


@pytest.mark.parametrize("code", [THROTTLED, CONFLICT])
def test_lasting_dynamodb_errors_fail_only_their_message(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    faults: DynamoDBFaults,
    code: str,
) -> None:
    """GIVEN DynamoDB refuses every write of one conversation WHEN a batch holds it and another
    customer's question THEN that message alone is reported failed (redelivered, then
    dead-lettered) with nothing sent to it, and the other customer is answered."""
    platforms, _ = sandbox
    faults.fail(code, "telegram:801", -1)

    result = function(aws, "WorkerFunction").invoke(
        sqs_event(telegram_question(801), telegram_question(802))
    )

    assert result == {"batchItemFailures": [{"itemIdentifier": "sqs-0"}]}
    assert _replies(platforms, 801) == []
    assert len(_replies(platforms, 802)) == 1


def test_platform_answering_after_the_timeout_is_resent_once(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN the platform takes longer than the sender waits (it times out) but then delivers
    WHEN the message is redelivered THEN it is sent again under the same idempotency key and the
    customer still sees one reply."""
    platforms, url = sandbox
    _inject(url, {"channel": "telegram", "delay_s": 6, "count": 1})
    worker = function(aws, "WorkerFunction")
    event = sqs_event(telegram_question(803))

    assert worker.invoke(event) == {"batchItemFailures": [{"itemIdentifier": "sqs-0"}]}
    assert worker.invoke(event) == {"batchItemFailures": []}

    _wait_for(lambda: len(platforms.sent()) >= 1)
    assert len(_replies(platforms, 803)) == 1


def _wait_for(done: Callable[[], bool], seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)
