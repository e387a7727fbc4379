"""X Account Activity ingress: the CRC check, the body signature, DMs and mentions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcare.channels.signatures import hmac_sha256_base64
from socialcare.channels.x import SIGNATURE_HEADER, XInbound
from socialcare.model import Channel, Kind, Visibility
from socialcare.webhook import BadHandshake, BadSignature, MalformedPayload, WebhookRequest

SECRET = "x-consumer-secret"
BRAND, CUSTOMER = "2975699229", "1205290247124217856"


@pytest.fixture
def inbound() -> XInbound:
    return XInbound(SECRET)


def _raw(events: Path, name: str) -> bytes:
    return (events / "x" / name).read_bytes()


def test_crc_answer_is_the_documented_hmac() -> None:
    """GIVEN X's CRC GET WHEN answered THEN response_token is "sha256=" and the base64
    HMAC-SHA256 of crc_token under the consumer secret. X publishes no fixed vector, so this is
    RFC 4231's test case 2 (key "Jefe", data "what do ya want for nothing?", HMAC-SHA256
    5bdcc146...64ec3843) in X's encoding."""
    response = XInbound("Jefe").handshake(
        WebhookRequest("GET", {}, {"crc_token": "what do ya want for nothing?"}, b"")
    )
    assert response.status == 200
    assert response.content_type == "application/json"
    assert json.loads(response.body) == {
        "response_token": "sha256=W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    }


@pytest.mark.parametrize("query", [{}, {"crc_token": ""}])
def test_crc_without_a_token_is_refused(inbound: XInbound, query: dict[str, str]) -> None:
    with pytest.raises(BadHandshake):
        inbound.handshake(WebhookRequest("GET", {}, query, b""))


def test_signed_dm_becomes_a_private_message(inbound: XInbound, events: Path) -> None:
    """GIVEN a recorded direct message, signed as X signs it WHEN parsed THEN it is a private
    text from the customer to the brand."""
    body = _raw(events, "direct_message.json")
    header = "sha256=" + hmac_sha256_base64(SECRET, body)
    inbound.verify(WebhookRequest("POST", {SIGNATURE_HEADER: header}, {}, body))
    [message] = inbound.parse(body)
    assert (message.channel, message.kind, message.visibility) == (
        Channel.X,
        Kind.TEXT,
        Visibility.PRIVATE,
    )
    assert message.text == "Yes, you are!"
    assert message.message_id == "dm:1206724334791753732"
    assert message.conversation_id == f"x:{BRAND}:{CUSTOMER}"
    assert message.sent_at == 1576540475


@pytest.mark.parametrize(
    "header",
    [None, "sha256=" + "A" * 44, "sha256=", "x"],
    ids=["missing", "forged", "empty", "junk"],
)
def test_forged_or_missing_signature_is_refused(
    inbound: XInbound, events: Path, header: str | None
) -> None:
    headers = {} if header is None else {SIGNATURE_HEADER: header}
    with pytest.raises(BadSignature):
        inbound.verify(WebhookRequest("POST", headers, {}, _raw(events, "direct_message.json")))


def test_mention_is_public_in_the_same_conversation_as_dms(inbound: XInbound, events: Path) -> None:
    """GIVEN a post mentioning the brand WHEN parsed THEN it is a public message to answer under
    that post, keyed by its author: their DMs continue the same conversation."""
    [mention] = inbound.parse(_raw(events, "mention.json"))
    [dm] = inbound.parse(_raw(events, "direct_message.json"))
    assert mention.visibility is Visibility.PUBLIC
    assert mention.thread_id == "1205348660982083584"
    assert mention.text == "@ScruffyMcG This is a test of Twitter API webhooks."
    assert mention.conversation_id == dm.conversation_id


@pytest.mark.parametrize(
    "name", ["direct_message_own.json", "mention_own_reply.json", "typing.json"]
)
def test_the_brands_own_events_and_indicators_are_ignored(
    inbound: XInbound, events: Path, name: str
) -> None:
    """GIVEN the brand's own DM or public reply (ours), or a typing indicator WHEN parsed
    THEN nothing is answered: no reply loop."""
    assert inbound.parse(_raw(events, name)) == []


def test_batched_events_all_become_messages(inbound: XInbound, events: Path) -> None:
    dm = json.loads(_raw(events, "direct_message.json"))
    mention = json.loads(_raw(events, "mention.json"))
    dms = [{**dm["direct_message_events"][0], "id": str(n)} for n in range(4)]
    body = json.dumps(
        {
            "for_user_id": BRAND,
            "direct_message_events": dms,
            **{"tweet_create_events": mention["tweet_create_events"]},
        }
    ).encode()
    parsed = inbound.parse(body)
    assert [m.message_id for m in parsed] == [
        "dm:0",
        "dm:1",
        "dm:2",
        "dm:3",
        "post:1205348660982083584",
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"direct_message_events": []}',
        b'{"for_user_id": "1", "tweet_create_events": 3}',
        b'{"for_user_id": "1", "tweet_create_events": [{"id_str": "5"}]}',
    ],
    ids=["array", "no-for_user_id", "events-not-list", "post-without-author"],
)
def test_malformed_bodies_are_400(inbound: XInbound, body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        inbound.parse(body)
