"""What a model writes, parsed into the reply contract: JSON when it follows it, plain text with
[passage-id] markers when it does not, and nothing lost or invented either way."""

from __future__ import annotations

from socialcare.generate.reply_contract import DraftReply, parse_reply


def test_json_reply_is_read_field_by_field() -> None:
    raw = (
        '{"text": "Returns are free within 30 days.", "citations": ["returns-policy"], '
        '"wants_human": false, "quick_replies": ["Start a return"]}'
    )
    assert parse_reply(raw) == DraftReply(
        "Returns are free within 30 days.",
        ("returns-policy",),
        quick_replies=("Start a return",),
        structured=True,
    )


def test_json_in_a_code_fence_after_chatter_is_still_json() -> None:
    """GIVEN a model that wraps its JSON in a Markdown fence and talks before it
    WHEN parsed THEN the JSON is used and the chatter is dropped."""
    raw = (
        "Sure! Here is the reply:\n```json\n"
        '{"text": "Hi [delivery-time]", "citations": ["[Delivery-Time]"]}\n```'
    )
    draft = parse_reply(raw)
    assert draft.structured
    assert draft.text == "Hi"
    assert draft.citations == ("delivery-time",)


def test_plain_text_takes_its_citations_from_bracketed_ids() -> None:
    """GIVEN a small model's plain-text answer with an id in brackets and Markdown bold
    WHEN parsed THEN the customer sees clean text and the id is its citation."""
    draft = parse_reply("You can return items within **30 days** [returns-policy].")
    assert draft == DraftReply("You can return items within 30 days.", ("returns-policy",))


def test_a_handoff_marker_or_flag_asks_for_a_person() -> None:
    assert parse_reply("Let me get a colleague. [handoff]").wants_human
    assert parse_reply('{"text": "One moment.", "wants_human": true}').wants_human
    assert not parse_reply('{"text": "One moment.", "wants_human": "yes"}').wants_human


def test_output_cut_at_max_tokens_is_marked_truncated() -> None:
    """GIVEN output that stopped at the token limit WHEN parsed THEN it is marked, so the guards
    refuse it; broken JSON falls back to the text as written."""
    draft = parse_reply('{"text": "Standard delivery takes 3-5', finish_reason="length")
    assert draft.truncated
    assert not draft.structured
    assert draft.text == '{"text": "Standard delivery takes 3-5'


def test_fields_of_the_wrong_type_are_ignored() -> None:
    draft = parse_reply('{"text": "Hi.", "citations": "delivery-time", "quick_replies": [1, "Ok"]}')
    assert draft.citations == ()
    assert draft.quick_replies == ("Ok",)


def test_plain_text_cut_at_max_tokens_keeps_its_whole_sentences() -> None:
    """GIVEN a small model that rambles on until the token limit WHEN parsed THEN its complete
    sentences are the reply (the guards still judge them); a single cut sentence stays cut."""
    kept = parse_reply("Returns are free within 30 days. Start one in Acc", finish_reason="length")
    assert kept == DraftReply("Returns are free within 30 days.")
    assert parse_reply("Returns are free within 30", finish_reason="length").truncated
