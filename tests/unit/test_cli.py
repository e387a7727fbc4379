"""The `socialcare` command, run the way a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SOCIALCARE = Path(sys.executable).with_name("socialcare")


def test_answer_prints_the_reply_the_agent_would_send() -> None:
    """GIVEN the Chinese returns question WHEN `socialcare answer` runs THEN it prints the Chinese
    returns-policy answer with its citation, as JSON."""
    out = subprocess.run(
        [str(SOCIALCARE), "answer", "你好,我想咨询一下产品的退货政策?"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    reply = json.loads(out)
    assert reply["language"] == "zh"
    assert reply["citations"][0]["id"] == "returns-policy"


def test_unknown_command_fails_with_usage() -> None:
    result = subprocess.run([str(SOCIALCARE), "fly"], capture_output=True, text=True, check=False)

    assert result.returncode == 2
    assert "answer" in result.stderr


def _socialcare(*args: str) -> Any:
    out = subprocess.run(
        [str(SOCIALCARE), *args], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_channels_lists_every_channels_capabilities() -> None:
    table = _socialcare("channels")
    assert isinstance(table, dict)
    assert table["instagram"]["max_text"] == 1000
    assert table["x"]["max_public_text"] == 280
    assert len(table) == 8


def test_channels_shows_how_a_greeting_renders_on_whatsapp() -> None:
    """GIVEN the greeting's five topics WHEN rendered for WhatsApp (three buttons at most) THEN
    the user sees them as numbered lines; after the window, only the template."""
    [message] = _socialcare("channels", "whatsapp")
    assert message["options"] == [] and "\n5. Reset my password" in message["text"]
    [template] = _socialcare("channels", "whatsapp", "--window-closed")
    assert template["audience"] == "template"


def test_channels_shows_the_public_answer_on_x() -> None:
    [public] = _socialcare("channels", "x", "--public", "--text", "A long answer. " * 40)
    assert public["audience"] == "public" and len(public["text"]) <= 280
