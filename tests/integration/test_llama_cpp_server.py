"""The local engine as `make up` starts it: llama-cpp-python's server over the shipped SmolLM2
GGUF, asked for the reply contract as a JSON schema in its own form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialcare.generate.llm_port import ChatMessage
from socialcare.generate.openai_compatible import OpenAICompatibleChat
from socialcare.generate.reply_contract import parse_reply, reply_schema
from socialcare_local.llm_server import LlamaCppServer, local_llm
from socialcare_local.moto_server import free_port

MESSAGES = [
    ChatMessage("system", "You answer customers of Lumen & Co. from the passage, as JSON."),
    ChatMessage(
        "user",
        "[delivery-time] Delivery times\nStandard delivery takes 3-5 business days.\n\n"
        "Customer: how long does delivery take?",
    ),
]


@pytest.fixture(scope="module")
def llama_cpp() -> Iterator[LlamaCppServer]:
    """GIVEN the local stack's default LLM: llama-cpp-python's server over SmolLM2's GGUF."""
    server = local_llm(free_port())
    assert isinstance(server, LlamaCppServer)
    server.start()
    yield server
    server.stop()


def test_the_gguf_is_served_and_decodes_to_the_reply_schema(llama_cpp: LlamaCppServer) -> None:
    """WHEN the worker's adapter asks it with the reply schema THEN the draft is the contract,
    whole, citing the passage shown (its speed is bench/engines.json's: CI machines are shared)."""
    chat = OpenAICompatibleChat(llama_cpp.base_url, llama_cpp.model, engine=llama_cpp.engine)

    completion = chat.complete(
        MESSAGES,
        max_tokens=160,
        temperature=0.0,
        timeout_s=120,
        schema=reply_schema(["delivery-time"]),
    )
    draft = parse_reply(completion.text, completion.finish_reason)

    assert draft.structured
    assert not draft.truncated
    assert draft.text
    assert draft.citations[0] == "delivery-time"  # the schema allows no other
