"""The worker's log lines follow a conversation by its keyed pseudonym and never name the
customer: a WhatsApp conversation's id and its message ids carry the phone number."""

from __future__ import annotations

import hashlib
import logging

import pytest

from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.topics import packaged
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import TurnHandler
from socialcare.pseudonyms import Pseudonyms
from tests.fakes.ports import FakeConversationStore, FakeOutbound

PHONE = "4915550005"


def test_a_whatsapp_turn_logs_keyed_pseudonyms_and_no_phone_number(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GIVEN a WhatsApp customer (their id is their phone number) WHEN their question is
    answered THEN the log line names the conversation by its HMAC pseudonym under the key, not
    by the number nor by a plain hash of the conversation id."""
    pseudonyms = Pseudonyms(b"k" * 32)
    index = EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
    handler = TurnHandler(
        FakeConversationStore(), index, lambda _c: FakeOutbound(), pseudonym=pseudonyms
    )
    conversation_id = f"whatsapp:acct:{PHONE}"
    message = InboundMessage(
        Channel.WHATSAPP,
        f"wamid.{PHONE}.1",
        conversation_id,
        PHONE,
        PHONE,
        Kind.TEXT,
        "how long does delivery take?",
        sent_at=1_700_000_000,
    )
    caplog.set_level(logging.INFO, logger="socialcare")

    handler.handle(message)

    (answered,) = [r for r in caplog.records if r.getMessage() == "answered"]
    assert answered.conversation == pseudonyms(conversation_id)  # type: ignore[attr-defined]
    plain = hashlib.sha256(conversation_id.encode()).hexdigest()
    assert answered.conversation != plain  # type: ignore[attr-defined]
    assert PHONE not in caplog.text
    assert PHONE not in str([r.__dict__ for r in caplog.records])
