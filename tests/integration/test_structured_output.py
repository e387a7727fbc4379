"""Structured output over real HTTP: the reply contract asked for as a JSON schema in the form the
configured engine takes, endpoints that refuse it or ignore it, and what the customer gets when
an engine returns invalid JSON or stops mid-object."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from socialcare import bootstrap
from socialcare.generate.llm_port import ChatMessage, LlmError
from socialcare.generate.openai_compatible import OpenAICompatibleChat
from socialcare.generate.reply_contract import parse_reply, reply_schema
from socialcare.generate.sagemaker_chat import SageMakerChat
from socialcare.model import Channel, InboundMessage, Kind
from socialcare_local.cfn_template import Template
from socialcare_local.http_server import LoopbackServer
from socialcare_local.moto_server import AWS_ENV, free_port
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_event
from tests.llm.endpoints import (
    ENGINE_FORMS,
    MisbehavingEndpoint,
    SageMakerRuntime,
    StructuredEngine,
)
from tests.llm.tiny_model import DELIVERY_REPLY, DELIVERY_TEXT

MESSAGES = [ChatMessage("user", "how long does delivery take?")]
SCHEMA = reply_schema(["delivery-time", "returns-policy"])


@pytest.fixture
def engine() -> Iterator[tuple[StructuredEngine, str]]:
    """GIVEN a loopback server that treats response_format as a given engine does (vLLM until
    the test says otherwise), and its base URL."""
    server_engine = StructuredEngine("vllm")
    server = LoopbackServer(server_engine, free_port()).start()
    yield server_engine, f"http://127.0.0.1:{server.port}/v1"
    server.stop()


def _ask(chat: OpenAICompatibleChat | SageMakerChat) -> str:
    return chat.complete(MESSAGES, max_tokens=50, temperature=0.0, timeout_s=5, schema=SCHEMA).text


@pytest.mark.parametrize("name", list(ENGINE_FORMS))
def test_each_engine_is_asked_for_the_contract_in_its_own_form(
    engine: tuple[StructuredEngine, str], name: str
) -> None:
    """GIVEN a vLLM, llama-cpp-python or TGI server WHEN the adapter configured for it asks with
    the reply schema THEN one request carries the schema in that engine's form, and the draft
    is the contract, citing one of the passages shown."""
    server, url = engine
    server.engine = name

    draft = parse_reply(_ask(OpenAICompatibleChat(url, engine=name)))

    (body,) = server.bodies
    kind, key = ENGINE_FORMS[name]
    assert body["response_format"]["type"] == kind
    schema = body["response_format"][key]
    schema = schema["schema"] if name == "vllm" else schema
    assert schema["properties"]["citations"]["items"]["enum"] == ["delivery-time", "returns-policy"]
    assert draft.structured
    assert draft.text == DELIVERY_TEXT
    assert draft.citations == ("delivery-time",)


def test_an_endpoint_that_refuses_the_schema_is_asked_without_it_from_then_on(
    engine: tuple[StructuredEngine, str],
) -> None:
    """GIVEN llama-cpp-python's server behind an adapter configured for vLLM (the json_schema
    form, which that server refuses with 422) WHEN it is asked twice THEN the first reply comes
    from a second, plain request and the second reply from one plain request: today's parsing,
    with the reply still written."""
    server, url = engine
    server.engine = "llama-cpp-python"
    chat = OpenAICompatibleChat(url, engine="vllm")

    first, second = _ask(chat), _ask(chat)

    assert [("response_format" in b) for b in server.bodies] == [True, False, False]
    assert parse_reply(first).text == parse_reply(second).text == DELIVERY_TEXT
    assert parse_reply(first).citations == ("delivery-time",)


def test_a_request_refused_for_itself_is_its_failure_and_the_schema_is_kept(
    engine: tuple[StructuredEngine, str],
) -> None:
    """GIVEN a server that refuses a request with or without the schema (too long for it) WHEN
    asked twice THEN each ask fails with the server's status, and each one tries the schema
    first again: one request's failure does not turn structured output off."""
    server, url = engine
    server.engine = "refuses_all"
    chat = OpenAICompatibleChat(url, engine="vllm")

    for _ in range(2):
        with pytest.raises(LlmError) as raised:
            _ask(chat)
        assert raised.value.reason == "http_400"

    assert [("response_format" in b) for b in server.bodies] == [True, False, True, False]


def test_transformers_serve_is_asked_without_a_schema(engine: tuple[StructuredEngine, str]) -> None:
    """GIVEN LLM_ENGINE=transformers (it ignores response_format) WHEN asked THEN no schema is
    sent and the text is parsed as it comes."""
    server, url = engine

    text = _ask(OpenAICompatibleChat(url, engine="transformers"))

    assert "response_format" not in server.bodies[0]
    assert parse_reply(text).citations == ("delivery-time",)


def test_the_sagemaker_transport_asks_vllm_for_the_schema(
    engine: tuple[StructuredEngine, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the SageMaker runtime in front of AWS's vLLM container WHEN the worker's transport
    asks with the reply schema THEN the signed body carries it as json_schema."""
    server, url = engine
    runtime = SageMakerRuntime("socialcare-llm", url, "")
    front = LoopbackServer(runtime, free_port()).start()
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", f"http://127.0.0.1:{front.port}")
    try:
        text = _ask(SageMakerChat("socialcare-llm", boto3.session.Session()))
    finally:
        front.stop()

    assert json.loads(text) == DELIVERY_REPLY
    assert server.bodies[0]["response_format"]["type"] == "json_schema"


def test_an_unknown_engine_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN LLM_ENGINE misspelt WHEN the worker builds its writer THEN it stops with the
    engines it knows, rather than silently sending no schema."""
    monkeypatch.setenv("LLM_ENDPOINT_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("LLM_ENGINE", "vlm")
    bootstrap.reset()
    with pytest.raises(ValueError, match="llama-cpp-python"):
        bootstrap.reply_writer()
    bootstrap.reset()


def _metrics(out: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for line in out.splitlines():
        if '"_aws"' in line:
            found.update(json.loads(line))
    return found


@pytest.mark.parametrize(
    ("mode", "source"),
    [("invalid_json", "knowledge"), ("mid_object", "llm"), ("not_contract", "knowledge")],
)
def test_an_engine_writing_broken_json_still_gets_the_customer_a_grounded_answer(
    aws: Template,
    sandbox: tuple[PlatformSandbox, str],
    misbehaving: tuple[MisbehavingEndpoint, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    source: str,
) -> None:
    """GIVEN an engine that writes the contract as invalid JSON, stops mid-object after a whole
    text, or ignores the schema WHEN a customer asks about delivery THEN they get one grounded
    message with no JSON in it: the model's whole text when there is one, else the help
    centre's answer, and the fallback is counted with its reason."""
    platforms, _ = sandbox
    endpoint, url = misbehaving
    endpoint.mode = mode
    monkeypatch.setenv("LLM_ENDPOINT_URL", url)
    monkeypatch.setenv("LLM_ENGINE", "vllm")
    monkeypatch.setenv("LLM_BUDGET_S", "10")
    bootstrap.reset()
    message = InboundMessage(
        Channel.TELEGRAM, "930:1", "telegram:930", "930", "930", Kind.TEXT, "how long is delivery?"
    )

    function(aws, "WorkerFunction").invoke(sqs_event(message))

    (sent,) = platforms.sent()
    assert "3-5 business days" in sent["text"]
    assert "help.lumen.example/en/delivery-time" in sent["text"]
    assert "{" not in sent["text"]
    metrics = _metrics(capsys.readouterr().out)
    if source == "llm":
        assert metrics["LlmRepliesSent"] == [1.0]
    else:
        assert metrics["LlmFallbacks.guards"] == [1.0]
