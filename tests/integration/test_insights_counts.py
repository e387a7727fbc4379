"""The console's insights from the hourly counts the worker adds to (a table provisioned from
template.yaml on a moto server) and the conversations agents own: never a scan of the
conversations, whose cost grew with every conversation kept."""

from __future__ import annotations

import boto3

from socialcare import bootstrap
from socialcare.agents.desk import AgentDesk
from socialcare.insights.metrics import TurnOutcome
from socialcare.model import Channel, Conversation, Turn
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare.store.dynamodb_insights import SHARDS, DynamoDBInsights
from socialcare_local.cfn_template import Template

NOW = 1_760_000_000.0


def _outcomes() -> list[TurnOutcome]:
    answered = TurnOutcome("telegram", "track_order", "neutral", "answer")
    angry = TurnOutcome("whatsapp", "complaint", "negative", "handoff", reason="anger")
    return [answered] * 30 + [angry] * 10


def test_insights_sum_the_counts_of_every_shard_and_hour(aws: Template) -> None:
    """GIVEN 40 messages over two hours, 10 of them handed off, counted on random shards
    WHEN an agent reads the insights THEN volumes, sentiment per hour and rates add up, and the
    human first-response time comes from the conversation an agent owns."""
    table = aws.physical["InsightsTable"]["Ref"]
    clock = iter([NOW] * 20 + [NOW + 3600] * 20)
    counts = DynamoDBInsights(table, 30, clock=lambda: next(clock))
    for outcome in _outcomes():
        counts.record(outcome)
    owned = _owned_by_an_agent(handed_off_at=NOW, first_reply_after=45.0)

    bootstrap.conversations().save(Conversation(owned.id, owned.channel), lambda _c: owned)

    figures = _desk(bootstrap.conversations(), counts).insights()

    assert figures["messages"] == 40
    assert figures["volume_by_channel"] == {"telegram": 30, "whatsapp": 10}
    assert figures["volume_by_intent"] == {"track_order": 30, "complaint": 10}
    assert [h["neutral"] + h["negative"] for h in figures["sentiment_over_time"]] == [20, 20]
    assert figures["escalation_rate"] == 0.25
    assert figures["containment_rate"] == 0.75
    assert figures["first_response_s"] == {"human_median": 45.0, "human": [45.0]}


def _owned_by_an_agent(handed_off_at: float, first_reply_after: float) -> Conversation:
    turn = Turn("customer", "a person please", handed_off_at, "telegram:5:1", "en")
    waiting = Conversation("telegram:5", Channel.TELEGRAM, turns=(turn,))
    waiting = waiting.hand_off("asked_for_human", handed_off_at)
    reply = Turn("agent", "Hello", handed_off_at + first_reply_after, "agent:1", "en", "human")
    return waiting.human_reply("agent-1", reply)


def _desk(store: DynamoDBConversations, counts: DynamoDBInsights) -> AgentDesk:
    return AgentDesk(
        store,
        bootstrap.customers(),
        bootstrap.outbound,
        bootstrap.erasure,
        clock=lambda: NOW + 7200,
        counts=counts,
    )


def test_the_agent_api_never_scans_the_conversations(aws: Template) -> None:
    """GIVEN the Agent API WHEN it serves the insights THEN it queries (the counts' shards and
    the agents' queue) and never scans, and its role may scan nothing but the keys and owners
    of the conversations (the erasure's look for conversations a profile does not list)."""
    calls: list[str] = []
    client = boto3.client("dynamodb")
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    store = DynamoDBConversations(aws.physical["ConversationsTable"]["Ref"], 30, client=client)
    counts = DynamoDBInsights(aws.physical["InsightsTable"]["Ref"], 30, client=client)

    figures = _desk(store, counts).insights()

    assert figures["messages"] == 0
    assert "Scan" not in calls and calls.count("Query") >= SHARDS
    policies = aws.resources["AgentApiFunction"]["Properties"]["Policies"]
    statements = [s for p in policies if "Statement" in p for s in p["Statement"]]
    scans = [s for s in statements if "dynamodb:Scan" in str(s["Action"])]
    assert scans and all(
        s["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"] == ["pk", "customer_id"]
        and s["Action"] == "dynamodb:Scan"
        for s in scans
    )
