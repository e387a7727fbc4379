"""Messenger and Instagram ingress: Meta's signature, and what each documented payload becomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcare.channels.meta_messaging import MetaMessagingInbound
from socialcare.channels.meta_webhooks import SIGNATURE_HEADER
from socialcare.channels.signatures import hmac_sha256_hex
from socialcare.model import Attachment, Channel, Kind, Visibility
from socialcare.webhook import (
    BadHandshake,
    BadSignature,
    MalformedPayload,
    WebhookRequest,
    receive,
)

SECRET = "meta-app-secret"
PAGE, PSID = "104351285392613", "6789012345678901"
IG, IGSID = "17841405822304914", "1254459154682919"


@pytest.fixture
def messenger() -> MetaMessagingInbound:
    return MetaMessagingInbound(Channel.MESSENGER, SECRET, "verify-me")


@pytest.fixture
def instagram() -> MetaMessagingInbound:
    return MetaMessagingInbound(Channel.INSTAGRAM, SECRET, "verify-me")


def _raw(events: Path, name: str) -> bytes:
    return (events / name).read_bytes()


def _signed(body: bytes, secret: str = SECRET) -> WebhookRequest:
    header = "sha256=" + hmac_sha256_hex(secret, body)
    return WebhookRequest("POST", {SIGNATURE_HEADER: header}, {}, body)


def test_signed_messenger_text_is_queued(messenger: MetaMessagingInbound, events: Path) -> None:
    """GIVEN Meta's documented text message, signed with our app secret WHEN received THEN one
    text message for the customer's conversation with the Page is queued."""
    queue: list = []
    body = _raw(events, "messenger/text.json")
    response = receive(_signed(body), messenger, queue.append)
    assert response.status == 200
    [message] = queue
    assert (message.channel, message.kind) == (Channel.MESSENGER, Kind.TEXT)
    assert message.text == "This is a text message"
    assert message.conversation_id == f"messenger:{PAGE}:{PSID}"
    assert (message.recipient, message.account_id) == (PSID, PAGE)
    assert message.sent_at == 1583173666
    assert message.message_id.startswith("m_toDnmD9")


@pytest.mark.parametrize(
    "headers",
    [{SIGNATURE_HEADER: "sha256=" + "0" * 64}, {}, {SIGNATURE_HEADER: "sha1=abc"}],
    ids=["forged", "missing", "wrong-scheme"],
)
def test_forged_or_missing_signature_queues_nothing(
    messenger: MetaMessagingInbound, events: Path, headers: dict[str, str]
) -> None:
    queue: list = []
    request = WebhookRequest("POST", headers, {}, _raw(events, "messenger/text.json"))
    with pytest.raises(BadSignature):
        receive(request, messenger, queue.append)
    assert queue == []


def test_handshake_echoes_the_challenge_only_for_our_verify_token(
    instagram: MetaMessagingInbound,
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158"}
    assert instagram.handshake(WebhookRequest("GET", {}, query, b"")).body == "1158"
    with pytest.raises(BadHandshake):
        instagram.handshake(WebhookRequest("GET", {}, {**query, "hub.verify_token": "guess"}, b""))


def test_quick_reply_and_postback_carry_their_payloads(
    messenger: MetaMessagingInbound, events: Path
) -> None:
    """GIVEN a tapped quick reply and a tapped button WHEN parsed THEN the agent reads what the
    customer saw, and keeps the developer-defined payload."""
    [quick] = messenger.parse(_raw(events, "messenger/quick_reply.json"))
    [postback] = messenger.parse(_raw(events, "messenger/postback.json"))
    assert (quick.text, quick.payload, quick.platform_type) == (
        "hello, world!",
        "DEVELOPER_DEFINED_PAYLOAD",
        "quick_reply",
    )
    assert (postback.kind, postback.text, postback.payload) == (
        Kind.TEXT,
        "Track my order",
        "TRACK_ORDER",
    )


def test_reply_to_context_is_kept(messenger: MetaMessagingInbound, events: Path) -> None:
    [message] = messenger.parse(_raw(events, "messenger/reply_to.json"))
    assert message.reply_to.startswith("m_toDnmD9")


def test_image_is_unsupported_with_the_attachment(
    messenger: MetaMessagingInbound, events: Path
) -> None:
    [message] = messenger.parse(_raw(events, "messenger/image.json"))
    assert message.kind is Kind.UNSUPPORTED
    [part] = message.parts
    assert isinstance(part, Attachment) and part.media_type == "image" and part.ref


@pytest.mark.parametrize(
    "name",
    [
        "messenger/echo.json",
        "messenger/read.json",
        "messenger/delivery.json",
        "messenger/feed_own_comment.json",
    ],
)
def test_echoes_receipts_and_our_own_comments_are_ignored(
    messenger: MetaMessagingInbound, events: Path, name: str
) -> None:
    """GIVEN our own message echoed back, a read or delivery receipt, or the Page's own comment
    WHEN parsed THEN there is nothing to answer (no reply loop)."""
    assert messenger.parse(_raw(events, name)) == []


def test_page_comment_is_public_and_keyed_by_its_author(
    messenger: MetaMessagingInbound, events: Path
) -> None:
    """GIVEN a comment on the Page's post WHEN parsed THEN it is a public message under that
    comment, in the same conversation as the author's direct messages would be."""
    [comment] = messenger.parse(_raw(events, "messenger/feed_comment.json"))
    assert comment.visibility is Visibility.PUBLIC
    assert comment.thread_id == "44444444_444444444"
    assert comment.text == "This is an example comment."
    assert comment.conversation_id == f"messenger:{PAGE}:5566778899001122"


def test_instagram_dm_comment_and_story_mention(
    instagram: MetaMessagingInbound, events: Path
) -> None:
    [dm] = instagram.parse(_raw(events, "instagram/text.json"))
    [comment] = instagram.parse(_raw(events, "instagram/comment.json"))
    [mention] = instagram.parse(_raw(events, "instagram/story_mention.json"))
    assert (dm.kind, dm.text, dm.conversation_id) == (
        Kind.TEXT,
        "Do you ship to Canada?",
        f"instagram:{IG}:{IGSID}",
    )
    assert (comment.visibility, comment.thread_id, comment.text) == (
        Visibility.PUBLIC,
        "17865799348089039",
        "This is an example.",
    )
    assert mention.kind is Kind.MENTION
    assert mention.conversation_id == dm.conversation_id
    assert instagram.parse(_raw(events, "instagram/echo.json")) == []
    assert instagram.parse(_raw(events, "instagram/reaction.json")) == []


def test_batched_delivery_yields_every_event(messenger: MetaMessagingInbound) -> None:
    """GIVEN one delivery with 3 entries of several messaging events and a comment WHEN parsed
    THEN every customer message is there, in order."""
    entries = [
        {
            "id": PAGE,
            "messaging": [
                {
                    "sender": {"id": f"u{e}"},
                    "recipient": {"id": PAGE},
                    "timestamp": 1,
                    "message": {"mid": f"m{e}.{n}", "text": f"q{e}.{n}"},
                }
                for n in range(3)
            ],
        }
        for e in range(3)
    ]
    entries[0]["changes"] = [
        {
            "field": "feed",
            "value": {
                "item": "comment",
                "verb": "add",
                "comment_id": "c1",
                "from": {"id": "u9"},
                "message": "hello",
            },
        }
    ]
    body = json.dumps({"object": "page", "entry": entries}).encode()
    parsed = messenger.parse(body)
    assert [m.message_id for m in parsed] == [
        *(f"m{e}.{n}" for e in range(3) for n in range(3) if e == 0),
        "comment:c1",
        *(f"m{e}.{n}" for e in (1, 2) for n in range(3)),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"object": "instagram", "entry": []}',
        b'{"object": "page", "entry": 5}',
        b'{"object": "page", "entry": [{"id": "1", "messaging": [{"message": {"text": "x"}}]}]}',
        b'{"object": "page", "entry": [{"id": "1", "messaging": "x"}]}',
    ],
    ids=["json", "wrong-object", "entry-not-list", "message-without-mid", "messaging-not-list"],
)
def test_malformed_bodies_are_400(messenger: MetaMessagingInbound, body: bytes) -> None:
    with pytest.raises(MalformedPayload) as caught:
        messenger.parse(body)
    assert caught.value.status == 400


def test_redelivery_parses_to_the_same_idempotency_key(
    instagram: MetaMessagingInbound, events: Path
) -> None:
    body = _raw(events, "instagram/comment.json")
    assert instagram.parse(body)[0].message_id == instagram.parse(body)[0].message_id
