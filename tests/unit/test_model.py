"""The inbound message as it travels through SQS: every typed field survives, and personal data
in its parts is redacted with the text."""

from __future__ import annotations

from socialcare.model import (
    Attachment,
    Channel,
    InboundMessage,
    Kind,
    Location,
    TextPart,
    Visibility,
)
from socialcare.understand.pii import redact

MESSAGE = InboundMessage(
    channel=Channel.INSTAGRAM,
    message_id="comment:1",
    conversation_id="instagram:17841405822304914:232323232",
    sender_id="232323232",
    recipient="232323232",
    kind=Kind.TEXT,
    text="mail me at ada@example.com",
    sent_at=1_700_000_000,
    account_id="17841405822304914",
    platform_type="comment",
    parts=(
        TextPart("mail me at ada@example.com"),
        Attachment("image", "https://cdn.example/1.jpg", "image/jpeg"),
        Location(52.520008, 13.404954, "Ada's flat, +44 20 7946 0958"),
    ),
    payload="TRACK_ORDER",
    reply_to="17865799348089039",
    visibility=Visibility.PUBLIC,
    thread_id="17865799348089039",
    reply_token="token-1",
)


def test_a_message_survives_the_queue_unchanged() -> None:
    """GIVEN a public comment with text, media and a location WHEN it goes through SQS as JSON
    THEN the worker gets exactly the same message back."""
    assert InboundMessage.from_json(MESSAGE.to_json()) == MESSAGE


def test_redaction_reaches_every_part() -> None:
    """GIVEN personal data in the text, a text part and a location's name WHEN redacted THEN
    all are placeholders, and the location is rounded to about a kilometre."""
    redacted = MESSAGE.redacted(redact)
    text, attachment, place = redacted.parts
    assert redacted.text == "mail me at [EMAIL]"
    assert text == TextPart("mail me at [EMAIL]")
    assert attachment == MESSAGE.parts[1]
    assert place == Location(52.52, 13.4, "Ada's flat, [PHONE]")
    assert "ada@" not in redacted.to_json() and "7946" not in redacted.to_json()


def test_messages_queued_before_the_upgrade_still_load() -> None:
    """GIVEN a message queued by the previous version (no parts, payload, visibility ...)
    WHEN the new worker reads it THEN it is a private message with no parts."""
    old = (
        '{"channel":"telegram","message_id":"1:1","conversation_id":"telegram:1",'
        '"sender_id":"1","recipient":"1","kind":"text","text":"hi","sent_at":1,'
        '"account_id":"","platform_type":"text"}'
    )
    message = InboundMessage.from_json(old)
    assert (message.visibility, message.parts, message.text) == (Visibility.PRIVATE, (), "hi")
