"""Writing a reply with the LLM port faked by a script: sent when the guards pass, repaired
once, else no reply (the caller falls back); the latency budget, the circuit breaker and the
metrics, as the customer and the operator see them."""

from __future__ import annotations

import json

import pytest

from socialcare.generate.brand import load_brand_policy
from socialcare.generate.circuit_breaker import CircuitBreaker
from socialcare.generate.llm_port import LlmError
from socialcare.generate.llm_writer import LlmWriter, WriterSettings, Written
from socialcare.generate.prompt import estimate_tokens
from socialcare.generate.reply_style import reply_style
from socialcare.knowledge.embedded_index import EmbeddedIndex
from tests.fakes.ports import RecordingMetrics, ScriptedChatModel

GOOD = json.dumps(
    {
        "text": "Standard delivery takes 3-5 business days, counted from dispatch.",
        "citations": ["delivery-time"],
        "wants_human": False,
        "quick_replies": ["Track my order"],
    }
)
WRONG = json.dumps({"text": "Standard delivery takes 4 business days.", "citations": []})
GOOD_ZH = json.dumps(
    {"text": "标准配送需要 3-5 个工作日，从发货之日起算。", "citations": ["delivery-time"]}
)


def _writer(
    model: ScriptedChatModel,
    metrics: RecordingMetrics,
    breaker: CircuitBreaker | None = None,
    budget_s: float = 6.0,
    timeout_s: float = 5.0,
) -> LlmWriter:
    return LlmWriter(
        model,
        load_brand_policy(),
        metrics,
        settings=WriterSettings(timeout_s=timeout_s, budget_s=budget_s),
        breaker=breaker,
        clock=model.now,
    )


def _write(writer: LlmWriter, index: EmbeddedIndex, question: str, language: str = "en") -> Written:
    passages = index.search(question, k=3, lang=language)
    return writer.write(question, language, passages, style=reply_style("telegram"))


def test_a_grounded_reply_is_sent_with_its_link_and_counted(index: EmbeddedIndex) -> None:
    model, metrics = ScriptedChatModel([GOOD], latency_s=1.2), RecordingMetrics()
    written = _write(_writer(model, metrics), index, "how long does delivery take?")

    assert written.reply is not None
    assert written.reply.source == "llm"
    assert written.reply.text == (
        "Standard delivery takes 3-5 business days, counted from dispatch.\n"
        "More: https://help.lumen.example/en/delivery-time"
    )
    assert [c.id for c in written.reply.citations] == ["delivery-time"]
    assert written.reply.quick_replies == ("Track my order",)
    assert metrics.count("LlmRepliesSent") == 1
    assert metrics.values["LlmLatency"] == [pytest.approx(1200)]
    assert metrics.count("LlmPromptTokens") == 100
    assert metrics.count("LlmCompletionTokens") == 20


def test_a_failing_reply_is_repaired_once_with_the_problem_named(index: EmbeddedIndex) -> None:
    """GIVEN a first reply that states a duration the passages do not THEN the model is told
    what was wrong, and its corrected reply is sent."""
    model, metrics = ScriptedChatModel([WRONG, GOOD]), RecordingMetrics()
    written = _write(_writer(model, metrics), index, "how long does delivery take?")

    assert written.reply is not None
    assert written.reply.text.startswith("Standard delivery takes 3-5 business days")
    repair = model.calls[1]
    assert repair[-2].role == "assistant"
    assert repair[-2].content == WRONG
    assert '"4 day"' in repair[-1].content
    assert metrics.count("LlmRepairsSent") == 1
    assert metrics.count("GuardFailed.grounded") == 1


def test_a_reply_that_fails_twice_is_not_sent(index: EmbeddedIndex) -> None:
    model, metrics = ScriptedChatModel([WRONG, "lorem ipsum dolor sit amet"]), RecordingMetrics()
    written = _write(_writer(model, metrics), index, "how long does delivery take?")

    assert written.reply is None
    assert written.failure == "guards"
    assert len(written.attempts) == 2
    assert metrics.count("LlmFallbacks") == 1


def test_a_chinese_customer_never_gets_an_english_reply(index: EmbeddedIndex) -> None:
    model = ScriptedChatModel([GOOD, GOOD_ZH])
    written = _write(_writer(model, RecordingMetrics()), index, "配送需要多久?", "zh")

    assert written.reply is not None
    assert written.reply.language == "zh"
    assert written.reply.text.startswith("标准配送需要 3-5 个工作日")
    assert "详情:https://help.lumen.example/zh/delivery-time" in written.reply.text
    assert "language" in {v.guard for v in written.attempts[0].violations}


def test_a_model_that_asks_for_a_person_hands_over(index: EmbeddedIndex) -> None:
    model = ScriptedChatModel(['{"text": "I will get a colleague.", "wants_human": true}'])
    written = _write(_writer(model, RecordingMetrics()), index, "我要投诉，找你们经理", "zh")

    assert written.reply is not None
    assert written.reply.source == "handoff"
    assert written.reply.wants_human
    assert written.reply.language == "zh"


def test_an_endpoint_error_means_no_reply_and_is_counted(index: EmbeddedIndex) -> None:
    model, metrics = ScriptedChatModel([LlmError("http_503")]), RecordingMetrics()
    written = _write(_writer(model, metrics), index, "how long does delivery take?")

    assert written.reply is None
    assert written.failure == "http_503"
    assert metrics.count("LlmErrors") == 1


def test_the_latency_budget_bounds_the_wait_repair_included(index: EmbeddedIndex) -> None:
    """GIVEN a slow endpoint (4 s a call) and a 6 s budget WHEN the first reply fails the
    guards THEN the repair gets only the 2 s left, times out, and the customer has waited no
    longer than the budget."""
    model = ScriptedChatModel([WRONG, GOOD], latency_s=4.0)
    written = _write(_writer(model, RecordingMetrics(), budget_s=6.0), index, "delivery time?")

    assert written.reply is None
    assert written.failure == "timeout"
    assert model.timeouts == [5.0, pytest.approx(2.0)]
    assert model.now() <= 6.0


def test_no_call_starts_when_the_budget_is_spent(index: EmbeddedIndex) -> None:
    model = ScriptedChatModel([WRONG, GOOD], latency_s=5.8)
    writer = _writer(model, RecordingMetrics(), budget_s=6.0, timeout_s=6.0)
    written = _write(writer, index, "delivery time?")

    assert written.failure == "budget"
    assert len(model.calls) == 1


def test_the_breaker_opens_after_repeated_failures_and_closes_when_the_endpoint_is_back(
    index: EmbeddedIndex,
) -> None:
    """GIVEN three endpoint failures in a row THEN the next replies do not call the endpoint
    (the customer gets the fallback at once) until the cooldown has passed; a good call then
    closes the breaker."""
    model = ScriptedChatModel([LlmError("connection")] * 3 + [GOOD, GOOD])
    breaker = CircuitBreaker(failures_to_open=3, cooldown_s=30.0, clock=model.now)
    writer = _writer(model, RecordingMetrics(), breaker=breaker)

    for _ in range(3):
        assert _write(writer, index, "delivery time?").failure == "connection"
    skipped = _write(writer, index, "delivery time?")
    assert skipped.failure == "breaker_open"
    assert len(model.calls) == 3

    model.clock[0] += 31.0
    assert _write(writer, index, "delivery time?").reply is not None
    assert _write(writer, index, "delivery time?").reply is not None
    assert len(model.calls) == 5


def test_a_failed_trial_call_reopens_the_breaker_at_once() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures_to_open=2, cooldown_s=10.0, clock=lambda: now[0])
    breaker.failed()
    assert breaker.allows_call()
    breaker.failed()
    assert not breaker.allows_call()
    now[0] = 10.0
    assert breaker.allows_call()
    breaker.failed()  # the trial failed
    assert not breaker.allows_call()


@pytest.mark.parametrize("status", ["http_400", "http_413", "http_422"])
def test_one_requests_own_4xx_never_opens_the_breaker_for_everyone(
    index: EmbeddedIndex, status: str
) -> None:
    """GIVEN an endpoint that refuses three requests in a row for what they are (too long,
    malformed) WHEN the next customer asks THEN the endpoint is still called and answers: one
    customer's over-long messages do not cut every customer off the LLM."""
    model = ScriptedChatModel([LlmError(status)] * 3 + [GOOD])
    breaker = CircuitBreaker(failures_to_open=3, cooldown_s=30.0, clock=model.now)
    writer = _writer(model, RecordingMetrics(), breaker=breaker)

    for _ in range(3):
        assert _write(writer, index, "delivery time?").failure == status
    written = _write(writer, index, "delivery time?")

    assert written.reply is not None
    assert len(model.calls) == 4


def test_an_over_long_message_reaches_the_model_cut_to_its_budget(index: EmbeddedIndex) -> None:
    """GIVEN a 60 KB message whose question comes last WHEN the reply is written THEN the
    prompt fits the input budget and still carries the start and the question."""
    question = "Hello, " + "the delivery is for a gift. " * 2000 + "How long is delivery?"
    model = ScriptedChatModel([GOOD])
    writer = LlmWriter(
        model,
        load_brand_policy(),
        RecordingMetrics(),
        settings=WriterSettings(max_input_tokens=1000),
        clock=model.now,
    )
    passages = index.search("how long is delivery?", k=3, lang="en")
    written = writer.write(question, "en", passages, style=reply_style("telegram"))

    sent = "\n".join(m.content for m in model.calls[0])
    assert estimate_tokens(sent) <= 1000
    assert "Hello, the delivery is for a gift." in sent and "How long is delivery?" in sent
    assert written.reply is not None
