"""The worker function with an LLM configured, as in AWS but against the tiny model served by
`transformers serve` and loopback endpoints that misbehave: what the customer gets when the
model writes a good reply or gibberish, when the endpoint is slow, down, failing or answers
garbage, cut or overlong output, and how the circuit breaker spares customers the wait."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

# Imported before any test captures stdout: its Powertools Logger keeps the stream it started
# with, and the metrics test below reads stdout through capsys.
import socialcare.handlers  # noqa: F401
from socialcare import bootstrap
from socialcare.model import Channel, InboundMessage, Kind
from socialcare_local.cfn_template import Template
from socialcare_local.moto_server import free_port
from socialcare_local.sandbox import PlatformSandbox
from tests.conftest import TinyLlm
from tests.integration.functions import function, sqs_event
from tests.llm.endpoints import MisbehavingEndpoint
from tests.llm.tiny_model import DELIVERY_TEXT


def _batch(text: str, chat: int = 910) -> dict[str, Any]:
    return sqs_event(
        InboundMessage(
            Channel.TELEGRAM, f"{chat}:1", f"telegram:{chat}", str(chat), str(chat), Kind.TEXT, text
        )
    )


def _use_llm(monkeypatch: pytest.MonkeyPatch, url: str, model: str) -> None:
    monkeypatch.setenv("LLM_ENDPOINT_URL", url)
    monkeypatch.setenv("LLM_MODEL", model)
    monkeypatch.setenv("LLM_TEMPERATURE", "0")
    monkeypatch.setenv("LLM_BUDGET_S", "30")  # a busy CI machine; the budget has unit tests
    monkeypatch.setenv("LLM_TIMEOUT_S", "30")
    bootstrap.reset()


def test_the_llms_grounded_reply_reaches_the_customer(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    tiny_llm: TinyLlm,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """GIVEN the worker configured with an OpenAI-compatible endpoint WHEN a customer asks
    about delivery THEN the model's reply, with the article's link, is what they get; and the
    invocation publishes the LLM's latency and tokens as CloudWatch embedded metrics."""
    platforms, _ = sandbox
    _use_llm(monkeypatch, tiny_llm.base_url, tiny_llm.answering)

    result = function(aws, "WorkerFunction").invoke(_batch("how long does delivery take?"))

    assert result == {"batchItemFailures": []}
    assert [s["text"] for s in platforms.sent()] == [
        f"{DELIVERY_TEXT}\nMore: https://help.lumen.example/en/delivery-time"
    ]
    metrics = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line
    ]
    assert metrics
    assert metrics[-1]["LlmRepliesSent"] == [1.0]
    assert metrics[-1]["LlmCompletionTokens"] == [7.0]
    assert metrics[-1]["LlmLatency"][0] > 0


def test_a_reply_the_guards_refuse_is_replaced_by_the_help_centre_answer(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    tiny_llm: TinyLlm,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a model that writes the delivery answer whatever it is asked, and one that writes
    gibberish WHEN customers ask about the returns policy THEN neither reply is sent: the
    extractive returns-policy answer is."""
    platforms, _ = sandbox
    for chat, model in enumerate((tiny_llm.answering, tiny_llm.random)):
        _use_llm(monkeypatch, tiny_llm.base_url, model)
        function(aws, "WorkerFunction").invoke(_batch("what is your returns policy?", chat))
    texts = [s["text"] for s in platforms.sent()]
    assert len(texts) == 2
    assert all("https://help.lumen.example/en/returns-policy" in t for t in texts)
    assert all("Standard delivery" not in t for t in texts)


def _metrics(out: str) -> dict[str, Any]:
    """The last invocation's embedded metrics, from what the worker printed."""
    lines = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    return lines[-1] if lines else {}


def _delivery_answer(text: str) -> bool:
    """The grounded delivery answer, from the LLM or the help centre, with its article's link."""
    return "3-5 business days" in text and "help.lumen.example/en/delivery-time" in text


# mode -> (the writer's failure, calls that reach the endpoint); "down" is a closed port.
FAULTS = {
    "slow": ("timeout", 1),
    "garbage": ("bad_response", 1),
    "no_choices": ("bad_response", 1),
    "500": ("http_500", 1),
    "down": ("connection", 0),
    "not_contract": ("guards", 2),  # the reply and its repair both refused
}


@pytest.mark.parametrize("mode", list(FAULTS))
def test_a_failing_endpoint_still_gets_the_customer_one_grounded_answer(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    misbehaving: tuple[MisbehavingEndpoint, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """GIVEN the worker's endpoint slow (past the reply's budget), answering garbage, a
    completion-less body or text outside the reply contract, failing with 500, or down WHEN a
    customer asks about delivery THEN they get exactly one message, the help centre's grounded
    answer; the failure is logged with its reason and no customer data, and counted."""
    platforms, _ = sandbox
    endpoint, url = misbehaving
    endpoint.mode = mode
    _use_llm(monkeypatch, f"http://127.0.0.1:{free_port()}/v1" if mode == "down" else url, "")
    monkeypatch.setenv("LLM_TIMEOUT_S", "1")
    monkeypatch.setenv("LLM_BUDGET_S", "2")
    bootstrap.reset()
    failure, calls = FAULTS[mode]

    result = function(aws, "WorkerFunction").invoke(_batch("how long does delivery take?", 915))

    assert result == {"batchItemFailures": []}
    (sent,) = platforms.sent()
    assert _delivery_answer(sent["text"])
    assert endpoint.calls == calls
    metrics = _metrics(capsys.readouterr().out)
    assert metrics["LlmFallbacks"] == [1.0]
    assert metrics.get("LlmErrors", [0.0]) == [0.0 if failure == "guards" else 1.0]
    (logged,) = [r for r in caplog.records if r.getMessage() == "llm reply not sent"]
    assert logged.failure == failure  # type: ignore[attr-defined]
    (answered,) = [r for r in caplog.records if r.getMessage() == "answered"]
    assert answered.conversation == bootstrap.pseudonyms()("telegram:915")  # type: ignore[attr-defined]
    assert answered.source == "knowledge"  # type: ignore[attr-defined]
    assert "915" not in caplog.text
    assert "delivery take" not in caplog.text


@pytest.mark.parametrize("mode", ["truncated", "overlong"])
def test_a_cut_or_overlong_completion_is_sent_only_as_whole_grounded_sentences(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    misbehaving: tuple[MisbehavingEndpoint, str],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    """GIVEN an endpoint whose completion is cut at the token limit mid-sentence, or runs to a
    thousand copies of the answer WHEN a customer asks about delivery THEN they get one message:
    grounded, within Telegram's 4,096 characters, and no sentence of it cut short."""
    platforms, _ = sandbox
    endpoint, url = misbehaving
    endpoint.mode = mode
    _use_llm(monkeypatch, url, "")

    function(aws, "WorkerFunction").invoke(_batch("how long does delivery take?", 916))

    (sent,) = platforms.sent()
    body = sent["text"].split("\n")[0]
    assert "3-5 business days" in body
    assert len(sent["text"]) <= 4096
    assert body.rstrip().endswith((".", "!", "?", "…"))


def test_the_breaker_stops_calling_a_failing_endpoint_then_a_trial_call_recovers(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    misbehaving: tuple[MisbehavingEndpoint, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN an endpoint failing with 500 and a breaker that opens after 3 failures for a second
    WHEN five customers write THEN the endpoint is called three times, all five get the grounded
    help-centre answer, the last two at once (logged as breaker_open); WHEN the endpoint is back
    and the second has passed THEN one trial call gets the next customer the LLM's reply, and the
    breaker is closed again for the one after."""
    platforms, _ = sandbox
    endpoint, url = misbehaving
    endpoint.mode = "500"
    _use_llm(monkeypatch, url, "")
    monkeypatch.setenv("LLM_BREAKER_FAILURES", "3")
    monkeypatch.setenv("LLM_BREAKER_COOLDOWN_S", "1")
    bootstrap.reset()
    worker = function(aws, "WorkerFunction")

    for chat in range(920, 925):
        worker.invoke(_batch("how long does delivery take?", chat))

    assert endpoint.calls == 3
    texts = [s["text"] for s in platforms.sent()]
    assert len(texts) == 5
    assert all(_delivery_answer(t) for t in texts)
    failures = [r.failure for r in caplog.records if r.getMessage() == "llm reply not sent"]  # type: ignore[attr-defined]
    assert failures == ["http_500"] * 3 + ["breaker_open"] * 2

    endpoint.mode = "ok"
    time.sleep(1.1)  # the cooldown: not a timing assertion, the breaker's clock must move on
    worker.invoke(_batch("how long does delivery take?", 925))
    worker.invoke(_batch("how long does delivery take?", 926))

    assert endpoint.calls == 5
    llm_reply = f"{DELIVERY_TEXT}\nMore: https://help.lumen.example/en/delivery-time"
    assert [s["text"] for s in platforms.sent()][5:] == [llm_reply, llm_reply]
