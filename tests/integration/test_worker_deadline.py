"""The worker's batch against its Lambda timeout: a message that cannot finish before it is
released to the queue unanswered (and redelivered), never cut off half-way."""

from __future__ import annotations

from dataclasses import dataclass, field

from socialcare import bootstrap
from socialcare.handlers import worker_handler
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import sqs_event, telegram_question


@dataclass
class RunningOutContext:
    """A Lambda context whose remaining time is read from a script, one value per call (the
    last one repeats): the clock of an invocation that slows down."""

    remaining_ms: list[int]
    function_name: str = "WorkerFunction"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:WorkerFunction"
    aws_request_id: str = "req-1"
    calls: list[int] = field(default_factory=list)

    def get_remaining_time_in_millis(self) -> int:
        value = self.remaining_ms[min(len(self.calls), len(self.remaining_ms) - 1)]
        self.calls.append(value)
        return value


def test_messages_that_cannot_finish_before_the_timeout_are_released_unanswered(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN a batch of three customers' questions and an invocation with 50 s left at the first,
    then 20 s, then 3 s (less than one turn may take) WHEN the worker runs it THEN the first two
    are answered, the third is reported as a batch item failure, so that SQS redelivers it, and
    it got no reply; redelivered with time enough, it is answered once."""
    platforms, _ = sandbox
    batch = sqs_event(*(telegram_question(chat) for chat in (701, 702, 703)))
    reserve_ms = bootstrap.settings().worker_turn_reserve_s * 1000
    assert 3_000 < reserve_ms < 20_000

    result = worker_handler()(batch, RunningOutContext([50_000, 20_000, 3_000]))

    assert result == {"batchItemFailures": [{"itemIdentifier": "sqs-2"}]}
    assert sorted(m["recipient"] for m in platforms.sent()) == ["701", "702"]
    again = worker_handler()(sqs_event(telegram_question(703)), RunningOutContext([50_000]))
    assert again == {"batchItemFailures": []}
    assert sorted(m["recipient"] for m in platforms.sent()) == ["701", "702", "703"]


def test_the_first_message_of_an_invocation_always_runs(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN an invocation that starts with less than a turn's reserve (a redelivery would get no
    more) WHEN the worker runs one message THEN it is answered, not released for ever."""
    platforms, _ = sandbox

    result = worker_handler()(sqs_event(telegram_question(704)), RunningOutContext([2_000]))

    assert result == {"batchItemFailures": []}
    assert [m["recipient"] for m in platforms.sent()] == ["704"]
