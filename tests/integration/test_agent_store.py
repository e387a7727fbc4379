"""The agents' queue index, customer profiles and sample orders on a moto server provisioned
from template.yaml, and the Agent API function refusing requests the authorizer did not pass."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3

from socialcare import bootstrap
from socialcare.dialogue.handoff import HandoffReason
from socialcare.dialogue.profiles import CustomerProfile
from socialcare.model import Channel, Conversation, State, Turn
from socialcare.store.dynamodb_orders import DynamoDBOrders
from socialcare_local.cfn_template import Template
from socialcare_local.sample_data import seed
from tests.integration.functions import function


def _waiting(
    conversation_id: str, since: float, vip: bool, reason: str = "asked_for_human"
) -> Conversation:
    turn = Turn("customer", "a person please", since, f"{conversation_id}:1", "en")
    return Conversation(conversation_id, Channel.TELEGRAM, turns=(turn,), vip=vip).hand_off(
        reason, since, urgent=HandoffReason(reason).urgent
    )


def test_queue_lists_vip_first_then_newest_waiting(aws: Template) -> None:
    """GIVEN three waiting conversations, one of them a VIP's who waits least, and one with the
    bot WHEN the pending queue is read THEN the VIP comes first, then the newest waiting."""
    store = bootstrap.conversations()
    for conversation in (
        _waiting("telegram:1", 100.0, vip=False),
        _waiting("telegram:2", 200.0, vip=False),
        _waiting("telegram:3", 300.0, vip=True),
        Conversation("telegram:4", Channel.TELEGRAM),
    ):
        store.save(Conversation(conversation.id, Channel.TELEGRAM), lambda _c, c=conversation: c)

    queue = store.queue(State.PENDING_HUMAN, 10)

    assert [c.id for c in queue] == ["telegram:3", "telegram:2", "telegram:1"]
    assert store.oldest_waiting_since(State.PENDING_HUMAN) == 100.0
    assert queue[0].handoff_reason == "asked_for_human"


def test_urgent_handoffs_come_before_vips_and_the_rest(aws: Template) -> None:
    """GIVEN a VIP waiting, a regular customer waiting, and a possible account takeover handed off
    last WHEN the pending queue is read THEN the account takeover comes first, and the oldest
    waiting time still counts every conversation."""
    store = bootstrap.conversations()
    for conversation in (
        _waiting("telegram:11", 100.0, vip=False),
        _waiting("telegram:12", 200.0, vip=True),
        _waiting("telegram:13", 300.0, vip=False, reason="security"),
    ):
        store.save(Conversation(conversation.id, Channel.TELEGRAM), lambda _c, c=conversation: c)

    queue = store.queue(State.PENDING_HUMAN, 10)

    assert [c.id for c in queue] == ["telegram:13", "telegram:12", "telegram:11"]
    assert queue[0].urgent
    assert store.oldest_waiting_since(State.PENDING_HUMAN) == 100.0


def test_profiles_link_across_channels_and_keep_names_only_with_consent(aws: Template) -> None:
    """GIVEN a Telegram profile with consent and a WhatsApp one without WHEN linked THEN both ids
    load the same merged profile; a profile without consent stores no name."""
    customers = bootstrap.customers()
    customers.update("telegram:9", lambda p: replace(p, display_name="Ada", consent=True))
    customers.update(
        "whatsapp:49",
        lambda p: replace(p, display_name="Secret Name", conversations=("whatsapp:49",)),
    )
    assert customers.load("whatsapp:49").display_name == ""

    customers.link("telegram:9", "whatsapp:49")

    merged = customers.load("whatsapp:49")
    assert merged == customers.load("telegram:9")
    assert merged.display_name == "Ada"
    assert "whatsapp:49" in merged.conversations and "whatsapp:49" in merged.linked


def test_a_profile_changed_between_a_turns_read_and_its_update_keeps_both_changes(
    aws: Template,
) -> None:
    """GIVEN a worker that has read a customer's profile for its turn, and an agent who then
    records the customer's name on it WHEN the worker's turn updates the profile from what it read
    THEN neither change is lost: the name and the conversation are both on the profile."""
    worker = bootstrap.customers()
    worker.update("telegram:77", lambda p: replace(p, language="en"))
    worker.load("telegram:77")  # the turn's read
    agent = type(worker)(aws.physical["CustomersTable"]["Ref"])
    agent.update("telegram:77", lambda p: replace(p, display_name="Ada", consent=True))

    worker.update("telegram:77", lambda p: p.saw("telegram:77", "de", ()))

    stored = agent.load("telegram:77")
    assert (stored.display_name, stored.language) == ("Ada", "de")
    assert stored.conversations == ("telegram:77",)


def test_sample_orders_are_found_by_number(aws: Template) -> None:
    """GIVEN the local stack's sample orders WHEN looked up THEN order 1234 is shipped with DHL and
    an unknown number is None."""
    seed(aws, boto3.session.Session())
    orders = DynamoDBOrders(aws.physical["OrdersTable"]["Ref"])

    order = orders.find("1234")

    assert order is not None and (order.status, order.carrier) == ("shipped", "DHL")
    assert orders.find("0000") is None
    assert isinstance(bootstrap.customers().load("telegram:4242"), CustomerProfile)
    assert bootstrap.customers().load("telegram:4242").vip


def test_agent_api_function_fails_closed_without_verified_claims(aws: Template) -> None:
    """GIVEN the Agent API function reached without the authorizer's claims, or with claims that
    lack the agent scope THEN 401 and 403."""
    fn = function(aws, "AgentApiFunction")
    event = {"routeKey": "GET /agent/insights", "requestContext": {}}
    scoped = {
        **event,
        "requestContext": {"authorizer": {"jwt": {"claims": {"sub": "x"}, "scopes": ["openid"]}}},
    }

    assert fn.invoke(event)["statusCode"] == 401
    assert fn.invoke(scoped)["statusCode"] == 403
    agent = {"jwt": {"claims": {"sub": "x"}, "scopes": ["socialcare/agent"]}}
    ok = fn.invoke({**event, "requestContext": {"authorizer": agent}})
    assert ok["statusCode"] == 200 and json.loads(ok["body"])["messages"] == 0


def test_linking_two_customers_both_ways_keeps_the_merged_profile(aws: Template) -> None:
    """GIVEN a Telegram and a WhatsApp profile linked once WHEN an agent links them again the
    other way round THEN both ids still load the one merged profile with both conversations,
    and it does not point at itself."""
    customers = bootstrap.customers()
    customers.update("telegram:5", lambda p: p.saw("telegram:5", "en", ("A-1",)))
    customers.update("whatsapp:55", lambda p: p.saw("whatsapp:55", "en", ("B-2",)))
    customers.link("telegram:5", "whatsapp:55")

    again = customers.link("whatsapp:55", "telegram:5")

    for customer in ("telegram:5", "whatsapp:55"):
        loaded = customers.load(customer)
        assert loaded == again
        assert set(loaded.conversations) == {"telegram:5", "whatsapp:55"}
        assert set(loaded.orders) == {"A-1", "B-2"}


def test_linking_a_third_channel_to_a_linked_id_reaches_the_whole_profile(aws: Template) -> None:
    """GIVEN LINE linked to WhatsApp's profile WHEN that profile is linked into Telegram's THEN
    the LINE id loads the merged Telegram profile too (no chain left behind)."""
    customers = bootstrap.customers()
    customers.update("telegram:6", lambda p: p.saw("telegram:6", "en", ()))
    customers.update("whatsapp:66", lambda p: p.saw("whatsapp:66", "en", ()))
    customers.update("line:U6", lambda p: p.saw("line:x:U6", "en", ()))
    customers.link("whatsapp:66", "line:U6")

    customers.link("telegram:6", "whatsapp:66")

    assert customers.load("line:U6").id == "telegram:6"
    assert "line:x:U6" in customers.load("line:U6").conversations
