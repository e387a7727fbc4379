"""`socialcare erase`: one customer's data gone from every table, the others' kept, and an
audit record that names who, when and how much, but not the customer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from socialcare import bootstrap
from socialcare.model import Channel, InboundMessage, Kind, StoreUnavailable
from socialcare.store.dynamodb_erasure import DynamoDBErasure
from socialcare_local.cfn_template import Template
from socialcare_local.sandbox import PlatformSandbox
from tests.integration.functions import function, sqs_event

SOCIALCARE = Path(sys.executable).with_name("socialcare")


def _message(channel: Channel, user: str, n: int) -> InboundMessage:
    return InboundMessage(
        channel=channel,
        message_id=f"{user}:{n}",
        conversation_id=f"{channel}:{user}",
        sender_id=user,
        recipient=user,
        kind=Kind.TEXT,
        text="how long does delivery take?",
        sent_at=1_700_000_000 + n,
    )


def _items(template: Template, logical: str) -> list[dict[str, Any]]:
    table = template.physical[logical]["Ref"]
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName=table)["Items"]
    return items


def _erase(template: Template, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ERASURE_AUDIT_TABLE": template.physical["ErasureAuditTable"]["Ref"]}
    return subprocess.run(
        [str(SOCIALCARE), "erase", *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.parametrize(
    ("channel", "user"), [(Channel.TELEGRAM, "5550001"), (Channel.WEBCHAT, "s-erase-me")]
)
def test_erase_removes_one_customer_everywhere_and_audits_it(
    aws: Template, sandbox: tuple[PlatformSandbox, str], channel: Channel, user: str
) -> None:
    """GIVEN two customers who were answered (history, and for the web chat the outbox)
    WHEN `socialcare erase` runs for one THEN no table holds anything of theirs, the other's
    data is untouched, and the audit table records the actor, the time and the counts under the
    customer's pseudonym, not their id."""
    worker = function(aws, "WorkerFunction")
    worker.invoke(sqs_event(_message(channel, user, 1), _message(channel, user, 2)))
    worker.invoke(sqs_event(_message(channel, "keep-me", 1)))

    result = _erase(aws, f"{channel}:{user}", "--actor", "dpo@lumen.example")

    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["actor"] == "dpo@lumen.example"
    assert sum(record["deleted"].values()) >= 1
    for logical in ("ConversationsTable", "WebchatOutboxTable", "IdempotencyTable"):
        assert user not in json.dumps(_items(aws, logical)), logical
    assert "keep-me" in json.dumps(_items(aws, "ConversationsTable"))
    (audit,) = _items(aws, "ErasureAuditTable")
    assert audit["actor"]["S"] == "dpo@lumen.example"
    assert audit["customer_ref"]["S"] == record["customer_ref"]
    assert user not in json.dumps(audit)


def test_erase_without_an_actor_is_refused(aws: Template) -> None:
    result = _erase(aws, "telegram:1")

    assert result.returncode == 2
    assert "--actor" in result.stderr


def test_erasing_a_linked_customer_takes_every_id_and_unlinks_only_their_orders(
    aws: Template, sandbox: tuple[PlatformSandbox, str]
) -> None:
    """GIVEN a WhatsApp customer answered by the worker, whose profile lists that conversation
    and two orders (one theirs, one someone else's), with their Telegram id linked to it WHEN the
    Telegram id is erased THEN both profile items and the WhatsApp conversation are gone, their
    order is kept without their id, the other customer's order keeps its owner, and the record
    counts exactly that."""
    customer = "whatsapp:4915550002"
    conversation = "whatsapp:acct-1:4915550002"
    message = replace(_message(Channel.WHATSAPP, "4915550002", 1), conversation_id=conversation)
    function(aws, "WorkerFunction").invoke(sqs_event(message))
    profiles = bootstrap.customers()
    profiles.update(customer, lambda p: p.saw(conversation, "en", ("777001", "777002")))
    profiles.link(customer, "telegram:5550002")
    dynamodb = boto3.client("dynamodb")
    orders = aws.physical["OrdersTable"]["Ref"]
    for number, owner in (("777001", customer), ("777002", "telegram:someone-else")):
        dynamodb.put_item(
            TableName=orders,
            Item={"pk": {"S": number}, "status": {"S": "shipped"}, "customer_id": {"S": owner}},
        )

    record = bootstrap.erasure().erase("telegram:5550002", "dpo@lumen.example")

    customers = aws.physical["CustomersTable"]["Ref"]
    assert record.deleted[customers] == 2
    assert record.deleted[aws.physical["ConversationsTable"]["Ref"]] == 1
    assert record.unlinked == {orders: 1}
    for logical in ("ConversationsTable", "CustomersTable", "OrdersTable"):
        assert "4915550002" not in json.dumps(_items(aws, logical)), logical
        assert "5550002" not in json.dumps(_items(aws, logical)), logical
    kept = {i["pk"]["S"]: i for i in _items(aws, "OrdersTable")}
    assert kept["777001"]["status"]["S"] == "shipped"
    assert "customer_id" not in kept["777001"]
    assert kept["777002"]["customer_id"]["S"] == "telegram:someone-else"


def _erasure_through(template: Template, client: Any) -> DynamoDBErasure:
    """The erasure of the stack's tables, its DynamoDB calls through `client` (where a test
    hooks a worker writing meanwhile, or an outage)."""
    return DynamoDBErasure(
        template.physical["ConversationsTable"]["Ref"],
        template.physical["WebchatOutboxTable"]["Ref"],
        template.physical["ErasureAuditTable"]["Ref"],
        customers_table=template.physical["CustomersTable"]["Ref"],
        client=client,
    )


def _conversation_item(conversation_id: str, owner: str) -> dict[str, Any]:
    return {
        "pk": {"S": conversation_id},
        "sk": {"S": "conversation"},
        "channel": {"S": conversation_id.partition(":")[0]},
        "turns": {"L": []},
        "answered": {"L": []},
        "version": {"N": "1"},
        "customer_id": {"S": owner},
    }


def test_erasing_by_conversation_id_takes_the_profile_and_unlisted_conversations(
    aws: Template,
) -> None:
    """GIVEN a WeChat customer with a profile listing one conversation, and a second
    conversation of theirs the profile never listed (its first reply failed) that stores them as
    its customer WHEN an agent erases by the listed conversation's id THEN the profile and both
    conversations are gone, and the record says the erasure is complete."""
    dynamodb = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    customer = "wechat:oCustomer7"
    for conversation in ("wechat:gh_a:oCustomer7", "wechat:gh_b:oCustomer7"):
        dynamodb.put_item(TableName=table, Item=_conversation_item(conversation, customer))
    dynamodb.put_item(TableName=table, Item=_conversation_item("wechat:gh_a:oOther", "x"))
    bootstrap.customers().update(customer, lambda p: p.saw("wechat:gh_a:oCustomer7", "zh", ()))

    record = bootstrap.erasure().erase("wechat:gh_a:oCustomer7", "dpo@lumen.example")

    assert record.complete and record.remaining == {}
    assert record.deleted[table] == 2
    assert record.deleted[aws.physical["CustomersTable"]["Ref"]] == 1
    for logical in ("ConversationsTable", "CustomersTable"):
        assert "oCustomer7" not in json.dumps(_items(aws, logical)), logical
    assert "oOther" in json.dumps(_items(aws, "ConversationsTable"))


def test_a_conversation_stored_during_the_erasure_is_reported_not_called_success(
    aws: Template,
) -> None:
    """GIVEN a Telegram customer, and a worker that stores a new conversation of theirs while
    the erasure deletes their profile WHEN the erasure ends THEN its record and the audit table
    say it is incomplete and count what remains, and the CLI exits non-zero."""
    dynamodb = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    customers = aws.physical["CustomersTable"]["Ref"]
    dynamodb.put_item(TableName=table, Item=_conversation_item("telegram:808", "telegram:808"))
    bootstrap.customers().update("telegram:808", lambda p: p.saw("telegram:808", "en", ()))
    client = boto3.client("dynamodb")

    def worker_meanwhile(params: dict[str, Any], **_: Any) -> None:
        if params["TableName"] == customers:
            item = _conversation_item("telegram:biz:808", "telegram:808")
            dynamodb.put_item(TableName=table, Item=item)

    client.meta.events.register("provide-client-params.dynamodb.DeleteItem", worker_meanwhile)
    erasure = _erasure_through(aws, client)

    record = erasure.erase("telegram:808", "dpo@lumen.example")

    assert not record.complete
    assert record.remaining == {table: 1}
    (audit,) = _items(aws, "ErasureAuditTable")
    assert audit["complete"]["BOOL"] is False
    assert audit["remaining"]["M"][table]["N"] == "1"
    client.meta.events.unregister("provide-client-params.dynamodb.DeleteItem", worker_meanwhile)
    again = _erase(aws, "telegram:biz:808", "--actor", "dpo@lumen.example")
    assert again.returncode == 0, again.stderr
    assert "808" not in json.dumps(_items(aws, "ConversationsTable"))


def test_an_erasure_stopped_half_way_is_recorded_as_incomplete(aws: Template) -> None:
    """GIVEN a customer whose profile cannot be deleted (the customers table stops answering)
    WHEN they are erased THEN the erasure raises StoreUnavailable, and the audit table still
    records what was deleted, that it stopped and that it is not complete."""
    dynamodb = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    customers = aws.physical["CustomersTable"]["Ref"]
    dynamodb.put_item(TableName=table, Item=_conversation_item("telegram:909", "telegram:909"))
    bootstrap.customers().update("telegram:909", lambda p: p.saw("telegram:909", "en", ()))
    client = boto3.client("dynamodb")

    def outage(params: dict[str, Any], **_: Any) -> None:
        if params["TableName"] == customers:
            raise EndpointConnectionError(endpoint_url="https://dynamodb.example")

    client.meta.events.register("provide-client-params.dynamodb.DeleteItem", outage)
    erasure = _erasure_through(aws, client)

    with pytest.raises(StoreUnavailable, match="incomplete"):
        erasure.erase("telegram:909", "dpo@lumen.example")

    (audit,) = _items(aws, "ErasureAuditTable")
    assert audit["complete"]["BOOL"] is False
    assert audit["stopped"]["S"] == "EndpointConnectionError"
    assert audit["deleted"]["M"][table]["N"] == "1"


def test_erasing_a_conversation_stored_without_its_owner_takes_the_senders_profile(
    aws: Template,
) -> None:
    """GIVEN a WhatsApp conversation stored before conversations recorded their customer, and
    the sender's profile WHEN it is erased by the conversation's id THEN the profile goes too."""
    dynamodb = boto3.client("dynamodb")
    table = aws.physical["ConversationsTable"]["Ref"]
    item = _conversation_item("whatsapp:acct-9:4915550009", "")
    dynamodb.put_item(TableName=table, Item=item)
    bootstrap.customers().update(
        "whatsapp:4915550009", lambda p: p.saw("whatsapp:acct-9:4915550009", "en", ())
    )

    record = bootstrap.erasure().erase("whatsapp:acct-9:4915550009", "dpo@lumen.example")

    assert record.complete
    for logical in ("ConversationsTable", "CustomersTable"):
        assert "4915550009" not in json.dumps(_items(aws, logical)), logical
