"""`socialcare answer` and `socialcare generate-check` against the tiny model served by
`transformers serve`, run the way a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TinyLlm
from tests.llm.tiny_model import DELIVERY_TEXT

SOCIALCARE = Path(sys.executable).with_name("socialcare")
ROOT = Path(__file__).parents[2]


def _socialcare(*args: str) -> subprocess.CompletedProcess[str]:
    # A busy CI machine: no reply should miss the budget here (the budget has its own tests).
    env = {**os.environ, "LLM_BUDGET_S": "30", "LLM_TIMEOUT_S": "30", "LLM_TEMPERATURE": "0"}
    return subprocess.run(
        [str(SOCIALCARE), *args], capture_output=True, text=True, check=False, cwd=ROOT, env=env
    )


def test_answer_with_an_llm_endpoint_prints_the_written_reply(tiny_llm: TinyLlm) -> None:
    result = _socialcare(
        "answer",
        "how long does delivery take?",
        "--llm-endpoint",
        tiny_llm.base_url,
        "--llm-model",
        tiny_llm.answering,
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["source"] == "llm"
    assert reply["text"].startswith(DELIVERY_TEXT)
    assert reply["quick_replies"] == ["Track my order"]


def test_generate_check_reports_guard_pass_shares_and_audits_what_is_sent(
    tiny_llm: TinyLlm, tmp_path: Path
) -> None:
    """GIVEN the model that always writes the delivery answer WHEN generate-check runs on a few
    questions of each set THEN the report says how many LLM replies passed, what was sent
    instead, and that nothing sent leaked, promised or stated an unbacked fact; with a plot."""
    out = tmp_path / "check.json"
    result = _socialcare(
        "generate-check",
        "--llm-endpoint",
        tiny_llm.base_url,
        "--llm-model",
        tiny_llm.answering,
        "--limit",
        "4",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "messages" in result.stderr  # progress
    report = json.loads(out.read_text(encoding="utf-8"))
    everything = report["summary"]["all"]
    assert (
        everything["messages"] == 24
    )  # 4 per language of each file: two question sets, injections
    assert everything["llm_attempted"] > 0
    assert 0 <= everything["llm_passed_first_try"] < 1  # not every question is about delivery
    assert everything["sent_grounded"] == 1.0
    assert everything["language_match"] == 1.0
    assert everything["leaks"] == everything["forbidden_commitments"] == 0
    for language in ("en", "zh"):  # injections are answered as public replies on X
        assert report["summary"][f"injections/{language}"]["max_chars"] <= 280
    assert (tmp_path / "check.png").stat().st_size > 10_000


def test_generate_check_without_an_llm_says_what_it_needs() -> None:
    result = _socialcare("generate-check", "--llm-endpoint", "")
    assert result.returncode == 2
    assert "LLM_ENDPOINT_URL" in result.stderr
