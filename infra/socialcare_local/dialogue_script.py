"""The scripted conversations of tests/data/handoff_conversations.jsonl, played on the running
local stack over signed Telegram webhooks: was each one handed to a person when (and only when)
it should be? Used by the end-to-end tests and `make bench`."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from typing import Any

from socialcare_local.agent_auth import dev_token
from socialcare_local.cfn_template import ROOT
from socialcare_local.traffic import deliver, telegram_update

SCRIPT = ROOT / "tests" / "data" / "handoff_conversations.jsonl"
_chats = count(700_000)


@dataclass(frozen=True)
class Outcome:
    name: str
    expected: bool  # should it go to a person?
    handed_off: bool  # did it, on its last message and not before?
    handed_off_early: bool  # did it before the last message?
    reason: str  # the handoff's reason, as stored

    @property
    def right(self) -> bool:
        return self.expected == self.handed_off and not self.handed_off_early


def conversations() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SCRIPT.read_text().splitlines() if line.strip()]


def play(gateway: str, script: dict[str, Any]) -> Outcome:
    chat = next(_chats)
    last = len(script["turns"]) - 1
    for n, text in enumerate(script["turns"]):
        status, _ = deliver(gateway, telegram_update(chat, {"text": text}))
        if status != 200:
            raise RuntimeError(f"webhook answered {status}")
        # The bot's answer (or its handoff message) stored with the state it leads to.
        state = _answered(gateway, f"telegram:{chat}", n + 1)
        handed = state["state"] == "pending_human"
        if handed and n < last:  # too early: the bot stays silent from here on
            return Outcome(script["name"], script["handoff"], False, True, state["handoff_reason"])
    return Outcome(script["name"], script["handoff"], handed, False, state["handoff_reason"])


def accuracy(outcomes: list[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes)


def _answered(gateway: str, conversation_id: str, answers: int, timeout_s: float = 10.0) -> Any:
    """The conversation, once the bot's `answers`-th reply is stored in it."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            conversation = agent_get(gateway, f"/agent/conversations/{conversation_id}")
        except urllib.error.HTTPError as error:
            if error.code != 404:  # not stored yet
                raise
        else:
            if sum(t["role"] == "agent" for t in conversation["turns"]) >= answers:
                return conversation
        if time.monotonic() > deadline:
            raise TimeoutError("no reply from the stack")
        time.sleep(0.02)


def agent_get(gateway: str, path: str) -> Any:
    request = urllib.request.Request(
        gateway + path, headers={"Authorization": f"Bearer {dev_token()}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
