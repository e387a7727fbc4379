"""Seeded personal data sent through the running local stack on every channel, then looked for
everywhere it could have been kept: every DynamoDB table, every SQS queue (one message held in
the dead-letter queue on purpose), and everything the stack logged. None of it may be found."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest

from socialcare_local.bench_load import RunningStack
from socialcare_local.traffic import deliver, sent
from tests.channel_cases import CASES
from tests.e2e.stored import stored_everywhere

pytestmark = pytest.mark.e2e

# Each seed as the customer writes it, and the forms it could be stored in.
SEEDS = {
    "email": ("write to ada.lovelace@example.com", ["ada.lovelace@example.com"]),
    "phone": ("call me on +44 20 7946 0958", ["7946 0958", "79460958"]),
    "card": (
        "my card 4111 1111 1111 1111 was charged",
        ["4111 1111 1111 1111", "4111111111111111"],
    ),
    "cn_id": ("身份证 11010519491231002X", ["11010519491231002X"]),
    "iban": ("refund to DE89 3704 0044 0532 0130 00", ["DE89 3704", "DE89370400440532013000"]),
}
PROFILE_NAMES = ["Kerry Fisher", "Fisher"]  # WhatsApp's profile name in the deliveries
FORBIDDEN = [form for _, forms in SEEDS.values() for form in forms] + PROFILE_NAMES


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """GIVEN the local stack as `make up` starts it, logging all it can (DEBUG) to a file."""
    running = RunningStack(log_level="DEBUG", log=tmp_path_factory.mktemp("privacy") / "stack.log")
    yield running
    running.stop()


def test_seeded_personal_data_is_found_nowhere(stack: RunningStack) -> None:
    """GIVEN customers on every channel writing emails, phone numbers, cards, Chinese resident
    ids and IBANs (and a WhatsApp profile name), one of them while their platform refuses every
    reply, so that the message ends in the dead-letter queue WHEN all is answered or dead-lettered
    THEN no table, no queue and no log line holds any of it."""
    texts = [text for text, _ in SEEDS.values()]
    request = urllib.request.Request(
        f"{stack.sandbox}/_faults",
        data=json.dumps({"channel": "x", "status": 500, "count": 1000}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()
    expected = 0
    for n, case in enumerate(CASES):
        for m, text in enumerate(texts):
            delivery = case.deliver([text], customer=8000 + 10 * n + m)
            assert deliver(stack.gateway, delivery)[0] == 200
            expected += case.channel != "x"

    deadline = time.monotonic() + 60
    while len(sent(stack.sandbox)) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    dlq = next(u for u in stack.client("sqs").list_queues()["QueueUrls"] if "dlq" in u)
    while time.monotonic() < deadline:  # x's messages fail three times, then dead-letter
        attributes = stack.client("sqs").get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        if int(attributes["ApproximateNumberOfMessages"]) >= 1:
            break
        time.sleep(0.5)

    assert len(sent(stack.sandbox)) >= expected
    stored = stored_everywhere(stack.client)
    assert '"Body"' in stored  # the dead-lettered message was read
    assert "[EMAIL]" in stored or "[CARD]" in stored  # redacted, not dropped
    logged = stack.log_text()
    assert "message failed" in logged  # the failing platform was logged
    for form in FORBIDDEN:
        assert form not in stored, form
        assert form not in logged, form
