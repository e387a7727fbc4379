"""Exactly one reply per customer message, whatever kills or doubles the worker: the real worker
function against moto and the platform sandbox, killed with SIGKILL at each step of answering,
then redelivered as SQS redelivers after the visibility timeout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest

from socialcare import bootstrap
from socialcare.model import Channel, Conversation
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare_local.cfn_template import ROOT, Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_event, telegram_question
from tests.integration.test_worker_function import _inject

STEPS = ["after_claim", "after_send", "after_finish"]


def _stored(template: Template, chat: int) -> Conversation:
    table = template.physical["ConversationsTable"]["Ref"]
    return DynamoDBConversations(table, 1).load(f"telegram:{chat}", Channel.TELEGRAM)


def _killed_worker(step: str, event: dict[str, Any]) -> int:
    process = subprocess.run(
        [sys.executable, "-m", "tests.integration.killed_worker", step],
        input=json.dumps(event),
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=60,
        check=False,
    )
    return process.returncode


@pytest.mark.parametrize("step", STEPS)
def test_worker_killed_at_any_step_still_answers_exactly_once(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    """GIVEN a worker killed (SIGKILL) right after taking the message, right after the platform
    accepted the reply, or right after storing the agent's turn, before the queue was told
    WHEN SQS redelivers the message to a fresh worker once the visibility timeout has passed
    THEN the customer has exactly one reply, and the history holds the question and one answer."""
    platforms, _ = sandbox
    chat = 700 + STEPS.index(step)
    event = sqs_event(telegram_question(chat))

    assert _killed_worker(step, event) == -signal.SIGKILL
    # The visibility timeout (60 s) outlives the attempt's hold on the message (30 s).
    monkeypatch.setenv("ANSWER_LEASE_S", "0")
    bootstrap.reset()
    result = function(aws, "WorkerFunction").invoke(event)

    assert result == {"batchItemFailures": []}
    replies = [s for s in platforms.sent() if s["recipient"] == str(chat)]
    assert len(replies) == 1
    assert "3-5 business days" in replies[0]["text"]
    stored = _stored(aws, chat)
    assert [t.role for t in stored.turns] == ["customer", "agent"]
    assert stored.sending == ()


def test_redelivery_while_the_killed_attempt_still_holds_the_message_waits(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN a worker killed right after taking the message WHEN the message comes back before
    its hold has expired THEN nothing is sent and the message is reported failed (it comes back
    again later), rather than acknowledged and lost."""
    platforms, _ = sandbox
    event = sqs_event(telegram_question(710))

    assert _killed_worker("after_claim", event) == -signal.SIGKILL
    result = function(aws, "WorkerFunction").invoke(event)

    assert result == {"batchItemFailures": [{"itemIdentifier": "sqs-0"}]}
    assert platforms.sent() == []
    assert [t.role for t in _stored(aws, 710).turns] == ["customer"]


def test_two_workers_on_the_same_message_send_one_reply(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN two workers handed the same message at the same moment (the platform slow to answer)
    WHEN both run THEN one sends and the other reports the message failed; its redelivery then
    finds the reply sent: one reply in all."""
    platforms, url = sandbox
    _inject(url, {"channel": "telegram", "delay_s": 1, "count": 1})
    event = sqs_event(telegram_question(720))
    results: list[dict[str, Any]] = []
    # Two containers: each loads the function's module (and its batch processor) on its own.
    containers = [function(aws, "WorkerFunction") for _ in "ab"]
    workers = [
        threading.Thread(target=lambda w=w: results.append(w.invoke(event))) for w in containers
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)

    failed = [r for r in results if r["batchItemFailures"]]
    assert len(results) == 2
    assert len(failed) == 1
    assert function(aws, "WorkerFunction").invoke(event) == {"batchItemFailures": []}
    assert len([s for s in platforms.sent() if s["recipient"] == "720"]) == 1
