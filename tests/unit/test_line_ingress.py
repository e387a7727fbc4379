"""LINE ingress: X-Line-Signature (line-bot-sdk's vector), and every event type of the SDK's
webhook sample."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from socialcare.channels.line import SIGNATURE_HEADER, LineInbound
from socialcare.channels.signatures import hmac_sha256_base64
from socialcare.model import Attachment, Channel, Kind, Location
from socialcare.webhook import BadSignature, MalformedPayload, NotAllowed, WebhookRequest

U = "U206d25c2ea6bd87c17655609a1c37cb8"


def _sample(events: Path) -> bytes:
    return (events / "line/webhook.json").read_bytes()


def test_signature_matches_line_bot_sdk_vector() -> None:
    """GIVEN line-bot-sdk's SignatureValidator test (secret "channel_secret", body
    "bodybodybodybody") WHEN verified THEN its signature is accepted and an invalid one not."""
    inbound = LineInbound("channel_secret")
    body = b"bodybodybodybody"
    good = "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
    inbound.verify(WebhookRequest("POST", {SIGNATURE_HEADER: good}, {}, body))
    with pytest.raises(BadSignature):
        inbound.verify(WebhookRequest("POST", {SIGNATURE_HEADER: "invalid_signature"}, {}, body))


@pytest.mark.parametrize("headers", [{}, {SIGNATURE_HEADER: ""}], ids=["missing", "empty"])
def test_missing_signature_is_refused(events: Path, headers: dict[str, str]) -> None:
    with pytest.raises(BadSignature):
        LineInbound("secret").verify(WebhookRequest("POST", headers, {}, _sample(events)))


def test_no_secret_fails_closed(events: Path) -> None:
    body = _sample(events)
    header = hmac_sha256_base64("", body)
    with pytest.raises(BadSignature):
        LineInbound("").verify(WebhookRequest("POST", {SIGNATURE_HEADER: header}, {}, body))


def test_get_is_not_allowed() -> None:
    with pytest.raises(NotAllowed):
        LineInbound("s").handshake(WebhookRequest("GET", {}, {}, b""))


def test_every_event_of_the_sdk_sample_is_handled(events: Path) -> None:
    """GIVEN the SDK's webhook sample with every event type WHEN parsed THEN messages, postbacks,
    follows and joins are there to answer, each once; unfollow, leave, member changes, unsend,
    beacons, account links, video completions and unknown types are not."""
    sample = json.loads(_sample(events))
    parsed = LineInbound("s").parse(_sample(events))
    answered = Counter(m.platform_type for m in parsed)
    assert answered == {
        "text": 4,  # user, group, room, and the redelivered one
        "image": 2,
        "video": 1,
        "audio": 1,
        "location": 1,
        "sticker": 1,
        "file": 1,
        "follow": 1,
        "join": 1,
        "postback": 4,
    }
    ignored = Counter(e["type"] for e in sample["events"]) - Counter(
        {"message": 12, "follow": 1, "join": 1, "postback": 4}
    )
    assert set(ignored) == {
        "unfollow",
        "leave",
        "beacon",
        "accountLink",
        "memberJoined",
        "memberLeft",
        "unsend",
        "videoPlayComplete",
        "undefined",
    }
    assert all(m.channel is Channel.LINE and m.account_id == "U123" for m in parsed)


def test_what_each_event_becomes(events: Path) -> None:
    parsed = LineInbound("s").parse(_sample(events))
    by_type = {m.platform_type: m for m in reversed(parsed)}  # the first of each type
    text = by_type["text"]
    assert (text.kind, text.text, text.message_id) == (Kind.TEXT, "Hello, world", "325708")
    assert (text.recipient, text.conversation_id) == (U, f"line:U123:{U}")
    assert text.reply_token == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    assert text.sent_at == 1462629479
    assert by_type["follow"].kind is Kind.FOLLOW
    assert by_type["join"].recipient == "Ca56f94637cc4347f90a25382909b24b9"
    assert by_type["postback"].payload == "action=buyItem&itemId=123123&color=red"
    assert by_type["sticker"].kind is Kind.UNSUPPORTED
    assert by_type["image"].parts == (Attachment("image", "325708"),)
    [place] = by_type["location"].parts
    assert isinstance(place, Location) and place.name == "my location"


def test_group_messages_are_answered_in_the_group(events: Path) -> None:
    parsed = LineInbound("s").parse(_sample(events))
    recipients = {m.recipient for m in parsed if m.platform_type == "text"}
    assert recipients == {
        U,
        "Ca56f94637cc4347f90a25382909b24b9",
        "Ra8dbf4673c4c812cd491258042226c99",
    }


def test_verify_button_delivery_has_no_events() -> None:
    """GIVEN LINE console's "Verify" (an empty events list) WHEN parsed THEN nothing, and 200."""
    assert LineInbound("s").parse(b'{"destination": "U1", "events": []}') == []


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"destination": "U1"}',
        b'{"events": 3}',
        b'{"events": [{"type": "message", "source": {"userId": "U"}, '
        b'"message": {"type": "text"}}]}',
    ],
    ids=["array", "no-events", "events-not-list", "message-without-id"],
)
def test_malformed_bodies_are_400(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        LineInbound("s").parse(body)
