"""`socialcare eval responses` with the tiny models served by `transformers serve` as LLM
generators beside the extractive one, run as a user runs it."""

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


def test_llm_generators_are_compared_with_the_extractive_one_on_the_same_messages(
    tiny_llm: TinyLlm, tmp_path: Path
) -> None:
    """GIVEN delivery questions whose reference is the delivery answer, and the model that
    always writes that answer and the one that writes gibberish WHEN the three generators are
    evaluated in one run THEN the answering model's replies are written by the LLM and match
    the reference (its draft word for word, its reply above the extractive one), with its
    tokens from the endpoint's usage; the gibberish is stopped by the guards, so its raw
    output scores low while the customer gets the extractive answer; the references'
    perplexity under the answering model is reported; the report has its tables and plots."""
    data = tmp_path / "delivery.jsonl"
    questions = ["how long does delivery take?", "how many days does delivery take?"]
    data.write_text(
        "".join(
            json.dumps({"text": q, "reference": DELIVERY_TEXT, "intent": "delivery_period"}) + "\n"
            for q in questions
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "LLM_BUDGET_S": "60", "LLM_TIMEOUT_S": "60", "LLM_TEMPERATURE": "0"}
    result = subprocess.run(
        [
            str(SOCIALCARE),
            "eval",
            "responses",
            "--data",
            str(data),
            "--generator",
            "extractive",
            "--generator",
            f"answering={tiny_llm.base_url}#{tiny_llm.answering}",
            "--generator",
            f"gibberish={tiny_llm.base_url}#{tiny_llm.random}",
            "--perplexity-model",
            tiny_llm.answering,
            "--json",
            "--report",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )

    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    extractive, answering, gibberish = (
        results["generators"][name] for name in ("extractive", "answering", "gibberish")
    )
    assert answering["pipeline"]["answered_by"] == {"llm": 2}
    assert answering["raw"]["bleu"] > 99  # its draft is the reference; the reply adds a link
    assert answering["reply"]["bleu"] > extractive["reply"]["bleu"] + 10
    assert answering["llm_tokens_per_message"]["completion"] > 0  # the endpoint's usage
    assert answering["tokens_per_reply"] == answering["llm_tokens_per_message"]["completion"]
    assert answering["cost_per_1000_conversations_usd"]["llm_per_token_api"] > 0
    assert "llm" not in gibberish["pipeline"]["answered_by"]
    assert gibberish["raw"]["rougeL"] < 0.3 < gibberish["reply"]["rougeL"]
    assert gibberish["pipeline"]["raw_groundedness"] < 1.0 == gibberish["pipeline"]["groundedness"]
    assert results["perplexity"]["perplexity"] > 1
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "| figure | extractive | answering | gibberish |" in markdown
    assert (tmp_path / "report" / "figures.png").stat().st_size > 10_000
