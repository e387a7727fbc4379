"""events/ for `sam local invoke`: each channel's API Gateway v2 event is the recorded payload
of tests/events/, signed with the local secrets, exactly as the script writes it; each webhook
function accepts its event and queues the customer's message; events/env.json points every
function of the template at the local moto server."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from socialcare_local.cfn_template import ROOT, Template
from socialcare_local.sam_local import CHANNELS, MOTO_URL, write
from tests.integration.functions import function, queued

EVENTS = ROOT / "events"


def test_the_committed_events_are_the_ones_the_script_writes(tmp_path: Path) -> None:
    """GIVEN the recorded payloads and the local secrets WHEN the script runs THEN it writes the
    committed channel events byte for byte (env.json follows the template: its own test)."""
    written = write(tmp_path)

    assert sorted(p.name for p in written) == sorted(p.name for p in EVENTS.glob("*.json"))
    for path in written:
        if path.name != "env.json":
            assert path.read_text() == (EVENTS / path.name).read_text(), path.name


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_each_webhook_queues_the_message_of_its_event(aws: Template, channel: str) -> None:
    """GIVEN the event `sam local invoke <function> -e events/<channel>.json` would send WHEN the
    webhook function handles it THEN it answers 200 and the customer's message is queued."""
    logical_id, _, _ = CHANNELS[channel]
    event = json.loads((EVENTS / f"{channel}.json").read_text())

    response = function(aws, logical_id).invoke(event)

    assert response["statusCode"] == 200
    inbound = queued(boto3.client("sqs"), aws.physical["InboundQueue"]["Ref"])
    assert [m["channel"] for m in inbound] and {m["channel"] for m in inbound} == {channel}


def test_the_env_file_points_every_function_at_the_local_moto_server(aws: Template) -> None:
    env = json.loads((EVENTS / "env.json").read_text())

    assert set(env) == {s.logical_id for s in aws.functions()}
    for spec in aws.functions():
        assert env[spec.logical_id]["AWS_ENDPOINT_URL"] == MOTO_URL
        assert set(spec.environment) <= set(env[spec.logical_id])
    worker = env["WorkerFunction"]
    assert worker["CONVERSATIONS_TABLE"] == aws.physical["ConversationsTable"]["Ref"]
