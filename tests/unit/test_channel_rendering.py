"""Replies rendered to each channel's capabilities: lengths, options, public answers, windows."""

from __future__ import annotations

import re

import pytest

from socialcare.channels.capabilities import CAPABILITIES, HOUR, Capabilities, capabilities
from socialcare.channels.outbound import Audience, render
from socialcare.dialogue.messages import TOPICS, say
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind, Reply, Visibility
from socialcare.pipeline import TurnHandler
from tests.fakes.ports import FakeConversationStore, FakeOutbound

NOW = 1_700_000_000.0
LONG = " ".join(
    f"Sentence number {n} explains one more detail of our returns policy." for n in range(200)
)


def _message(
    channel: Channel, text: str = "hi", *, public: bool = False, sent_at: float = NOW, **kw: str
) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        message_id=kw.get("message_id", "m1"),
        conversation_id=f"{channel}:brand:c1",
        sender_id="c1",
        recipient="c1",
        kind=Kind.TEXT,
        text=text,
        sent_at=int(sent_at),
        visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
        thread_id="post-1" if public else "",
    )


def test_every_channel_declares_its_capabilities() -> None:
    assert set(CAPABILITIES) == set(Channel)
    assert capabilities(Channel.MESSENGER).max_text == 2000
    assert capabilities(Channel.INSTAGRAM).max_text == 1000
    assert capabilities(Channel.X).max_public_text == 280


@pytest.mark.parametrize("channel", list(Channel))
def test_a_long_answer_never_exceeds_the_channels_limit(channel: Channel) -> None:
    """GIVEN an answer far longer than any platform allows WHEN rendered for a channel THEN every
    message fits, and the parts end at sentence boundaries."""
    caps = capabilities(channel)
    parts = render(Reply(LONG, "en", "knowledge"), _message(channel), caps, window_open=True)
    assert len(parts) > 1
    assert all(len(p.text) <= caps.max_text for p in parts)
    assert all(p.text.endswith(".") for p in parts)
    assert " ".join(p.text for p in parts) == LONG


def test_options_are_buttons_where_they_fit_and_numbered_elsewhere() -> None:
    """GIVEN a greeting with five topics WHEN rendered THEN Telegram shows five buttons,
    WhatsApp (three buttons at most) and WeChat (none) list them as numbered lines."""
    reply = Reply("Hello!", "en", "greeting", options=TOPICS["en"])
    [telegram] = render(reply, _message(Channel.TELEGRAM), capabilities(Channel.TELEGRAM), True)
    [whatsapp] = render(reply, _message(Channel.WHATSAPP), capabilities(Channel.WHATSAPP), True)
    [wechat] = render(reply, _message(Channel.WECHAT), capabilities(Channel.WECHAT), True)
    assert telegram.options == TOPICS["en"] and telegram.text == "Hello!"
    for numbered in (whatsapp, wechat):
        assert numbered.options == ()
        assert numbered.text.splitlines()[1:] == [
            f"{n}. {t}" for n, t in enumerate(TOPICS["en"], 1)
        ]


def test_labels_too_long_for_buttons_are_numbered() -> None:
    reply = Reply("Pick one", "en", "greeting", options=("x" * 21,))
    [one] = render(reply, _message(Channel.LINE), capabilities(Channel.LINE), True)
    assert one.options == () and one.text.endswith("1. " + "x" * 21)


def test_public_post_on_x_gets_only_a_short_public_answer() -> None:
    """GIVEN an X mention WHEN rendered THEN one public post of at most 280 characters, and no
    DM (X users may not accept DMs from the brand until they write)."""
    reply = Reply(LONG, "en", "knowledge", public=say("go_private", "en") * 3)
    parts = render(reply, _message(Channel.X, public=True), capabilities(Channel.X), True)
    [public] = parts
    assert public.audience is Audience.PUBLIC
    assert len(public.text) <= 280


def test_instagram_comment_gets_a_public_answer_and_a_private_reply() -> None:
    reply = Reply("The answer.", "en", "knowledge", public="Sent you a DM!")
    parts = render(
        reply, _message(Channel.INSTAGRAM, public=True), capabilities(Channel.INSTAGRAM), True
    )
    assert [(p.audience, p.text) for p in parts] == [
        (Audience.PUBLIC, "Sent you a DM!"),
        (Audience.PRIVATE, "The answer."),
    ]


def test_closed_window_sends_the_template_or_nothing() -> None:
    """GIVEN the customer wrote more than 24 hours ago WHEN rendered THEN WhatsApp gets only the
    approved template, Messenger nothing at all (no free text outside the window)."""
    reply = Reply("The answer.", "zh", "knowledge")
    [template] = render(reply, _message(Channel.WHATSAPP), capabilities(Channel.WHATSAPP), False)
    assert (template.audience, template.language) == (Audience.TEMPLATE, "zh")
    assert render(reply, _message(Channel.MESSENGER), capabilities(Channel.MESSENGER), False) == []


def test_window_arithmetic() -> None:
    caps = Capabilities(100, window_s=24 * HOUR)
    assert caps.window_open(NOW, NOW + 24 * HOUR)
    assert not caps.window_open(NOW, NOW + 24 * HOUR + 1)
    assert Capabilities(100).window_open(0, NOW)


# --- through the pipeline ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def index(shipped_index: EmbeddedIndex) -> EmbeddedIndex:
    return shipped_index


def _handler(index: EmbeddedIndex, now: float = NOW) -> tuple[TurnHandler, FakeOutbound]:
    outbound = FakeOutbound()
    return TurnHandler(
        FakeConversationStore(), index, lambda _c: outbound, clock=lambda: now
    ), outbound


def test_public_question_is_answered_publicly_without_personal_data(index: EmbeddedIndex) -> None:
    """GIVEN a customer comments with their email on Instagram WHEN answered THEN the public
    reply invites them to a private message and names nothing of theirs; the answer goes
    privately."""
    handler, outbound = _handler(index)
    message = _message(
        Channel.INSTAGRAM, "how long does delivery take? jane@example.com", public=True
    )
    handler.handle(message)
    public, private = outbound.sent
    assert public.audience is Audience.PUBLIC
    assert public.text == say("go_private", "en")
    assert "jane" not in public.text and "@" not in public.text
    assert "3-5 business days" in private.text


def test_whatsapp_reply_after_24_hours_is_the_template(index: EmbeddedIndex) -> None:
    handler, outbound = _handler(index, now=NOW + 25 * HOUR)
    result = handler.handle(_message(Channel.WHATSAPP, "how long does delivery take?"))
    [sent] = outbound.sent
    assert sent.audience is Audience.TEMPLATE
    assert result.parts_sent == 1


def test_messenger_reply_after_the_window_is_not_sent_but_recorded(index: EmbeddedIndex) -> None:
    store = FakeConversationStore()
    outbound = FakeOutbound()
    handler = TurnHandler(store, index, lambda _c: outbound, clock=lambda: NOW + 25 * HOUR)
    handler.handle(_message(Channel.MESSENGER, "how long does delivery take?"))
    assert outbound.sent == []
    agent = store.history(f"{Channel.MESSENGER}:brand:c1")[-1]
    assert (agent.role, agent.source, agent.text) == ("agent", "window_closed", "")


@pytest.mark.parametrize(
    ("kind", "key"),
    [(Kind.FOLLOW, "greeting"), (Kind.HELP, "help"), (Kind.MENTION, "mention")],
)
def test_follow_help_and_mention_get_their_answers(
    index: EmbeddedIndex, kind: Kind, key: str
) -> None:
    handler, outbound = _handler(index)
    message = InboundMessage(Channel.LINE, "e1", "line:b:c", "c", "c", kind, sent_at=int(NOW))
    handler.handle(message)
    assert outbound.sent[0].text == say(key, "en").format(brand="Lumen & Co.")


def test_greeting_offers_topics_that_the_help_centre_answers(index: EmbeddedIndex) -> None:
    """GIVEN a new follower WHEN greeted THEN the topics come as buttons, and tapping each one
    gets a help-centre answer (order tracking first asks for the order number), in English and
    Chinese."""
    handler, outbound = _handler(index)
    handler.handle(InboundMessage(Channel.TELEGRAM, "s", "t:1", "1", "1", Kind.FOLLOW))
    assert outbound.sent[0].options == TOPICS["en"]
    for language, topics in TOPICS.items():
        for n, topic in enumerate(topics):
            result = handler.handle(_message(Channel.TELEGRAM, topic, message_id=f"{language}{n}"))
            expected = "ask_slot" if n == 0 else "knowledge"  # the first topic tracks an order
            assert result.reply is not None and result.reply.source == expected, topic
            if language == "zh":
                assert re.search(r"[\u4e00-\u9fff]", result.reply.text)
