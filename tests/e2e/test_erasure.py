"""`DELETE /agent/customers/{id}` on the running local stack, as an agent reaches it: through
the gateway's JWT check with the agent's token, after the customer has written on two channels
(linked to one profile). Afterwards no table and no queue holds a trace of them."""

from __future__ import annotations

import pytest

from socialcare_local.agent_auth import dev_token
from socialcare_local.traffic import deliver
from tests.channel_cases import CASES
from tests.e2e.agents import agent_call, texts_to
from tests.e2e.conftest import RunningStack
from tests.e2e.stored import stored_everywhere

pytestmark = pytest.mark.e2e

WHATSAPP = next(c for c in CASES if c.channel == "whatsapp")
TELEGRAM = next(c for c in CASES if c.channel == "telegram")


def _writes(stack: RunningStack, case_n: tuple[str, int], texts: list[str]) -> str:
    """The customer's platform id, once the bot has answered all of `texts`."""
    channel, n = case_n
    case = WHATSAPP if channel == "whatsapp" else TELEGRAM
    recipient = f"49151{n:08d}" if channel == "whatsapp" else str(n)
    for text in texts:
        assert deliver(stack.gateway, case.deliver([text], customer=n))[0] == 200
    assert len(texts_to(stack, recipient, len(texts), wait_s=30)) >= len(texts)
    return recipient


def test_an_agent_erases_a_customer_from_every_table_and_queue(stack: RunningStack) -> None:
    """GIVEN a customer who wrote on WhatsApp (asking about order 1234) and on Telegram, the two
    ids linked by an agent, and another customer WHEN an agent erases the WhatsApp id THEN the
    answer counts what went from which table, no table or queue holds either of the customer's
    ids, the other customer and the brand's order are still there, and the audit record names the
    agent and the counts but not the customer."""
    wa = _writes(stack, ("whatsapp", 73_019), ["how do I return an item?", "where is order 1234?"])
    tg = _writes(stack, ("telegram", 730_191_337), ["how long does delivery take?"])
    other = _writes(stack, ("telegram", 730_192_448), ["how long does delivery take?"])
    linked = agent_call(
        stack, "POST", f"/agent/customers/whatsapp:{wa}/link", {"other": f"telegram:{tg}"}
    )
    assert linked[0] == 200
    before = stored_everywhere(stack.client)
    assert wa in before and tg in before

    status, record = agent_call(stack, "DELETE", f"/agent/customers/whatsapp:{wa}")

    assert status == 200, record
    assert record["actor"] == "dev-agent"
    assert record["deleted"]["socialcare-local-conversations"] == 2  # one item a conversation
    assert record["deleted"]["socialcare-local-customers"] == 2  # the profile and the link
    after = stored_everywhere(stack.client)
    assert wa not in after
    assert tg not in after
    assert other in after
    orders = stack.client("dynamodb").get_item(
        TableName="socialcare-local-orders", Key={"pk": {"S": "1234"}}
    )
    assert orders["Item"]["status"]["S"]
    audits = stack.client("dynamodb").scan(TableName="socialcare-local-erasure-audit")["Items"]
    (audit,) = [a for a in audits if a["customer_ref"]["S"] == record["customer_ref"]]
    assert audit["actor"]["S"] == "dev-agent"
    assert audit["deleted"]["M"]["socialcare-local-customers"]["N"] == "2"


def test_erasure_refuses_bad_ids_and_callers_without_the_agent_token(stack: RunningStack) -> None:
    """GIVEN a customer who wrote WHEN the erasure is called without a token, with a viewer's
    token, or with ids that name no customer THEN 401, 403 and 400, and their data is kept."""
    tg = _writes(stack, ("telegram", 730_193_559), ["how long does delivery take?"])
    path = f"/agent/customers/telegram:{tg}"

    assert agent_call(stack, "DELETE", path, token="")[0] == 401
    assert agent_call(stack, "DELETE", path, token=dev_token("AGENT_VIEWER_TOKEN"))[0] == 403
    for bad in ("42", "fax:42", "telegram:"):
        status, body = agent_call(stack, "DELETE", f"/agent/customers/{bad}")
        assert status == 400, bad
        assert "customer id" in body["message"]
    assert tg in stored_everywhere(stack.client)
