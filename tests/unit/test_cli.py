"""The `socialcare` command, run the way a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_answer_as_a_public_reply_on_x_fits_280_characters() -> None:
    """GIVEN no LLM WHEN asked for a public reply on X THEN the extractive answer is cut at a
    sentence to fit 280 characters, its link kept."""
    out = subprocess.run(
        [str(SOCIALCARE), "answer", "--channel", "x", "--public", "how do I get a refund?"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    reply = json.loads(out)
    assert reply["source"] == "knowledge"
    assert len(reply["text"]) <= 280
    assert reply["text"].endswith(reply["citations"][0]["url"])
