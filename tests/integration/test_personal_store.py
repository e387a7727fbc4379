"""Personalisation on the real tables (moto, provisioned from template.yaml): an order's status
kept from a stranger until they prove its contact, "forget me" erasing the customer everywhere,
and one-time linking codes used once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from socialcare import bootstrap
from socialcare.agents.desk import AgentDesk
from socialcare.dialogue.linking import Linking
from socialcare.dialogue.orders import Order
from socialcare.dialogue.verification import contact_hash
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import TurnHandler
from socialcare.store.dynamodb_link_codes import DynamoDBLinkCodes
from socialcare.store.dynamodb_orders import DynamoDBOrders
from socialcare_local.cfn_template import Template
from tests.fakes.ports import FakeOutbound, RecordingErasure

NOW = 1_800_000_000.0
SOCIALCARE = Path(sys.executable).with_name("socialcare")


def _table(template: Template, logical: str) -> str:
    return str(template.physical[logical]["Ref"])


def _handler(template: Template, index: EmbeddedIndex, outbound: FakeOutbound) -> TurnHandler:
    keyed = bootstrap.pseudonyms()
    return TurnHandler(
        bootstrap.conversations(),
        index,
        lambda _c: outbound,
        clock=lambda: NOW,
        profiles=bootstrap.customers(),
        orders=DynamoDBOrders(_table(template, "OrdersTable")),
        metrics=bootstrap.insight_counts(),
        pseudonym=keyed,
        erasure=bootstrap.erasure,
        linking=Linking(
            DynamoDBLinkCodes(_table(template, "CustomersTable")), bootstrap.customers(), keyed
        ),
    )


def _message(who: str, n: int, text: str, proofs: tuple[str, ...] = ()) -> InboundMessage:
    channel, _, sender = who.partition(":")
    return InboundMessage(
        Channel(channel),
        f"{who}:{n}",
        who,
        sender,
        sender,
        Kind.TEXT,
        text,
        int(NOW),
        proofs=proofs,
    )


def test_stranger_verifies_on_the_real_order_table(
    aws: Template, shipped_index: EmbeddedIndex
) -> None:
    """GIVEN an order in the orders table, its owner's e-mail only as a keyed hash WHEN a
    stranger asks for it THEN they are asked to verify; with the e-mail they get its status."""
    keyed = bootstrap.pseudonyms()
    boto3.client("dynamodb").put_item(
        TableName=_table(aws, "OrdersTable"),
        Item={
            "pk": {"S": "5001"},
            "status": {"S": "shipped"},
            "customer_id": {"S": "telegram:1"},
            "contact_hashes": {"SS": [contact_hash("email", "ada@example.com", keyed)]},
        },
    )
    assert DynamoDBOrders(_table(aws, "OrdersTable")).find("5001") == Order(
        "5001",
        "shipped",
        customer_id="telegram:1",
        contact_hashes=(contact_hash("email", "ada@example.com", keyed),),
    )
    outbound = FakeOutbound()
    handler = _handler(aws, shipped_index, outbound)

    handler.handle(_message("telegram:9", 1, "where is my order 5001?"))
    assert "shipped" not in outbound.sent[-1].text
    proof = contact_hash("email", "Ada@example.com", keyed)
    handler.handle(_message("telegram:9", 2, "[EMAIL]", (proof,)))
    assert "shipped" in outbound.sent[-1].text  # the proof travels, the address does not


def test_forget_me_erases_the_customer_from_the_tables(
    aws: Template, shipped_index: EmbeddedIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a customer who was answered WHEN they say "forget me" THEN they are told, and
    neither their conversation nor their profile is left."""
    monkeypatch.setenv("ERASURE_AUDIT_TABLE", _table(aws, "ErasureAuditTable"))
    outbound = FakeOutbound()
    handler = _handler(aws, shipped_index, outbound)
    handler.handle(_message("telegram:3", 1, "how long does delivery take?"))

    handler.handle(_message("telegram:3", 2, "forget me"))

    assert "erased" in outbound.sent[-1].text
    dynamodb = boto3.client("dynamodb")
    for logical in ("ConversationsTable", "CustomersTable"):
        items = dynamodb.scan(TableName=_table(aws, logical))["Items"]
        assert not [i for i in items if "telegram:3" in str(i)], logical


def test_a_linking_code_is_used_once_and_expires(aws: Template) -> None:
    codes = DynamoDBLinkCodes(_table(aws, "CustomersTable"))
    codes.issue("ref-1", "telegram:1", NOW + 600)
    codes.issue("ref-2", "telegram:1", NOW - 1)

    assert codes.redeem("ref-1", NOW) == "telegram:1"
    assert codes.redeem("ref-1", NOW) == ""
    assert codes.redeem("ref-2", NOW) == ""
    assert codes.redeem("unknown", NOW) == ""


def test_the_console_and_the_report_agree_on_the_outcomes(
    aws: Template, shipped_index: EmbeddedIndex
) -> None:
    """GIVEN conversations on the real tables (one resolved by the bot and rated, one handed to
    a person) WHEN the console's insights (from the hourly counts the worker adds to) and
    `socialcare report outcomes --json` (a recount from the conversations) are read THEN they
    give the same figures."""
    outbound = FakeOutbound()
    handler = _handler(aws, shipped_index, outbound)
    for n, text in enumerate(("how long does delivery take?", "thanks", "Great")):
        handler.handle(_message("telegram:11", n, text))
    handler.handle(_message("telegram:12", 0, "I want to talk to a human"))
    desk = AgentDesk(
        bootstrap.conversations(),
        bootstrap.customers(),
        lambda _c: outbound,
        RecordingErasure,
        counts=bootstrap.insight_counts(),
    )

    console = desk.insights()["outcomes"]
    report = subprocess.run(
        [str(SOCIALCARE), "report", "outcomes", "--since", "7d", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(report.stdout) == console
    assert console["all"] == {
        "conversations": 2,
        "resolved_by_bot": 0.5,
        "handed_to_person": 0.5,
        "reopened_7d": 0.0,
        "csat": 5.0,
        "csat_answers": 1,
    }
    assert set(console["by_channel_language"]) == {"telegram/en"}
