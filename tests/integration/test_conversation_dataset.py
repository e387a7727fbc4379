"""`socialcare dataset conversations` over the conversations table (moto, provisioned from
template.yaml): the resolved conversations' human replies become the references, in the
pipeline's own prompts, with nothing but the stored (redacted) text."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from socialcare.generate.reply_contract import parse_reply
from socialcare.model import Channel, Conversation, State, Turn
from socialcare.store.dynamodb_conversations import DynamoDBConversations
from socialcare_local.cfn_template import Template

SOCIALCARE = Path(sys.executable).with_name("socialcare")


def _customer(text: str, at: float, intent: str, sentiment: str = "neutral") -> Turn:
    return Turn("customer", text, at, f"m{at}", "en", "", intent, 0.9, sentiment)


def _agent(text: str, at: float, source: str) -> Turn:
    return Turn("agent", text, at, f"a{at}", "en", source)


def _stored(
    store: DynamoDBConversations, conversation_id: str, state: State, turns: list[Turn]
) -> None:
    fresh = Conversation(conversation_id, Channel(conversation_id.split(":", maxsplit=1)[0]))
    store.save(fresh, lambda c: replace(c, turns=tuple(turns), state=state))


def test_resolved_conversations_give_the_human_agents_replies_as_references(
    aws: Template, tmp_path: Path
) -> None:
    """GIVEN a resolved conversation where a person answered twice (the customer's email
    redacted at ingress), one still waiting for a person, and one the bot alone answered
    WHEN `socialcare dataset conversations` runs THEN only the person's replies in the resolved
    one are references, each after the customer message it answered, with the turns before it
    in the prompt, the redacted text as stored, and the stored intent and sentiment as labels;
    a person's reply the passages do not support (a promise only the person could check, a
    pleasantry citing nothing) is never a target."""
    store = DynamoDBConversations(aws.physical["ConversationsTable"]["Ref"], retention_days=30)
    first_answer = (
        "Sorry for the wait. Open the order in Account > My orders to see the refund status: "
        "the money reaches your original payment method within 5-7 business days after we "
        "receive your return."
    )
    second_answer = "Your refund was issued today, you're welcome. Anything else, just write."
    _stored(
        store,
        "telegram:bot:1",
        State.RESOLVED,
        [
            _customer("where is my refund? mail me at [EMAIL]", 1.0, "track_refund", "negative"),
            _agent("Let me bring in a colleague.", 2.0, "handoff"),
            _customer("I returned it two weeks ago and still no refund", 3.0, "track_refund"),
            _agent(first_answer, 4.0, "human"),
            _customer("great, thanks", 5.0, "other", "positive"),
            _agent(second_answer, 6.0, "human"),
        ],
    )
    _stored(
        store,
        "whatsapp:bot:2",
        State.PENDING_HUMAN,
        [_customer("I want a refund now", 1.0, "get_refund"), _agent("ok", 2.0, "human")],
    )
    _stored(
        store,
        "line:bot:3",
        State.RESOLVED,
        [_customer("how long is delivery?", 1.0, "delivery_period"), _agent("3-5", 2.0, "llm")],
    )
    out = tmp_path / "conversations.jsonl"

    result = subprocess.run(
        [str(SOCIALCARE), "dataset", "conversations", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    examples = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {e["id"].split("#")[0] for e in examples} == {"telegram:bot:1"}
    replies = {e["id"]: e for e in examples if e["task"] == "reply"}
    refund = replies.get("telegram:bot:1#a4.0")
    assert refund is not None, f"no reply example for the refund answer: {sorted(replies)}"
    draft = parse_reply(refund["messages"][2]["content"])
    assert draft.text == first_answer
    assert not draft.wants_human
    user = refund["messages"][1]["content"]
    assert "<customer_message>\nI returned it two weeks ago and still no refund\n" in user
    assert "customer: where is my refund? mail me at [EMAIL]" in user
    assert first_answer not in user
    assert all(second_answer not in e["messages"][-1]["content"] for e in examples)
    assert "private conversation on telegram" in refund["messages"][0]["content"]
    labels = [e for e in examples if e["task"] == "understand"]
    assert {json.loads(e["messages"][2]["content"])["intent"] for e in labels} == {
        "track_refund",
        "other",
    }
    assert "read 3 conversations" in result.stderr
