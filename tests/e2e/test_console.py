"""The agents' console in headless Chromium (Playwright driving Debian's chromium) against the
running local stack: sign in, the queue, a transcript with intent and sentiment per message, a
reply that reaches the customer's channel, resolve, hand back, and the insights' charts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from socialcare_local.agent_auth import dev_token
from socialcare_local.browser import chromium
from socialcare_local.traffic import deliver, telegram_update
from tests.e2e.agents import agent_call, texts_to
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _waiting_customer(stack: RunningStack, chat: int) -> str:
    """GIVEN a Telegram customer who asked for a person."""
    deliver(stack.gateway, telegram_update(chat, {"text": "this is terrible, I want a human now"}))
    conversation = f"telegram:{chat}"
    for _ in range(200):
        status, body = agent_call(stack, "GET", f"/agent/conversations/{conversation}")
        if status == 200 and body["state"] == "pending_human":
            return conversation
        time.sleep(0.02)
    raise AssertionError("the customer never reached the agents' queue")


def _sign_in(page: Any, stack: RunningStack, token: str) -> None:
    page.goto(f"{stack.gateway}/console/")
    page.fill("#token", token)
    page.click("#signin button")


def test_agent_answers_a_waiting_customer_from_the_console(stack: RunningStack, page: Any) -> None:
    """GIVEN a customer waiting for a person WHEN an agent signs in, opens the conversation from
    the queue and sends a reply THEN the transcript shows each message's intent and sentiment, and
    the reply reaches the customer's Telegram chat; resolving closes it."""
    conversation = _waiting_customer(stack, 820_001)

    _sign_in(page, stack, dev_token())
    row = page.locator(f'#queue tr[data-id="{conversation}"]')
    row.wait_for()
    assert "asked_for_human" in row.inner_text()
    row.click()
    page.locator("#transcript li.customer").first.wait_for()
    customer_line = page.locator("#transcript li.customer").first.inner_text()
    assert "contact_human_agent" in customer_line and "negative" in customer_line
    assert "Asked for a person · writes in English" in page.inner_text("#summary")

    page.fill("#reply-text", "Hello from the console, how can I help?")
    page.click("#send")

    assert texts_to(stack, "820001", 2)[-1] == "Hello from the console, how can I help?"
    page.locator("#transcript li.human").wait_for()
    page.click("#resolve")
    page.wait_for_function(
        "document.querySelector('#conversation-title').textContent.includes('resolved')"
    )
    assert (
        agent_call(stack, "GET", f"/agent/conversations/{conversation}")[1]["state"] == "resolved"
    )


def test_hand_back_from_the_console(stack: RunningStack, page: Any) -> None:
    """GIVEN a waiting customer WHEN the agent hands the conversation back to the bot in the
    console THEN the customer is told the assistant is back."""
    conversation = _waiting_customer(stack, 820_002)
    _sign_in(page, stack, dev_token())
    page.locator(f'#queue tr[data-id="{conversation}"]').click()
    page.locator("#transcript li").first.wait_for()

    page.click("#handback")

    assert "assistant again" in texts_to(stack, "820002", 2)[-1]


def test_insights_view_draws_its_charts(stack: RunningStack, page: Any) -> None:
    """GIVEN stored conversations WHEN the agent opens the insights THEN volume by channel and
    intent, sentiment over time and first-response times are drawn, with the rates."""
    _waiting_customer(stack, 820_003)
    _sign_in(page, stack, dev_token())

    page.click("#tab-insights")
    page.locator("#chart-channel svg rect").first.wait_for()

    assert "telegram" in page.inner_text("#chart-channel")
    assert "contact_human_agent" in page.inner_text("#chart-intent")
    assert page.locator("#chart-sentiment polyline").count() == 3
    assert page.locator("#chart-first-response svg").count() == 1
    assert page.inner_text("#containment").endswith("%")
    assert page.inner_text("#escalation").endswith("%")
    assert "telegram/en" in page.inner_text("#outcomes")  # issue 19: outcomes per channel


def test_wrong_tokens_are_refused_in_the_console(stack: RunningStack, page: Any) -> None:
    """GIVEN the console WHEN someone signs in with a forged token or one without the agent scope
    THEN they are told so and see no conversations."""
    _waiting_customer(stack, 820_004)
    for token, message in (
        ("forged", "Sign in with an agent token."),
        (dev_token("AGENT_VIEWER_TOKEN"), "may not use the agent console"),
    ):
        _sign_in(page, stack, token)
        page.wait_for_function("document.querySelector('#status').classList.contains('error')")
        assert message in page.inner_text("#status")
        assert page.locator("#queue tbody tr").count() == 0
