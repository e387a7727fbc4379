"""`DELETE /agent/customers/{id}` as API Gateway hands it to the Agent API: a bad id is the
agent's mistake (400) and erases nothing; no token or no agent scope is refused (401, 403)."""

from __future__ import annotations

from typing import Any

import pytest

from socialcare.agents.api import handle
from socialcare.agents.desk import AgentDesk
from tests.fakes.ports import FakeConversationStore, FakeCustomers, FakeOutbound, RecordingErasure

ROUTE = "DELETE /agent/customers/{id}"


def _event(customer_id: str, scopes: str = "openid socialcare/agent", sub: str = "ann") -> Any:
    claims = {"sub": sub, "scope": scopes} if sub else {}
    return {
        "routeKey": ROUTE,
        "pathParameters": {"id": customer_id},
        "requestContext": {"authorizer": {"jwt": {"claims": claims}}},
    }


def _desk(erasure: RecordingErasure) -> AgentDesk:
    return AgentDesk(
        FakeConversationStore(),  # type: ignore[arg-type]
        FakeCustomers(),
        lambda channel: FakeOutbound(),  # type: ignore[arg-type,return-value]
        lambda: erasure,
    )


def test_an_agent_erases_a_customer_and_is_named_in_the_record() -> None:
    """GIVEN an agent's verified token WHEN they erase telegram:42 THEN the store erases that
    customer in the agent's name and the answer carries the counts per table."""
    erasure = RecordingErasure()

    status, body = handle(_desk(erasure), _event("telegram:42"))

    assert status == 200
    assert erasure.calls == [("telegram:42", "ann")]
    assert body["actor"] == "ann"
    assert body["deleted"] == {"conversations": 3}
    assert body["complete"] is True


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "42",
        "fax:42",
        "telegram:",
        "telegram:::",
        "telegram:4 2",
        "telegram:42\n",
        "telegram:\x00",
        "telegram:" + "9" * 300,
    ],
)
def test_a_bad_customer_id_is_a_400_and_erases_nothing(bad: str) -> None:
    erasure = RecordingErasure()

    status, body = handle(_desk(erasure), _event(bad))

    assert status == 400
    assert "customer id" in body["message"]
    assert erasure.calls == []


def test_without_a_token_or_the_agent_scope_nothing_is_erased() -> None:
    erasure = RecordingErasure()

    unsigned = handle(_desk(erasure), _event("telegram:42", sub=""))
    viewer = handle(_desk(erasure), _event("telegram:42", scopes="openid"))

    assert (unsigned[0], viewer[0]) == (401, 403)
    assert erasure.calls == []


def test_an_erasure_that_left_something_behind_is_not_answered_as_success() -> None:
    """GIVEN an erasure that finds a conversation still there afterwards WHEN an agent erases
    THEN the answer is 503 saying how much remains, so that they erase again."""
    erasure = RecordingErasure(remaining={"conversations": 1})

    status, body = handle(_desk(erasure), _event("telegram:42"))

    assert status == 503
    assert "1 item(s) remain" in body["message"]
