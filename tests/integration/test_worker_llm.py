"""The worker function with an LLM configured, as in AWS but against the tiny model served by
`transformers serve`: what the customer gets when the model writes a good reply, gibberish,
or nothing at all."""

from __future__ import annotations

import json
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
    gibberish WHEN customers ask about returns THEN neither reply is sent: the extractive
    returns answer is."""
    platforms, _ = sandbox
    for chat, model in enumerate((tiny_llm.answering, tiny_llm.random)):
        _use_llm(monkeypatch, tiny_llm.base_url, model)
        function(aws, "WorkerFunction").invoke(_batch("how do I return an item?", chat))
    texts = [s["text"] for s in platforms.sent()]
    assert len(texts) == 2
    assert all("https://help.lumen.example/en/returns-policy" in t for t in texts)
    assert all("Standard delivery" not in t for t in texts)


def test_with_the_endpoint_down_the_customer_still_gets_an_answer(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platforms, _ = sandbox
    _use_llm(monkeypatch, f"http://127.0.0.1:{free_port()}/v1", "")

    result = function(aws, "WorkerFunction").invoke(_batch("how long does delivery take?"))

    assert result == {"batchItemFailures": []}
    (sent,) = platforms.sent()
    assert "3-5 business days" in sent["text"]
    assert "https://help.lumen.example/en/delivery-time" in sent["text"]
