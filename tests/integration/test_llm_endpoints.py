"""The LLM port's adapters over real HTTP: a tiny model served by `transformers serve`, the
SageMaker runtime's SigV4-signed InvokeEndpoint in front of it, and endpoints that misbehave."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from socialcare.generate.llm_port import ChatMessage, LlmError
from socialcare.generate.openai_compatible import OpenAICompatibleChat
from socialcare.generate.sagemaker_chat import SageMakerChat
from socialcare_local.http_server import LoopbackServer
from socialcare_local.moto_server import AWS_ENV, free_port
from tests.conftest import TinyLlm
from tests.llm.endpoints import MisbehavingEndpoint, SageMakerRuntime
from tests.llm.tiny_model import DELIVERY_REPLY

MESSAGES = [
    ChatMessage("system", "You are the Lumen & Co. assistant."),
    ChatMessage("user", "how long does delivery take?"),
]


def _complete(model: OpenAICompatibleChat | SageMakerChat, max_tokens: int = 200) -> str:
    return model.complete(MESSAGES, max_tokens=max_tokens, temperature=0.0, timeout_s=30).text


def test_the_tiny_model_answers_over_the_openai_compatible_api(tiny_llm: TinyLlm) -> None:
    """GIVEN `transformers serve` with the answering model WHEN the adapter asks it THEN the
    completion is its reply, with token counts from the server."""
    chat = OpenAICompatibleChat(tiny_llm.base_url, tiny_llm.answering)
    completion = chat.complete(MESSAGES, max_tokens=200, temperature=0.0, timeout_s=30)

    assert json.loads(completion.text) == DELIVERY_REPLY
    assert completion.finish_reason == "stop"
    assert completion.prompt_tokens > 10
    assert completion.completion_tokens == 7  # six chunks and the end of the turn


def test_output_cut_at_max_tokens_says_so(tiny_llm: TinyLlm) -> None:
    chat = OpenAICompatibleChat(tiny_llm.base_url, tiny_llm.answering)
    completion = chat.complete(MESSAGES, max_tokens=2, temperature=0.0, timeout_s=30)
    assert completion.finish_reason == "length"
    assert completion.text == '{"text": "' + DELIVERY_REPLY["text"]


def test_the_random_model_writes_gibberish(tiny_llm: TinyLlm) -> None:
    text = _complete(OpenAICompatibleChat(tiny_llm.base_url, tiny_llm.random), max_tokens=30)
    assert text
    assert "Standard delivery" not in text


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("503", "http_503"), ("garbage", "bad_response"), ("no_choices", "bad_response")],
)
def test_endpoint_failures_become_one_domain_error(
    misbehaving: tuple[MisbehavingEndpoint, str], mode: str, reason: str
) -> None:
    endpoint, url = misbehaving
    endpoint.mode = mode
    with pytest.raises(LlmError) as raised:
        _complete(OpenAICompatibleChat(url))
    assert raised.value.reason == reason


def test_a_slow_endpoint_times_out(misbehaving: tuple[MisbehavingEndpoint, str]) -> None:
    endpoint, url = misbehaving
    endpoint.mode = "slow"
    with pytest.raises(LlmError) as raised:
        OpenAICompatibleChat(url).complete(MESSAGES, max_tokens=5, temperature=0, timeout_s=0.5)
    assert raised.value.reason == "timeout"


def test_an_endpoint_that_is_down_is_a_connection_error() -> None:
    with pytest.raises(LlmError) as raised:
        _complete(OpenAICompatibleChat(f"http://127.0.0.1:{free_port()}/v1"))
    assert raised.value.reason == "connection"


@pytest.fixture
def sagemaker(
    tiny_llm: TinyLlm, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[SageMakerRuntime, boto3.session.Session]]:
    """GIVEN SageMaker's runtime API on loopback for the endpoint "socialcare-tgi", in front of
    the tiny model, and AWS credentials: boto3 signs every call."""
    runtime = SageMakerRuntime("socialcare-tgi", tiny_llm.base_url, tiny_llm.answering)
    server = LoopbackServer(runtime, free_port()).start()
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", f"http://127.0.0.1:{server.port}")
    yield runtime, boto3.session.Session()
    server.stop()


def test_the_sagemaker_transport_sends_the_messages_api_body_signed(
    sagemaker: tuple[SageMakerRuntime, boto3.session.Session],
) -> None:
    runtime, session = sagemaker
    text = _complete(SageMakerChat("socialcare-tgi", session))

    assert json.loads(text) == DELIVERY_REPLY
    (request,) = runtime.seen
    assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/")
    body = json.loads(request.body)
    assert body["messages"][1] == {"role": "user", "content": "how long does delivery take?"}
    assert body["max_tokens"] == 200
    assert "model" not in body  # the endpoint's base model


def test_the_sagemaker_transport_names_the_lora_adapter_to_answer_with(
    sagemaker: tuple[SageMakerRuntime, boto3.session.Session],
) -> None:
    """GIVEN LLM_MODEL naming a LoRA adapter TGI loaded (LORA_ADAPTERS) WHEN the worker's
    transport asks the endpoint THEN the Messages API body names it as `model`, which is how TGI
    picks the adapter per request."""
    runtime, session = sagemaker
    _complete(SageMakerChat("socialcare-tgi", session, model="lumen/socialcare-qwen2.5-7b-lora"))

    (request,) = runtime.seen
    assert json.loads(request.body)["model"] == "lumen/socialcare-qwen2.5-7b-lora"


def test_a_sagemaker_error_becomes_a_domain_error(
    sagemaker: tuple[SageMakerRuntime, boto3.session.Session],
) -> None:
    _, session = sagemaker
    with pytest.raises(LlmError) as raised:
        _complete(SageMakerChat("no-such-endpoint", session))
    assert raised.value.reason == "sagemaker_ValidationError"
