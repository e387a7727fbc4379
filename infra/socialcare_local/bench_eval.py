"""Evaluation figures for `make bench`: `socialcare eval responses` as a user runs it.

- Quality: every held-back row of the Bitext development split, extractive generator, written
  to bench/eval/ (report.md, report.html, figures.png, latency.png) and bench/eval.json.
- Speed: 1,000 messages (the held-back rows, cycled; each one its own conversation) in one run
  of the command, start to end, beside the same command on one message (its start-up: imports,
  the e5 model, the tokenizer, WordNet) as the baseline, in the same run.

Runnable alone: `.venv/bin/python -m socialcare_local.bench_eval` (prints the figures).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from socialcare.understand.datasets import is_heldout
from socialcare_local import readme_tables
from socialcare_local.bitext import TRAIN_CSV
from socialcare_local.cfn_template import ROOT

SOCIALCARE = Path(sys.executable).with_name("socialcare")
REPORT = ROOT / "bench" / "eval"
RESULTS = ROOT / "bench" / "eval.json"
PACKAGED_INDEX = ROOT / "layers" / "shared" / "socialcare" / "knowledge" / "index"
MESSAGES = 1000
TARGET_S = 60.0


def run(results: dict[str, Any]) -> None:
    print("response evaluation: held-back rows, then 1,000 messages ...", file=sys.stderr)
    relative = os.path.relpath(TRAIN_CSV, ROOT)  # the report names it as a user would
    quality, _ = _socialcare("--data", relative, "--report", str(REPORT))
    with tempfile.TemporaryDirectory() as folder:
        messages = Path(folder) / "messages.jsonl"
        _write_messages(messages, MESSAGES)
        speed, seconds = _socialcare("--data", str(messages))
        _, startup = _socialcare("--data", str(messages), "--limit", "1")
    extractive = quality["generators"]["extractive"]
    figures = {
        "messages": quality["messages"],
        "reply": extractive["reply"],
        "pipeline": extractive["pipeline"],
        "latency_ms": extractive["latency_ms"],
        "tokens_per_reply": extractive["tokens_per_reply"],
        "cost_per_1000_conversations_usd": extractive["cost_per_1000_conversations_usd"],
    }
    RESULTS.write_text(
        json.dumps(
            {
                "heldout": figures,
                "meteor_matching": quality["meteor_matching"],
                "speed": {
                    "messages": speed["messages"],
                    "seconds": round(seconds, 1),
                    "startup_seconds": round(startup, 1),
                    "latency_ms": speed["generators"]["extractive"]["latency_ms"],
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    ok = "✅" if seconds <= TARGET_S else "❌"
    results["eval_1000_messages_extractive"] = {
        "figure": f"{seconds:.1f} s ({MESSAGES / seconds:.1f} messages/s)",
        "target": f"≤ {TARGET_S:.0f} s {ok}",
    }
    results["baseline_eval_one_message"] = {"figure": f"{startup:.1f} s (start-up)"}
    reply, pipeline = extractive["reply"], extractive["pipeline"]
    results["eval_heldout_extractive"] = {
        "figure": f"BLEU {reply['bleu']:.2f}, ROUGE-L {reply['rougeL']:.3f}, METEOR "
        f"{reply['meteor']:.3f}, intent {pipeline['intent_accuracy']:.3f}, retrieval hit "
        f"{pipeline['retrieval_hit_rate']:.3f} ({quality['messages']} held-back rows)"
    }
    readme_tables.rewrite("eval", _table(quality, seconds, startup))


def _table(quality: dict[str, Any], seconds: float, startup: float) -> str:
    """bench/README.md's eval table: the held-back figures and the speed of the same command."""
    extractive = quality["generators"]["extractive"]
    reply, pipeline, ms = extractive["reply"], extractive["pipeline"], extractive["latency_ms"]
    cost = extractive["cost_per_1000_conversations_usd"]
    ok = "✅" if seconds <= TARGET_S else "❌"
    rows = [
        ("held-back Bitext rows (extractive)", f"{quality['messages']}", ""),
        ("BLEU / chrF", f"{reply['bleu']:.2f} / {reply['chrf']:.2f}", ""),
        (
            "ROUGE-1 / ROUGE-2 / ROUGE-L",
            f"{reply['rouge1']:.3f} / {reply['rouge2']:.3f} / {reply['rougeL']:.3f}",
            "",
        ),
        (f"METEOR ({quality['meteor_matching']})", f"{reply['meteor']:.3f}", ""),
        ("intent accuracy", f"{pipeline['intent_accuracy']:.3f}", ""),
        ("retrieval hit rate / citation hit rate", _pair(pipeline, "retrieval", "citation"), ""),
        (
            "grounded / language match",
            f"{pipeline['groundedness']} / {pipeline['language_match']}",
            "",
        ),
        ("handoff rate", f"{pipeline['handoff_rate']:.3f}", ""),
        ("latency p50 / p95 / p99", f"{ms['p50']:.0f} / {ms['p95']:.0f} / {ms['p99']:.0f} ms", ""),
        ("tokens per reply", f"{extractive['tokens_per_reply']:.1f}", ""),
        ("cost per 1,000 conversations (AWS stack)", f"${cost['aws_stack']:.4f}", ""),
        (
            f"{MESSAGES:,} messages, start to end",
            f"{seconds:.1f} s ({MESSAGES / seconds:.1f}/s)",
            f"≤ {TARGET_S:.0f} s {ok}",
        ),
        ("baseline: the same command on 1 message (start-up)", f"{startup:.1f} s", ""),
    ]
    lines = ["| figure | value | target |", "| --- | ---: | --- |"]
    return "\n".join(lines + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def _pair(pipeline: dict[str, Any], first: str, second: str) -> str:
    return f"{pipeline[f'{first}_hit_rate']:.3f} / {pipeline[f'{second}_hit_rate']:.3f}"


def _write_messages(path: Path, count: int) -> None:
    with TRAIN_CSV.open(encoding="utf-8", newline="") as handle:
        held = [row for row in csv.DictReader(handle) if is_heldout(row["instruction"])]
    lines = (
        json.dumps(
            {"text": row["instruction"], "reference": row["response"], "intent": row["intent"]}
        )
        for row in islice(cycle(held), count)
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _socialcare(*args: str) -> tuple[dict[str, Any], float]:
    """The command's JSON results and its wall time, start to end."""
    env = {**os.environ, "KB_STORE": str(PACKAGED_INDEX)}  # the shipped help centre, always
    started = time.perf_counter()
    done = subprocess.run(
        [str(SOCIALCARE), "eval", "responses", "--json", *args],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    seconds = time.perf_counter() - started
    results: dict[str, Any] = json.loads(done.stdout)
    return results, seconds


if __name__ == "__main__":
    figures: dict[str, Any] = {}
    run(figures)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
