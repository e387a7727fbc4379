"""X Account Activity ingress: the CRC check, the body signature, DMs and mentions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from socialcare.channels.outbound import Outgoing
from socialcare.channels.outbound_http import PlatformHttp
from socialcare.channels.signatures import hmac_sha256_base64
from socialcare.channels.x import SIGNATURE_HEADER, XInbound, XOutbound
from socialcare.model import Channel, InboundMessage, Kind, Visibility
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRejected,
    WebhookRequest,
    receive,
)
from socialcare_local.http_server import LoopbackServer, Request, Response
from socialcare_local.moto_server import free_port

SECRET = "x-consumer-secret"
BRAND, CUSTOMER = "2975699229", "1205290247124217856"


@pytest.fixture
def inbound() -> XInbound:
    return XInbound(SECRET)


def _raw(events: Path, name: str) -> bytes:
    return (events / "x" / name).read_bytes()


def test_crc_answer_is_the_documented_hmac() -> None:
    """GIVEN X's CRC GET WHEN answered THEN response_token is "sha256=" and the base64
    HMAC-SHA256 of crc_token under the consumer secret. X publishes no fixed vector: this is
    RFC 4231's key "Jefe" over a token in X's alphabet (base64 of RFC 4231's test data), the
    expected value computed once with the standard library's hmac."""
    response = XInbound("Jefe").handshake(
        WebhookRequest("GET", {}, {"crc_token": "d2hhdCBkbyB5YSB3YW50IGZvciBub3RoaW5nPw=="}, b"")
    )
    assert response.status == 200
    assert response.content_type == "application/json"
    assert json.loads(response.body) == {
        "response_token": "sha256=FoQaQPOJ9QuLARjWGF1nrNXdmmM2glS4/bCGyAaSsQQ="
    }


@pytest.mark.parametrize(
    "token",
    ["MTU0NjYxMzA5MzQ0Mg", "abc-DEF_123xyz", "Zm9vYmFyYmF6cXV4cXV1eA+/=="],
    ids=["base64url", "url-safe", "padded"],
)
def test_crc_tokens_shaped_like_xs_are_answered(inbound: XInbound, token: str) -> None:
    response = inbound.handshake(WebhookRequest("GET", {}, {"crc_token": token}, b""))
    expected = "sha256=" + hmac_sha256_base64(SECRET, token.encode())
    assert json.loads(response.body) == {"response_token": expected}


@pytest.mark.parametrize(
    "token",
    [
        '{"for_user_id": "1"}',
        "what do ya want for nothing?",
        "A" * 129,
        "short",
        "abc\ndef12345",
        "ＡＢＣＤＥＦＧＨＩＪ",
    ],
    ids=["json", "spaces", "too-long", "too-short", "newline", "full-width"],
)
def test_crc_tokens_not_shaped_like_xs_are_400(inbound: XInbound, token: str) -> None:
    """GIVEN a crc_token X would never send WHEN the handshake runs THEN 400 and no MAC: the
    handshake signs nothing an attacker chose."""
    with pytest.raises(MalformedPayload) as refused:
        inbound.handshake(WebhookRequest("GET", {}, {"crc_token": token}, b""))
    assert refused.value.status == 400
    assert "sha256=" not in refused.value.response().body


def test_a_json_body_cannot_be_signed_through_the_handshake(
    inbound: XInbound, events: Path
) -> None:
    """GIVEN an attacker who asks the CRC handshake to sign a DM body of their own WHEN they
    POST that body with whatever the handshake gave THEN it is refused and nothing is queued
    (on the old code the handshake's answer was a valid signature for the body)."""
    body = _raw(events, "direct_message.json")
    queued: list[InboundMessage] = []
    crc = WebhookRequest("GET", {}, {"crc_token": body.decode()}, b"")
    with pytest.raises(WebhookRejected) as handshake:
        receive(crc, inbound, queued.append)
    signature = handshake.value.response().body  # all the attacker gets back
    post = WebhookRequest("POST", {SIGNATURE_HEADER: signature}, {}, body)
    with pytest.raises(WebhookRejected) as delivery:
        receive(post, inbound, queued.append)
    assert (handshake.value.status, delivery.value.status) == (400, 401)
    assert queued == []


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


def _dm_from(sender: object) -> bytes:
    event = {
        "type": "message_create",
        "id": "1",
        "message_create": {"sender_id": sender, "message_data": {"text": "hi"}},
    }
    return json.dumps({"for_user_id": BRAND, "direct_message_events": [event]}).encode()


def _mention_by(author: object) -> bytes:
    tweet = {"id_str": "5", "text": "@brand hi", "user": {"id_str": author}}
    tweet["in_reply_to_user_id_str"] = BRAND
    return json.dumps({"for_user_id": BRAND, "tweet_create_events": [tweet]}).encode()


@pytest.mark.parametrize("user", ["../../tweets#", "12/34", "", "１２３", 12345])
@pytest.mark.parametrize("build", [_dm_from, _mention_by], ids=["dm", "mention"])
def test_user_ids_that_are_not_numeric_are_400(inbound: XInbound, user: object, build: Any) -> None:
    """GIVEN a DM or mention whose author id is not X's decimal id WHEN parsed THEN 400: the id
    later names the DM conversation in a URL path."""
    with pytest.raises(MalformedPayload):
        inbound.parse(build(user))


def test_dm_reply_url_escapes_the_recipient() -> None:
    """GIVEN a message whose recipient would walk up the URL path ("../../tweets#") WHEN a
    private reply is sent THEN it goes to the DM endpoint with the id escaped, never to
    /2/tweets (a public post)."""
    paths: list[str] = []

    def platform(request: Request) -> Response:
        paths.append(request.path)
        return Response.json(201, {"data": {}})

    server = LoopbackServer(platform, free_port()).start()
    try:
        outbound = XOutbound(PlatformHttp(), f"http://127.0.0.1:{server.port}", "token")
        message = InboundMessage(
            channel=Channel.X,
            message_id="dm:1",
            conversation_id="x:1:2",
            sender_id="../../tweets#",
            recipient="../../tweets#",
            kind=Kind.TEXT,
            text="hi",
        )
        outbound.send(message, [Outgoing("hello")])
    finally:
        server.stop()
    assert paths == ["/2/dm_conversations/with/..%2F..%2Ftweets%23/messages"]
