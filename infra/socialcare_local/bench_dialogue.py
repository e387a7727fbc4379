"""`make bench`, the dialogue and the agents: handoff decisions on the scripted conversations, an
agent's reply reaching the customer's channel, and the console rendering a queue of 1,000
conversations in Chromium, each beside a baseline from the same run; plot in bench/dialogue.png."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from typing import Any

from socialcare_local.agent_auth import dev_token
from socialcare_local.cfn_template import ROOT

QUEUE_SIZE = 1000
PLOT = ROOT / "bench" / "dialogue.png"


def run(results: dict[str, Any], stack: Any) -> None:
    from socialcare_local.bench import summary

    gateway, sandbox = stack.gateway_url, stack.sandbox_url
    print("scripted conversations: handoff decisions ...", file=sys.stderr, flush=True)
    _handoffs(results, gateway, sandbox)
    print("agent replies to the customer's channel ...", file=sys.stderr, flush=True)
    reply_ms = _agent_replies(gateway, sandbox)
    results["agent_reply_to_channel_local_stack"] = summary(reply_ms)
    print(f"console queue of {QUEUE_SIZE} in chromium ...", file=sys.stderr, flush=True)
    full, empty = _console_queue(stack)
    render_ms = [t["renderMs"] for t in full]
    results["console_queue_1000_render"] = summary(render_ms)
    results["console_queue_1000_fetch_and_render"] = summary([t["queueMs"] for t in full])
    results["baseline_console_queue_empty_render"] = summary([t["renderMs"] for t in empty])
    _plot(reply_ms, render_ms, [t["queueMs"] for t in full])


def _handoffs(results: dict[str, Any], gateway: str, sandbox: str) -> None:
    from socialcare_local.dialogue_script import accuracy, conversations, play

    outcomes = [play(gateway, script) for script in conversations()]
    ordinary = [o for o in outcomes if not o.expected]
    results["handoff_decisions_right"] = {
        "value": round(accuracy(outcomes), 4),
        "target": 0.95,
        "conversations": len(outcomes),
        "wrong": [o.name for o in outcomes if not o.right],
    }
    results["handoffs_on_ordinary_questions"] = {
        "value": sum(o.handed_off or o.handed_off_early for o in ordinary),
        "target": 0,
        "conversations": len(ordinary),
    }


def _agent_replies(gateway: str, sandbox: str, runs: int = 30) -> list[float]:
    """Milliseconds from the agent's POST to the message in the platform sandbox's /_sent."""
    from socialcare_local.traffic import deliver, sent, telegram_update

    chat = 990_000
    deliver(gateway, telegram_update(chat, {"text": "I want to talk to a human"}))
    while not any(s["recipient"] == str(chat) for s in sent(sandbox)):
        time.sleep(0.01)
    samples = []
    for n in range(runs):
        text = f"agent reply {n}"
        started = time.perf_counter()
        _post(f"{gateway}/agent/conversations/telegram:{chat}/messages", {"text": text})
        while not any(s["text"] == text for s in sent(sandbox)):
            time.sleep(0.002)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _console_queue(
    stack: Any, runs: int = 10
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The console's own timings (the API call with its JSON, then building and laying out the
    rows) of the queue with 1,000 waiting conversations, and of an empty one (state "human",
    which nobody holds here)."""
    from socialcare import bootstrap
    from socialcare.model import Channel, Conversation, Turn
    from socialcare_local.browser import chromium

    store = bootstrap.conversations()
    for n in range(QUEUE_SIZE):
        at = time.time() - n
        turn = Turn(
            "customer",
            f"where is my parcel? ({n})",
            at,
            f"q{n}",
            "en",
            intent="track_order",
            sentiment="negative",
        )
        waiting = Conversation(f"telegram:q{n}", Channel.TELEGRAM, turns=(turn,), vip=n % 50 == 0)
        store.save(
            Conversation(waiting.id, Channel.TELEGRAM),
            lambda _c, w=waiting: w.hand_off("asked_for_human", w.turns[0].at),
        )
    bootstrap.reset()
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{stack.gateway_url}/console/")
        page.fill("#token", dev_token())
        page.click("#signin button")
        page.wait_for_function("window.consoleTimings.queueMs !== undefined", timeout=60_000)
        full = [_render(page) for _ in range(runs)]
        if page.eval_on_selector("#queue", "t => t.tBodies[0].rows.length") < QUEUE_SIZE:
            raise RuntimeError("the console did not render the whole queue")
        page.evaluate("window.consoleTimings = {}")
        page.select_option("#state", "human")  # loads the (empty) queue on change
        page.wait_for_function("window.consoleTimings.queueMs !== undefined", timeout=60_000)
        empty = [_render(page) for _ in range(runs)]
    return full, empty


def _render(page: Any) -> dict[str, float]:
    page.evaluate("window.consoleTimings = {}")
    page.click("#refresh")
    page.wait_for_function("window.consoleTimings.queueMs !== undefined", timeout=60_000)
    timings: dict[str, float] = page.evaluate("window.consoleTimings")
    return timings


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {dev_token()}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _plot(reply_ms: list[float], render_ms: list[float], whole_ms: list[float]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    axes[0].hist(reply_ms, bins=15, color="#2f6fed")
    axes[0].axvline(1000, color="#d64545", linestyle="--", label="target 1 s")
    axes[0].set(title="Agent reply to the customer's channel", xlabel="ms", ylabel="replies")
    axes[0].legend()
    axes[1].boxplot([render_ms, whole_ms], tick_labels=["render", "API on moto + render"])
    axes[1].axhline(1000, color="#d64545", linestyle="--", label="target 1 s")
    axes[1].set(title=f"Console queue of {QUEUE_SIZE} in Chromium", ylabel="ms")
    axes[1].legend()
    figure.tight_layout()
    PLOT.parent.mkdir(exist_ok=True)
    figure.savefig(PLOT, dpi=100)
    plt.close(figure)
