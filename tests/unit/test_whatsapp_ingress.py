"""WhatsApp Cloud API ingress: Meta's signature, the subscription handshake, and real payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialcare.channels.meta_webhooks import SIGNATURE_HEADER
from socialcare.channels.signatures import hmac_sha256_hex
from socialcare.channels.whatsapp import WhatsAppInbound
from socialcare.model import Attachment, Channel, Kind, Location, TextPart
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRequest,
    WebhookResponse,
)

VERIFY_TOKEN = "my-verify-token"
PHONE_NUMBER_ID = "1122334455667"
WA_ID = "972987654321"


def _meta(events: Path) -> dict[str, str]:
    return json.loads((events / "whatsapp" / "signed_body.meta.json").read_text())


def _signed_body(events: Path) -> bytes:
    return (events / "whatsapp" / "signed_body.json").read_bytes()


def _raw(events: Path, name: str) -> bytes:
    return (events / "whatsapp" / name).read_bytes()


def _post(body: bytes, headers: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(method="POST", headers=headers, query={}, body=body)


def _get(query: dict[str, str]) -> WebhookRequest:
    return WebhookRequest(method="GET", headers={}, query=query, body=b"")


def _delivery(*messages: Any, value: dict[str, Any] | None = None) -> bytes:
    change_value = {"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "messages": list(messages)}
    if value is not None:
        change_value = value
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"value": change_value, "field": "messages"}]}],
        }
    ).encode()


@pytest.fixture
def inbound() -> WhatsAppInbound:
    return WhatsAppInbound(app_secret="unused-secret", verify_token=VERIFY_TOKEN)


# --- verify: the genuine Meta-signed body ---------------------------------------------------


def test_genuine_signed_body_verifies(events: Path) -> None:
    """GIVEN a body Meta really signed WHEN checked with the app secret THEN it is accepted."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    body = _signed_body(events)
    channel.verify(_post(body, {SIGNATURE_HEADER: meta["signature_header"]}))  # no exception


def test_the_fixture_really_is_signed_with_that_secret(events: Path) -> None:
    """GIVEN the fixture WHEN the HMAC is recomputed THEN it matches Meta's header (sanity)."""
    meta = _meta(events)
    assert meta["header_name"].lower() == SIGNATURE_HEADER
    expected = "sha256=" + hmac_sha256_hex(meta["app_secret"], _signed_body(events))
    assert expected == meta["signature_header"]


def test_genuine_signed_body_parses_to_its_message(events: Path) -> None:
    """GIVEN the genuine signed body WHEN parsed THEN it is the one text message it carries."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    [message] = channel.parse(_signed_body(events))
    assert message.text == "Hey there! I am using PyWa."
    assert message.conversation_id == "whatsapp:277321005464405:972544401243"


@pytest.mark.parametrize("position", [0, 100, -2])
def test_one_changed_byte_fails_verification(events: Path, position: int) -> None:
    """GIVEN a signed body changed by a single byte WHEN checked THEN it is refused (401)."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    body = bytearray(_signed_body(events))
    body[position] ^= 0x01
    with pytest.raises(BadSignature) as caught:
        channel.verify(_post(bytes(body), {SIGNATURE_HEADER: meta["signature_header"]}))
    assert caught.value.status == 401


def test_trailing_newline_fails_verification(events: Path) -> None:
    """GIVEN the signed body with a newline appended (a re-serialised body) THEN it is refused."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    with pytest.raises(BadSignature):
        channel.verify(
            _post(_signed_body(events) + b"\n", {SIGNATURE_HEADER: meta["signature_header"]})
        )


def test_wrong_secret_fails_verification(events: Path) -> None:
    """GIVEN another app's secret WHEN the genuine body is checked THEN it is refused."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret="0" * 32, verify_token=VERIFY_TOKEN)
    with pytest.raises(BadSignature):
        channel.verify(_post(_signed_body(events), {SIGNATURE_HEADER: meta["signature_header"]}))


def test_empty_secret_fails_closed(events: Path) -> None:
    """GIVEN a deployment without an app secret WHEN a body signed with the empty key arrives
    THEN it is still refused: an unconfigured secret accepts nothing."""
    body = _signed_body(events)
    header = "sha256=" + hmac_sha256_hex("", body)
    with pytest.raises(BadSignature):
        WhatsAppInbound(app_secret="", verify_token=VERIFY_TOKEN).verify(
            _post(body, {SIGNATURE_HEADER: header})
        )


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE_HEADER: ""},
        {"x-hub-signature": "sha1=0000"},
        {"x-other": "sha256=abc"},
    ],
    ids=["missing", "empty", "only-sha1-header", "other-header"],
)
def test_missing_signature_fails_verification(events: Path, headers: dict[str, str]) -> None:
    """GIVEN a delivery without X-Hub-Signature-256 WHEN checked THEN it is refused."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    with pytest.raises(BadSignature):
        channel.verify(_post(_signed_body(events), headers))


@pytest.mark.parametrize(
    "transform",
    [
        lambda h: h.removeprefix("sha256="),
        lambda h: "sha1=" + h.removeprefix("sha256="),
        lambda h: "SHA256=" + h.removeprefix("sha256="),
        lambda h: h + " ",
    ],
    ids=["no-prefix", "sha1-prefix", "upper-case-prefix", "trailing-space"],
)
def test_signature_header_must_be_exactly_sha256_hex(events: Path, transform: Any) -> None:
    """GIVEN the right digest in the wrong header format WHEN checked THEN it is refused."""
    meta = _meta(events)
    channel = WhatsAppInbound(app_secret=meta["app_secret"], verify_token=VERIFY_TOKEN)
    header = transform(meta["signature_header"])
    with pytest.raises(BadSignature):
        channel.verify(_post(_signed_body(events), {SIGNATURE_HEADER: header}))


# --- handshake --------------------------------------------------------------------------------


def test_handshake_echoes_the_challenge(inbound: WhatsAppInbound) -> None:
    """GIVEN Meta's subscription check with our verify token THEN we answer 200 with the challenge,
    which is what makes Meta accept the webhook URL."""
    response = inbound.handshake(
        _get(
            {
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            }
        )
    )
    assert isinstance(response, WebhookResponse)
    assert response.status == 200
    assert response.body == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {},
    ],
    ids=["wrong-token", "empty-token", "no-token", "wrong-mode", "no-mode", "nothing"],
)
def test_handshake_refuses_wrong_token_or_mode(
    inbound: WhatsAppInbound, query: dict[str, str]
) -> None:
    """GIVEN a subscription check that is not ours WHEN answered THEN it is 403 Forbidden."""
    with pytest.raises(BadHandshake) as caught:
        inbound.handshake(_get(query))
    assert caught.value.status == 403


def test_handshake_fails_closed_without_a_verify_token() -> None:
    """GIVEN no verify token configured WHEN anyone sends an empty one THEN it is refused."""
    channel = WhatsAppInbound(app_secret="x", verify_token="")
    with pytest.raises(BadHandshake):
        channel.handshake(
            _get({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})
        )


# --- parse: real payloads ---------------------------------------------------------------------


def test_text_message(inbound: WhatsAppInbound, events: Path) -> None:
    """GIVEN a customer's text WHEN parsed THEN the agent gets it, threaded per business number
    and customer, addressed back to the customer."""
    [message] = inbound.parse(_raw(events, "text.json"))
    assert message.channel is Channel.WHATSAPP
    assert message.kind is Kind.TEXT
    assert message.text == "Body Text"
    assert message.conversation_id == f"whatsapp:{PHONE_NUMBER_ID}:{WA_ID}"
    assert message.account_id == PHONE_NUMBER_ID
    assert message.message_id == "wamid.xyzxyz"
    assert message.recipient == WA_ID
    assert message.sender_id == WA_ID
    assert message.sent_at == 1697043223
    assert message.platform_type == "text"


def test_reply_to_a_message_is_plain_text(inbound: WhatsAppInbound, events: Path) -> None:
    """GIVEN a customer replies (quotes) a message WHEN parsed THEN it is their text."""
    [message] = inbound.parse(_raw(events, "text_reply.json"))
    assert message.kind is Kind.TEXT
    assert message.text == "replied text"


def test_batched_delivery_yields_every_message_in_order(
    inbound: WhatsAppInbound, events: Path
) -> None:
    """GIVEN one delivery batching 3 messages from 2 business numbers and a status THEN all 3
    messages are answered, in delivery order, and the status is ignored."""
    messages = inbound.parse(_raw(events, "batched.json"))
    assert [m.message_id for m in messages] == [
        "wamid.xyzxyz",
        "wamid.xyzxyz2",
        "wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA",
    ]
    assert [m.text for m in messages] == [
        "Body Text",
        "replied text",
        "Hey there! I am using PyWa.",
    ]
    assert [m.account_id for m in messages] == [PHONE_NUMBER_ID, PHONE_NUMBER_ID, "277321005464405"]
    assert messages[2].conversation_id == "whatsapp:277321005464405:972544401243"
    assert all(m.kind is Kind.TEXT for m in messages)


def test_status_updates_carry_nothing_to_answer(inbound: WhatsAppInbound, events: Path) -> None:
    """GIVEN sent/delivered/read/failed receipts WHEN parsed THEN there is nothing to answer."""
    names = sorted(p.name for p in (events / "whatsapp").glob("status_*.json"))
    assert names == [
        "status_delivered.json",
        "status_failed.json",
        "status_read.json",
        "status_sent.json",
    ]
    for name in names:
        assert inbound.parse(_raw(events, name)) == [], name


UNSUPPORTED = [
    ("image.json", "image"),
    ("sticker.json", "sticker"),
    ("sticker_animated.json", "sticker"),
    ("reaction.json", "reaction"),
    ("reaction_removed.json", "reaction"),
    ("location.json", "location"),
    ("location_named.json", "location"),
    ("audio.json", "audio"),
    ("voice.json", "audio"),
    ("unsupported.json", "unsupported"),
]


@pytest.mark.parametrize(("name", "platform_type"), UNSUPPORTED)
def test_media_and_reactions_are_unsupported(
    inbound: WhatsAppInbound, events: Path, name: str, platform_type: str
) -> None:
    """GIVEN an uncaptioned image, sticker, reaction, location, audio or unknown type
    WHEN parsed THEN it is one UNSUPPORTED message to the customer (answered politely)."""
    [message] = inbound.parse(_raw(events, name))
    assert message.kind is Kind.UNSUPPORTED
    assert message.text == ""
    assert message.recipient == WA_ID
    assert message.platform_type == platform_type


@pytest.mark.parametrize(
    ("name", "media_type", "mime_type"),
    [("video.json", "video", "video/mp4"), ("document.json", "document", "application/pdf")],
)
def test_captioned_media_is_text_with_the_media_attached(
    inbound: WhatsAppInbound, events: Path, name: str, media_type: str, mime_type: str
) -> None:
    """GIVEN a video or document with a caption WHEN parsed THEN the caption is the customer's
    text and the media is an attachment part, by its Cloud API media id."""
    [message] = inbound.parse(_raw(events, name))
    assert message.kind is Kind.TEXT
    assert message.text == "caption"
    text, attachment = message.parts
    assert text == TextPart("caption")
    assert isinstance(attachment, Attachment)
    assert (attachment.media_type, attachment.mime_type) == (media_type, mime_type)
    assert attachment.ref


def test_location_is_a_typed_part(inbound: WhatsAppInbound, events: Path) -> None:
    """GIVEN a shared location WHEN parsed THEN the agent has its coordinates and name."""
    [message] = inbound.parse(_raw(events, "location_named.json"))
    [place] = message.parts
    assert isinstance(place, Location)
    assert place.latitude != 0 and place.longitude != 0
    assert place.name


@pytest.mark.parametrize(
    ("name", "platform_type"),
    [
        ("interactive_button_reply.json", "interactive"),
        ("interactive_list_reply.json", "interactive"),
        ("button_quick_reply.json", "button"),
    ],
)
def test_button_and_list_choices_are_text(
    inbound: WhatsAppInbound, events: Path, name: str, platform_type: str
) -> None:
    """GIVEN a customer taps a reply button, list row or template quick reply THEN the agent reads
    the title they chose as their text."""
    [message] = inbound.parse(_raw(events, name))
    assert message.kind is Kind.TEXT
    assert message.text == "title"
    assert message.payload  # the button's id or payload, for the agent to act on
    assert message.platform_type == platform_type
    assert message.recipient == WA_ID


def test_every_sample_file_is_covered(events: Path) -> None:
    """GIVEN the folder of real WhatsApp payloads THEN each one is exercised above."""
    covered = {
        *(n for n, _ in UNSUPPORTED),
        "video.json",
        "document.json",
        "interactive_button_reply.json",
        "interactive_list_reply.json",
        "button_quick_reply.json",
        "text.json",
        "text_reply.json",
        "batched.json",
        "signed_body.json",
        "signed_body.meta.json",
        "status_delivered.json",
        "status_failed.json",
        "status_read.json",
        "status_sent.json",
    }
    assert {p.name for p in (events / "whatsapp").glob("*.json")} == covered


# --- parse: malformed and hostile bodies ------------------------------------------------------


def _msg(**overrides: Any) -> dict[str, Any]:
    return {"from": WA_ID, "id": "wamid.1", "type": "text", "text": {"body": "hi"}, **overrides}


MALFORMED = {
    "not-json": b"{not json",
    "json-array": b"[]",
    "invalid-utf8": b'{"object": "whatsapp_business_account", "entry": ["\xff"]}',
    "wrong-object": json.dumps({"object": "page", "entry": []}).encode(),
    "no-object": json.dumps({"entry": []}).encode(),
    "object-number": json.dumps({"object": 5, "entry": []}).encode(),
    "entry-missing": json.dumps({"object": "whatsapp_business_account"}).encode(),
    "entry-object": json.dumps({"object": "whatsapp_business_account", "entry": {}}).encode(),
    "entry-string": json.dumps({"object": "whatsapp_business_account", "entry": "x"}).encode(),
    "entry-item-string": json.dumps(
        {"object": "whatsapp_business_account", "entry": ["x"]}
    ).encode(),
    "changes-missing": json.dumps({"object": "whatsapp_business_account", "entry": [{}]}).encode(),
    "changes-object": json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": {}}]}
    ).encode(),
    "change-item-number": json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [1]}]}
    ).encode(),
    "value-missing": json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]}
    ).encode(),
    "value-list": json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": []}]}]}
    ).encode(),
    "messages-object": _delivery(value={"messages": {"id": "x"}}),
    "messages-string": _delivery(value={"messages": "hi"}),
    "message-string": _delivery("hello"),
    "message-null": _delivery(None),
    "message-without-id": _delivery({"from": WA_ID, "type": "text", "text": {"body": "hi"}}),
    "message-id-number": _delivery(_msg(id=12345)),
    "message-without-from": _delivery({"id": "wamid.1", "type": "text", "text": {"body": "hi"}}),
    "message-from-number": _delivery(_msg(**{"from": 972987654321})),
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_deliveries_are_rejected(inbound: WhatsAppInbound, body: bytes) -> None:
    """GIVEN a body that is not a WhatsApp Business delivery WHEN parsed THEN it is a 400,
    nothing is queued, and the function never crashes."""
    with pytest.raises(MalformedPayload) as caught:
        inbound.parse(body)
    assert caught.value.status == 400


HOSTILE_BUT_PARSEABLE = {
    "metadata-number": _delivery(value={"metadata": 5, "messages": [_msg()]}),
    "metadata-list": _delivery(value={"metadata": [1, 2], "messages": [_msg()]}),
    "text-string": _delivery(_msg(text="x")),
    "text-list": _delivery(_msg(text=["x"])),
    "text-number": _delivery(_msg(text=5)),
    "type-missing": _delivery({"from": WA_ID, "id": "wamid.1", "text": {"body": "hi"}}),
    "type-number": _delivery(_msg(type=7)),
    "type-object": _delivery(_msg(type={"a": 1})),
    "interactive-string": _delivery(_msg(type="interactive", interactive="x")),
    "interactive-type-list": _delivery(_msg(type="interactive", interactive={"type": ["x"]})),
    "interactive-inner-list": _delivery(
        _msg(type="interactive", interactive={"type": "list_reply", "list_reply": []})
    ),
    "button-string": _delivery(_msg(type="button", button="x")),
    "timestamp-garbage": _delivery(_msg(timestamp="yesterday")),
    "timestamp-object": _delivery(_msg(timestamp={"a": 1})),
    "timestamp-nan": b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": '
    b'{"messages": [{"from": "1", "id": "w", "type": "text", "timestamp": NaN}]}}]}]}',
    "statuses-garbage": _delivery(value={"statuses": "x", "messages": []}),
    "messages-null": _delivery(value={"messages": None}),
    "contacts-garbage": _delivery(value={"contacts": 5, "messages": [_msg()]}),
    "empty-entry": json.dumps({"object": "whatsapp_business_account", "entry": []}).encode(),
    "empty-changes": json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": []}]}
    ).encode(),
}


@pytest.mark.parametrize(
    "body", list(HOSTILE_BUT_PARSEABLE.values()), ids=list(HOSTILE_BUT_PARSEABLE)
)
def test_hostile_nested_types_never_raise_anything_but_malformed(
    inbound: WhatsAppInbound, body: bytes
) -> None:
    """GIVEN odd types nested where objects or strings belong WHEN parsed THEN the result is a list
    of messages (no text where there was none) or a 400, never an unexpected exception (500)."""
    try:
        messages = inbound.parse(body)
    except MalformedPayload:
        return
    assert isinstance(messages, list)
    for message in messages:
        assert isinstance(message.text, str)
        assert message.kind is (Kind.TEXT if message.text.strip() else Kind.UNSUPPORTED)
        assert isinstance(message.sent_at, int)


def test_wrong_typed_text_is_not_read_as_text(inbound: WhatsAppInbound) -> None:
    """GIVEN "text": "x" instead of an object WHEN parsed THEN there is no customer text to answer
    (a polite 'unsupported' reply), and the business number is empty with "metadata": 5."""
    [message] = inbound.parse(_delivery(value={"metadata": 5, "messages": [_msg(text="x")]}))
    assert message.kind is Kind.UNSUPPORTED
    assert message.text == ""
    assert message.account_id == ""


@pytest.mark.parametrize(
    "message",
    [
        _msg(text={"body": None}),
        _msg(
            type="interactive",
            interactive={"type": "button_reply", "button_reply": {"title": None}},
        ),
        _msg(type="button", button={"text": None}),
    ],
    ids=["text-body-null", "button_reply-title-null", "button-text-null"],
)
def test_null_text_is_not_the_word_none(inbound: WhatsAppInbound, message: dict[str, Any]) -> None:
    """GIVEN a text body / choice title that is JSON null WHEN parsed THEN the customer typed
    nothing: no TEXT message saying "None" for the agent to answer."""
    [parsed] = inbound.parse(_delivery(message))
    assert parsed.text != "None"
    assert parsed.kind is Kind.UNSUPPORTED


@pytest.mark.parametrize(
    "body",
    [
        b'{"object": "whatsapp_business_account", "n": ' + b"9" * 5000 + b"}",
        b'{"object": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["5000-digit-number", "deeply-nested"],
)
def test_hostile_bodies_are_refused_as_malformed(inbound: WhatsAppInbound, body: bytes) -> None:
    """GIVEN a hostile body under 1 MB (a number JSON cannot hold, deep nesting) WHEN parsed
    THEN it is a 400 MalformedPayload, never a 500 that Meta would keep retrying."""
    with pytest.raises(MalformedPayload):
        inbound.parse(body)


@pytest.mark.parametrize("stamp", [b"1e999", b"Infinity"])
def test_infinite_timestamps_are_ignored_not_fatal(inbound: WhatsAppInbound, stamp: bytes) -> None:
    """GIVEN a message whose timestamp JSON reads as infinity WHEN parsed THEN the message still
    counts, with no timestamp, rather than crashing the webhook."""
    body = (
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": '
        b'{"messages": [{"from": "1", "id": "w", "type": "text", "text": {"body": "hi"}, '
        b'"timestamp": ' + stamp + b"}]}}]}]}"
    )
    (message,) = inbound.parse(body)
    assert message.sent_at == 0


def test_the_profile_name_comes_along_for_redaction(events: Path) -> None:
    """GIVEN a real text delivery with the sender's contact profile WHEN parsed THEN the profile
    name comes with the message, so that ingress can hide it where the customer writes it."""
    channel = WhatsAppInbound(app_secret="s", verify_token=VERIFY_TOKEN)
    [message] = channel.parse(_raw(events, "text.json"))
    assert message.sender_name == "Test Name"
