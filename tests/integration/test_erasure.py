"""`socialcare erase`: one customer's data gone from every table, the others' kept, and an
audit record that names who, when and how much, but not the customer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from socialcare.model import Channel, InboundMessage, Kind
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_batch

SOCIALCARE = Path(sys.executable).with_name("socialcare")


def _message(channel: Channel, user: str, n: int) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        message_id=f"{user}:{n}",
        conversation_id=f"{channel}:{user}",
        sender_id=user,
        recipient=user,
        kind=Kind.TEXT,
        text="how long does delivery take?",
        sent_at=1_700_000_000 + n,
    )


def _items(template: Template, logical: str) -> list[dict[str, Any]]:
    table = template.physical[logical]["Ref"]
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return items


def _erase(template: Template, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ERASURE_AUDIT_TABLE": template.physical["ErasureAuditTable"]["Ref"]}
    return subprocess.run(
        [str(SOCIALCARE), "erase", *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize(
    ("channel", "user"), [(Channel.TELEGRAM, "5550001"), (Channel.WEBCHAT, "s-erase-me")]
)
def test_erase_removes_one_customer_everywhere_and_audits_it(
    aws: Template, sandbox: tuple[PlatformSandbox, str], channel: Channel, user: str
) -> None:
    """GIVEN two customers who were answered (history, and for the web chat the outbox)
    WHEN `socialcare erase` runs for one THEN no table holds anything of theirs, the other's
    data is untouched, and the audit table records the actor, the time and the counts under the
    customer's pseudonym, not their id."""
    worker = function(aws, "WorkerFunction")
    worker.invoke(sqs_batch(_message(channel, user, 1), _message(channel, user, 2)))
    worker.invoke(sqs_batch(_message(channel, "keep-me", 1)))

    result = _erase(aws, f"{channel}:{user}", "--actor", "dpo@lumen.example")

    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["actor"] == "dpo@lumen.example"
    assert sum(record["deleted"].values()) >= 1
    for logical in ("ConversationsTable", "WebchatOutboxTable", "IdempotencyTable"):
        assert user not in json.dumps(_items(aws, logical)), logical
    assert "keep-me" in json.dumps(_items(aws, "ConversationsTable"))
    (audit,) = _items(aws, "ErasureAuditTable")
    assert audit["actor"]["S"] == "dpo@lumen.example"
    assert audit["customer_ref"]["S"] == record["customer_ref"]
    assert user not in json.dumps(audit)


def test_erase_without_an_actor_is_refused(aws: Template) -> None:
    result = _erase(aws, "telegram:1")

    assert result.returncode == 2
    assert "--actor" in result.stderr
