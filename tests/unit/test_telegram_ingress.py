"""Telegram ingress: who may deliver updates, and what each real update becomes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialcare.channels.telegram import SECRET_HEADER, TelegramInbound
from socialcare.model import Attachment, Channel, Kind, Location, TextPart
from socialcare.webhook import BadSignature, MalformedPayload, NotAllowed, WebhookRequest

SECRET = "s3cr3t-token_ABC"
CHAT_ID = 1111111


def _request(headers: dict[str, str] | None = None, body: bytes = b"{}") -> WebhookRequest:
    return WebhookRequest(method="POST", headers=headers or {}, query={}, body=body)


def _raw(events: Path, name: str) -> bytes:
    return (events / "telegram" / name).read_bytes()


def _update(**content: Any) -> bytes:
    return json.dumps({"update_id": 42, **content}).encode()


@pytest.fixture
def inbound() -> TelegramInbound:
    return TelegramInbound(SECRET)


# --- verify -------------------------------------------------------------------------------


def test_verify_accepts_the_configured_secret_token(inbound: TelegramInbound) -> None:
    """GIVEN the secret given to setWebhook WHEN Telegram sends it THEN the update is accepted."""
    inbound.verify(_request({SECRET_HEADER: SECRET}))  # no exception


@pytest.mark.parametrize(
    "headers",
    [
        {SECRET_HEADER: "wrong-token"},
        {SECRET_HEADER: SECRET + "x"},
        {SECRET_HEADER: SECRET[:-1]},
        {SECRET_HEADER: ""},
        {},
        {"x-other-header": SECRET},
    ],
    ids=["wrong", "longer", "shorter", "empty", "missing", "other-header"],
)
def test_verify_rejects_wrong_or_missing_token(
    inbound: TelegramInbound, headers: dict[str, str]
) -> None:
    """GIVEN a caller without our secret WHEN it posts an update THEN it is refused with 401."""
    with pytest.raises(BadSignature) as caught:
        inbound.verify(_request(headers))
    assert caught.value.status == 401


@pytest.mark.parametrize("header_value", ["", "anything", SECRET])
def test_verify_fails_closed_when_no_secret_is_configured(header_value: str) -> None:
    """GIVEN a deployment whose secret is empty WHEN anything arrives THEN nothing is accepted."""
    with pytest.raises(BadSignature):
        TelegramInbound("").verify(_request({SECRET_HEADER: header_value}))


def test_handshake_is_not_allowed(inbound: TelegramInbound) -> None:
    """GIVEN Telegram has no GET handshake WHEN a GET arrives THEN it is answered 405."""
    request = WebhookRequest(method="GET", headers={}, query={}, body=b"")
    with pytest.raises(NotAllowed) as caught:
        inbound.handshake(request)
    assert caught.value.status == 405


# --- parse: the real samples ----------------------------------------------------------------


TEXT_SAMPLES = {
    "message_text.json": "/start",
    "message_text_minimal.json": "/start",
    "message_text_zh.json": "你好,我想咨询一下产品的退货政策?",
    "message_forwarded.json": "/start",
    "message_forwarded_channel.json": "/start",
    "message_reply.json": "/start",
    "message_entities.json": "Bold and italics",
    "edited_message.json": "Edited text",
}
UNSUPPORTED_SAMPLES = {
    "message_sticker.json": "sticker",
    "message_location.json": "location",
    "message_voice.json": "voice",
    "message_audio.json": "audio",
    "message_document.json": "document",
}
NOTHING_TO_ANSWER = ["inline_query.json", "chosen_inline_result.json"]


def test_every_sample_file_is_covered(events: Path) -> None:
    """GIVEN the folder of real updates WHEN a sample is added THEN these tests must cover it."""
    covered = {*TEXT_SAMPLES, *UNSUPPORTED_SAMPLES, *NOTHING_TO_ANSWER, "callback_query.json"}
    assert {p.name for p in (events / "telegram").glob("*.json")} == covered


@pytest.mark.parametrize(("name", "text"), sorted(TEXT_SAMPLES.items()))
def test_text_messages_become_one_text_message(
    inbound: TelegramInbound, events: Path, name: str, text: str
) -> None:
    """GIVEN a customer's text WHEN it is parsed THEN the agent gets that text, for that chat;
    /start is the customer starting the bot, to be greeted."""
    [message] = inbound.parse(_raw(events, name))
    assert message.channel is Channel.TELEGRAM
    assert message.kind is (Kind.FOLLOW if text == "/start" else Kind.TEXT)
    assert message.text == text
    assert message.conversation_id == f"telegram:{CHAT_ID}"
    assert message.recipient == str(CHAT_ID)
    assert message.sender_id == str(CHAT_ID)
    assert message.sent_at == 1441645532
    assert message.message_id.startswith(f"{CHAT_ID}:1365")


@pytest.mark.parametrize(("name", "platform_type"), sorted(UNSUPPORTED_SAMPLES.items()))
def test_non_text_messages_are_unsupported(
    inbound: TelegramInbound, events: Path, name: str, platform_type: str
) -> None:
    """GIVEN a sticker, location, voice note, audio or file WHEN parsed THEN it is one
    UNSUPPORTED message (answered politely), still addressed to the customer's chat."""
    [message] = inbound.parse(_raw(events, name))
    assert message.kind is Kind.UNSUPPORTED
    assert message.text == ""
    assert message.platform_type == platform_type
    assert message.conversation_id == f"telegram:{CHAT_ID}"
    assert message.recipient == str(CHAT_ID)


def test_edited_message_gets_its_own_id(inbound: TelegramInbound, events: Path) -> None:
    """GIVEN a customer edits a message WHEN the edit arrives THEN it is a new message to answer,
    not a duplicate of the original (same chat, same message_id) that deduplication would drop."""
    [original] = inbound.parse(_raw(events, "message_text.json"))
    [edited] = inbound.parse(_raw(events, "edited_message.json"))
    assert edited.message_id != original.message_id
    assert edited.conversation_id == original.conversation_id
    assert edited.text == "Edited text"


def test_two_edits_of_one_message_are_distinct(inbound: TelegramInbound) -> None:
    """GIVEN the same message edited twice WHEN both arrive THEN both are answered."""
    base = {"chat": {"id": 7}, "message_id": 1, "date": 1, "text": "x"}
    [first] = inbound.parse(_update(edited_message={**base, "edit_date": 10}))
    [second] = inbound.parse(_update(edited_message={**base, "edit_date": 20}))
    assert first.message_id != second.message_id


def test_callback_query_text_is_the_button_data(inbound: TelegramInbound, events: Path) -> None:
    """GIVEN a customer taps an inline button WHEN parsed THEN its data is the customer's text,
    and the reply goes to the customer (the docs' sample has no message, so to the user id)."""
    [message] = inbound.parse(_raw(events, "callback_query.json"))
    assert message.kind is Kind.TEXT
    assert message.text == "Data from button callback"
    assert message.message_id == "callback:4382bfdwdsb323b2d9"
    assert message.recipient == "1111111"
    assert message.conversation_id == "telegram:1111111"
    assert message.platform_type == "callback_query"


def test_callback_query_with_a_message_replies_in_that_chat(inbound: TelegramInbound) -> None:
    """GIVEN a button under a message in a chat WHEN tapped THEN the answer goes to that chat."""
    body = _update(
        callback_query={
            "id": "q1",
            "from": {"id": 5},
            "message": {"message_id": 9, "chat": {"id": -100200}},
            "data": "track my order",
        }
    )
    [message] = inbound.parse(body)
    assert message.recipient == "-100200"
    assert message.conversation_id == "telegram:-100200"
    assert message.sender_id == "5"


@pytest.mark.parametrize("name", NOTHING_TO_ANSWER)
def test_inline_updates_are_acknowledged_with_nothing_to_answer(
    inbound: TelegramInbound, events: Path, name: str
) -> None:
    """GIVEN an inline query or chosen inline result WHEN parsed THEN nothing is queued, and no
    error either (Telegram would otherwise retry it)."""
    assert inbound.parse(_raw(events, name)) == []


def test_messages_from_bots_are_never_answered(inbound: TelegramInbound, events: Path) -> None:
    """GIVEN a message sent by a bot (ours or another) WHEN parsed THEN there is nothing to answer,
    so two bots can never talk to each other forever."""
    update = json.loads(_raw(events, "message_text.json"))
    update["message"]["from"]["is_bot"] = True
    assert inbound.parse(json.dumps(update).encode()) == []


def test_blank_text_is_unsupported(inbound: TelegramInbound) -> None:
    """GIVEN a message of only spaces WHEN parsed THEN the agent asks for a typed question."""
    [message] = inbound.parse(_update(message={"chat": {"id": 3}, "message_id": 4, "text": "   "}))
    assert message.kind is Kind.UNSUPPORTED


# --- parse: malformed bodies -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b'{"message": {"chat": {"id": 1}, "message_id": 2, "text": "hi"}}',
        b'{"update_id": "10000", "message": {"chat": {"id": 1}, "message_id": 2}}',
        b'{"update_id": null}',
        b'{"update_id": 1.5, "message": {"chat": {"id": 1}, "message_id": 2}}',
        b'{"update_id": 1, "message": {"text": "\xff\xfe broken utf-8"}}',
        b"\xff\xfe\x00\x01",
        b'{"update_id": 1}',
        b'{"update_id": 1, "message": {"message_id": 2, "text": "no chat"}}',
        b'{"update_id": 1, "message": {"chat": {"id": "abc"}, "message_id": 2}}',
        b'{"update_id": 1, "message": {"chat": {"id": 1}, "message_id": "2"}}',
        b'{"update_id": 1, "message": {"chat": [], "message_id": 2}}',
        b'{"update_id": 1, "callback_query": {"id": 5, "from": {"id": 1}}}',
        b'{"update_id": 1, "callback_query": {"id": "5"}}',
    ],
    ids=[
        "not-json",
        "empty",
        "json-array",
        "json-string",
        "json-null",
        "missing-update_id",
        "update_id-string",
        "update_id-null",
        "update_id-float",
        "invalid-utf8-in-string",
        "invalid-utf8-bytes",
        "no-object",
        "message-without-chat",
        "chat-id-string",
        "message_id-string",
        "chat-not-object",
        "callback-id-number",
        "callback-without-from",
    ],
)
def test_malformed_bodies_are_rejected_as_malformed(inbound: TelegramInbound, body: bytes) -> None:
    """GIVEN a body that is not a valid Telegram update WHEN parsed THEN it is refused with 400,
    never a crash (500) that would make Telegram retry it forever."""
    with pytest.raises(MalformedPayload) as caught:
        inbound.parse(body)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": ' + b"1" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["5000-digit-number", "deeply-nested"],
)
def test_hostile_bodies_are_refused_as_malformed(inbound: TelegramInbound, body: bytes) -> None:
    """GIVEN a hostile body under 1 MB (a number JSON cannot hold, deep nesting) WHEN parsed
    THEN it is a 400 MalformedPayload, never a 500 that the platform would retry forever."""
    with pytest.raises(MalformedPayload):
        inbound.parse(body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": {"chat": {"id": 1}, "message_id": 2, "date": 1e999}}',
        b'{"update_id": 1, "edited_message": {"chat": {"id": 1}, "message_id": 2, '
        b'"text": "x", "edit_date": 1e999}}',
    ],
    ids=["date-overflows", "edit_date-overflows"],
)
def test_infinite_dates_are_ignored_not_fatal(inbound: TelegramInbound, body: bytes) -> None:
    """GIVEN a message whose date JSON reads as infinity WHEN parsed THEN the message still
    counts, with no date, rather than crashing the webhook."""
    (message,) = inbound.parse(body)
    assert message.sent_at == 0


def test_callback_without_any_chat_or_user_id_is_refused(inbound: TelegramInbound) -> None:
    """GIVEN a callback_query whose `from` has no id and no message chat WHEN parsed
    THEN it is refused, not answered to a chat called "None"."""
    body = _update(callback_query={"id": "q", "from": {}, "data": "hello"})
    with pytest.raises(MalformedPayload):
        inbound.parse(body)


def test_the_profile_name_comes_along_for_redaction(inbound: TelegramInbound, events: Path) -> None:
    """GIVEN a real update whose sender has a first and last name WHEN parsed THEN the name comes
    along, so that ingress can hide it where the customer writes it."""
    [message] = inbound.parse(_raw(events, "message_text.json"))
    assert message.sender_name == "Test Firstname Test Lastname"


# --- commands, buttons, edits, media ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/start", Kind.FOLLOW),
        ("/help", Kind.HELP),
        ("/help@LumenBot", Kind.HELP),
        ("/HELP", Kind.HELP),
        ("/track 12345", Kind.TEXT),
        ("help", Kind.TEXT),
    ],
)
def test_commands_start_and_help_are_recognised(
    inbound: TelegramInbound, text: str, kind: Kind
) -> None:
    """GIVEN /start or /help (also addressed to the bot by name) WHEN parsed THEN the agent greets
    or explains itself; other commands and plain words are questions."""
    chat = {"id": 5, "type": "private"}
    [message] = inbound.parse(_update(message={"message_id": 1, "chat": chat, "text": text}))
    assert message.kind is kind


def test_callback_query_keeps_its_payload_and_id_to_acknowledge(
    inbound: TelegramInbound, events: Path
) -> None:
    [message] = inbound.parse(_raw(events, "callback_query.json"))
    assert message.payload == "Data from button callback"
    assert message.reply_token == "4382bfdwdsb323b2d9"  # answerCallbackQuery stops the spinner


def test_edited_message_is_a_new_message_about_the_old_one(
    inbound: TelegramInbound, events: Path
) -> None:
    """GIVEN Telegram's edited-message update WHEN parsed THEN the edit is answered as a message
    of its own (a new idempotency key), marked as an edit."""
    [edited] = inbound.parse(_raw(events, "edited_message.json"))
    assert edited.platform_type == "edited_message"
    assert ":edit:" in edited.message_id


def test_photo_with_caption_is_text_with_the_largest_photo(inbound: TelegramInbound) -> None:
    photo = [{"file_id": "small", "width": 90}, {"file_id": "large", "width": 1280}]
    update = _update(
        message={"message_id": 2, "chat": {"id": 5}, "photo": photo, "caption": "is this broken?"}
    )
    [message] = inbound.parse(update)
    assert (message.kind, message.text) == (Kind.TEXT, "is this broken?")
    assert message.parts == (TextPart("is this broken?"), Attachment("photo", "large"))


def test_location_is_a_typed_part(inbound: TelegramInbound, events: Path) -> None:
    [message] = inbound.parse(_raw(events, "message_location.json"))
    assert message.parts == (Location(52.520008, 13.404954),)


def test_reply_context_is_kept(inbound: TelegramInbound, events: Path) -> None:
    [message] = inbound.parse(_raw(events, "message_reply.json"))
    assert message.reply_to
