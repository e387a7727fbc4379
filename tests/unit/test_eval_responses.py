"""`socialcare eval responses`, run the way a user runs it (main(argv), and the installed command
for the error paths): figures, Chinese, bad input, resuming, the CI gate."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from socialcare.cli import main
from socialcare.understand.datasets import is_heldout
from socialcare_local.moto_server import free_port

SOCIALCARE = Path(sys.executable).with_name("socialcare")
ROOT = Path(__file__).resolve().parents[2]
BITEXT = ROOT.parent / "shared" / "data" / "bitext" / "train.csv"
QUESTIONS = (
    ("how long does delivery take to Germany?", "delivery_period"),
    ("我想了解一下你们的退款政策", "check_refund_policy"),
    ("how do I reset my password?", "recover_password"),
)


def _eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    status = main(["eval", "responses", "--json", *args])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if status in (0, 1) else {}, captured.err


def _agent_replies(capsys: pytest.CaptureFixture[str]) -> list[str]:
    replies = []
    for question, _ in QUESTIONS:
        assert main(["answer", question]) == 0
        replies.append(json.loads(capsys.readouterr().out)["text"])
    return replies


def _jsonl(path: Path, references: list[str]) -> Path:
    lines = [
        json.dumps({"text": q, "reference": r, "intent": i}, ensure_ascii=False)
        for (q, i), r in zip(QUESTIONS, references, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_replies_that_match_their_references_score_high_and_mismatched_ones_low(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """GIVEN an English and a Chinese question whose references are the agent's own answers,
    and the same questions with the references swapped around WHEN both are evaluated THEN the
    first scores BLEU 100 and ROUGE-L 1 (Chinese tokenised by character and by sacrebleu's zh)
    and the second far lower; intents, language and groundedness are right in both."""
    replies = _agent_replies(capsys)
    matched = _jsonl(tmp_path / "matched.jsonl", replies)
    swapped = _jsonl(tmp_path / "swapped.jsonl", replies[1:] + replies[:1])

    status, good, err = _eval(capsys, "--data", str(matched))
    assert status == 0, err
    _, bad, _ = _eval(capsys, "--data", str(swapped))

    figures, worse = good["generators"]["extractive"], bad["generators"]["extractive"]
    assert figures["messages"] == 3
    assert figures["reply"]["bleu"] == pytest.approx(100.0)
    assert figures["reply"]["rougeL"] == pytest.approx(1.0)
    assert figures["reply"]["meteor"] > 0.9
    assert worse["reply"]["bleu"] < 20 and worse["reply"]["rougeL"] < 0.3
    assert figures["pipeline"]["intent_accuracy"] == 1.0
    assert figures["pipeline"]["language_match"] == 1.0
    assert figures["pipeline"]["groundedness"] == 1.0
    assert figures["pipeline"]["retrieval_hit_rate"] == 1.0
    assert figures["latency_ms"]["p50"] > 0 and figures["tokens_per_reply"] > 5
    assert 0 < figures["cost_per_1000_conversations_usd"]["aws_stack"] < 1
    assert good["meteor_matching"] == "exact, stem, WordNet 3.0 synonyms"
    assert "messages" in err  # progress on stderr


def test_bitext_csv_is_evaluated_on_held_out_rows_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """GIVEN a Bitext CSV of six rows, three of them in our held-out part WHEN evaluated THEN
    only those three are judged."""
    with BITEXT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    held = [r for r in rows if is_heldout(r["instruction"])][:3]
    trained = [r for r in rows if not is_heldout(r["instruction"])][:3]
    path = tmp_path / "bitext.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(trained + held)

    status, results, err = _eval(capsys, "--data", str(path))

    assert status == 0, err
    assert results["messages"] == 3


def _refused(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(SOCIALCARE), "eval", "responses", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize(
    ("name", "content", "told"),
    [
        (
            "faq.csv",
            "instruction,answer\nwhere is my order?,It is on its way.\n",
            "missing column(s) intent, response",
        ),
        (
            "eval.jsonl",
            '{"text": "hi", "reference": "Hi!"}\n{"text": "where is it?", "reference": ""}\n',
            'line 2: "reference" is empty',
        ),
        (
            "bitext.csv",
            'instruction,intent,response\nhi,greeting,"Hello,\nthere"\nwhere?,track_order,\n',
            "line 4: empty column 'response'",  # the second row starts on line 4
        ),
    ],
    ids=["csv_without_the_bitext_columns", "empty_reference", "empty_csv_response"],
)
def test_bad_data_is_refused_naming_the_column_or_line(
    tmp_path: Path, name: str, content: str, told: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    result = _refused("--data", str(path))

    assert told in result.stderr


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "eval.jsonl"
    latin1 = b'{"text": "ok", "reference": "fine"}\n{"text": "caf\xe9"}\n'
    path.write_bytes(latin1)

    result = _refused("--data", str(path))

    assert f"not UTF-8 at byte offset {latin1.index(0xE9)} (line 2)" in result.stderr


def test_an_unreachable_endpoint_is_named_with_the_flag_to_fix_before_the_run(
    tmp_path: Path,
) -> None:
    data = _jsonl(tmp_path / "eval.jsonl", ["a", "b", "c"])
    dead = f"http://127.0.0.1:{free_port()}/v1"

    result = _refused("--data", str(data), "--generator", f"served={dead}#smol")

    assert f"generator 'served': {dead}" in result.stderr
    assert "--generator served=URL#MODEL" in result.stderr
    assert "messages" not in result.stderr  # refused before any message ran


def test_an_interrupted_run_resumes_where_it_stopped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """GIVEN a finished run's checkpoint cut after its second result, mid-line, as a killed run
    leaves it WHEN the run is repeated with it THEN only the missing messages run again, the
    checkpoint is whole again and the figures are the same."""
    data = _jsonl(tmp_path / "eval.jsonl", _agent_replies(capsys))
    checkpoint = tmp_path / "rows.jsonl"
    status, first, err = _eval(capsys, "--data", str(data), "--resume", str(checkpoint))
    assert status == 0, err
    lines = checkpoint.read_text(encoding="utf-8").splitlines()
    checkpoint.write_text("\n".join(lines[:2]) + "\n" + lines[2][:40], encoding="utf-8")

    status, again, err = _eval(capsys, "--data", str(data), "--resume", str(checkpoint))

    assert status == 0, err
    assert again["resumed"] == 2
    rows = [json.loads(line) for line in checkpoint.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == [1, 2, 3]
    assert again["generators"]["extractive"]["reply"] == first["generators"]["extractive"]["reply"]


def test_the_gate_fails_on_a_worse_result_and_passes_on_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """GIVEN a baseline saved from 12 held-back Bitext rows WHEN the same evaluation runs on a
    copy of the data whose reference answers are shifted by one row (a worse result) THEN the
    gate fails naming the figures; on the data itself it passes."""
    worse = tmp_path / "worse" / BITEXT.name
    worse.parent.mkdir()
    with BITEXT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    responses = [r["response"] for r in rows]
    for row, response in zip(rows, responses[1:] + responses[:1], strict=True):
        row["response"] = response
    with worse.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    baseline = tmp_path / "baseline.json"
    fixed = ("--limit", "12", "--sample-seed", "8")

    status, _, err = _eval(capsys, "--data", str(BITEXT), *fixed, "--save-baseline", str(baseline))
    assert status == 0, err
    status, _, err = _eval(capsys, "--data", str(worse), *fixed, "--gate", str(baseline))
    assert status == 1
    assert "GATE FAILED: extractive reply.rougeL" in err
    status, _, err = _eval(capsys, "--data", str(BITEXT), *fixed, "--gate", str(baseline))
    assert status == 0, err
    assert "gate passed" in err


def test_the_report_has_markdown_html_and_plots(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _jsonl(tmp_path / "eval.jsonl", ["a reply", "一个回答", "another reply"])

    status, _, err = _eval(capsys, "--data", str(data), "--report", str(tmp_path / "report"))

    assert status == 0, err
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "| BLEU (reply sent) |" in markdown and "| latency p95 (ms) |" in markdown
    assert "<table>" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    for plot in ("figures.png", "latency.png"):
        assert (tmp_path / "report" / plot).stat().st_size > 10_000
