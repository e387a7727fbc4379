"""The reply contract as a JSON schema: what each engine is sent, what the writer asks for, and a
contract that an engine began but did not finish, as the customer would otherwise see it."""

from __future__ import annotations

import pytest

from socialcare.generate.brand import load_brand_policy
from socialcare.generate.llm_writer import LlmWriter
from socialcare.generate.reply_contract import (
    ENGINES,
    DraftReply,
    parse_reply,
    reply_schema,
    response_format,
)
from socialcare.generate.reply_style import reply_style
from socialcare.knowledge.embedded_index import EmbeddedIndex
from tests.fakes.ports import RecordingMetrics, ScriptedChatModel

SCHEMA = reply_schema(["delivery-time"])
TEXT = "Standard delivery takes 3-5 business days."


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        ("vllm", {"type": "json_schema", "json_schema": {"name": "reply", "schema": SCHEMA}}),
        ("sglang", {"type": "json_schema", "json_schema": {"name": "reply", "schema": SCHEMA}}),
        ("llama.cpp", {"type": "json_schema", "json_schema": {"name": "reply", "schema": SCHEMA}}),
        ("llama-cpp-python", {"type": "json_object", "schema": SCHEMA}),
        ("tgi", {"type": "json", "value": SCHEMA}),
    ],
)
def test_each_engine_gets_the_schema_in_the_form_it_decodes(
    engine: str, expected: dict[str, object]
) -> None:
    form = response_format(engine, SCHEMA)
    assert form is not None
    if "json_schema" in form:
        form = {
            **form,
            "json_schema": {k: v for k, v in form["json_schema"].items() if k != "strict"},
        }
    assert form == expected


def test_transformers_serve_and_a_call_without_schema_send_none() -> None:
    assert response_format("transformers", SCHEMA) is None
    assert response_format("vllm", None) is None


def test_an_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(ValueError) as raised:
        response_format("vlm", SCHEMA)
    assert all(name in str(raised.value) for name in ENGINES)


def test_the_schema_lets_a_reply_cite_only_the_passages_shown() -> None:
    schema = reply_schema(["delivery-time", "returns-policy", "delivery-time"])
    citations = schema["properties"]["citations"]
    assert citations["items"]["enum"] == ["delivery-time", "returns-policy"]
    assert citations["minItems"] == 1
    assert schema["required"] == ["text", "citations", "wants_human", "quick_replies"]


def test_the_writer_asks_for_the_schema_of_the_passages_it_shows(index: EmbeddedIndex) -> None:
    """GIVEN the writer WHEN it asks the model for a reply and a repair THEN both calls carry
    the contract's schema, whose citations are the ids of the passages in the prompt."""
    model = ScriptedChatModel(['{"text": "Hi."}', '{"text": "Hi."}'])
    writer = LlmWriter(model, load_brand_policy(), RecordingMetrics(), clock=model.now)
    passages = index.search("how long does delivery take?", k=3, lang="en")

    writer.write("how long does delivery take?", "en", passages, style=reply_style("telegram"))

    ids = [p.id for p in passages]
    assert len(model.schemas) == 2
    assert all(s and s["properties"]["citations"]["items"]["enum"] == ids for s in model.schemas)


def test_a_contract_stopped_after_its_text_keeps_the_text() -> None:
    """GIVEN an engine that stopped mid-object after a whole text WHEN parsed THEN the text is
    the draft (no brace or field name of the object reaches a customer)."""
    draft = parse_reply('{"text": "' + TEXT + '", "citations": ["deliv')
    assert draft == DraftReply(TEXT)


@pytest.mark.parametrize(
    "raw",
    ['{"text": "Standard delivery takes 3-5', '{"text": Standard delivery, "citations": []}'],
)
def test_a_contract_broken_inside_its_text_is_marked_cut_off(raw: str) -> None:
    """GIVEN a contract cut inside its text, or written as invalid JSON, with finish_reason
    "stop" WHEN parsed THEN it is marked cut off, so the guards refuse it."""
    assert parse_reply(raw, finish_reason="stop").truncated


def test_a_line_break_written_raw_inside_the_text_is_kept() -> None:
    """GIVEN a schema grammar that let the model write a line break as it is inside the text
    (llama.cpp's does) WHEN parsed THEN it is the contract, not text cut off."""
    draft = parse_reply('{"text": "Standard delivery:\n3-5 business days.", "citations": ["d"]}')
    assert draft.structured
    assert draft.text == "Standard delivery:\n3-5 business days."


def test_the_contracts_own_placeholders_copied_as_the_answer_are_nothing_said() -> None:
    """GIVEN SmolLM2 decoding to the schema and copying the prompt's contract as its answer
    (what generate-check found it sending: "<the reply to the customer>") WHEN parsed THEN the
    text is empty, which the guards refuse, and the placeholder quick reply is dropped."""
    raw = (
        '{"text": "<the reply to the customer>", "citations": ["delivery-time"], '
        '"wants_human": false, "quick_replies": ["<short follow-up>", "Track my order"]}'
    )
    draft = parse_reply(raw)
    assert draft.text == ""
    assert draft.quick_replies == ("Track my order",)
