"""The local LLM engines side by side, for `make bench`: llama-cpp-python's server over SmolLM2's
GGUF, and `transformers serve` over the same weights, each started as `make up` starts it.

For each: start-up time; time to first token and tokens a second on the worker's real prompts of
RUNS held-back questions (streamed); the server's peak memory (RSS); and the reply path
on the held-back generation questions (tests/data/generation_questions.jsonl, LIMIT a language):
contract-valid first drafts, first drafts passing every guard, the share the LLM wrote, and the
model call's p50/p95, with each engine's own settings (schema, prompt and time budget).

Writes bench/engines.json and bench/engines.png. Runnable alone:
`.venv/bin/python -m socialcare_local.bench_engines [--limit N]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2

from socialcare_local.cfn_template import ROOT
from socialcare_local.llm_server import LlamaCppServer, LlmServer, smollm2, smollm2_gguf
from socialcare_local.moto_server import free_port

RESULTS = ROOT / "bench" / "engines.json"
QUESTIONS = ROOT / "tests" / "data" / "generation_questions.jsonl"
RUNS = 5
LIMIT = 5  # questions a language: transformers serve takes tens of seconds a call here
ENV_OF = {
    "LlmMaxTokens": "LLM_MAX_TOKENS",
    "LlmMaxInputTokens": "LLM_MAX_INPUT_TOKENS",
    "LlmTimeoutSeconds": "LLM_TIMEOUT_S",
    "LlmBudgetSeconds": "LLM_BUDGET_S",
}


def run(results: dict[str, Any], limit: int = LIMIT) -> dict[str, Any]:
    engines = {
        "llama.cpp": LlamaCppServer(free_port(), smollm2_gguf()),
        "transformers": LlmServer(free_port(), smollm2()),
    }
    figures = {name: _measure(server, limit) for name, server in engines.items()}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    plot(figures, RESULTS.with_suffix(".png"))
    results["llm_engines"] = figures
    return figures


def _measure(server: LlmServer, limit: int) -> dict[str, Any]:
    print(f"LLM engine {server.engine} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    server.start()
    try:
        startup_s = time.monotonic() - started
        streams = [_stream(server, messages) for messages in _prompts(RUNS)]
        replies = _reply_path(server, limit)
        rss = _peak_rss_mb(server.pid)
    finally:
        server.stop()
    return {
        "engine": server.engine,
        "startup_s": round(startup_s, 1),
        "prompt_tokens_p50": statistics.median(s["prompt_tokens"] for s in streams),
        "first_token_ms_p50": round(statistics.median(s["first_ms"] for s in streams), 1),
        "tokens_per_s": round(statistics.median(s["tokens_per_s"] for s in streams), 1),
        "peak_rss_mb": rss,
        **replies,
    }


def _prompts(count: int) -> list[list[dict[str, str]]]:
    """The worker's prompts for the first `count` held-back English questions, each with its
    retrieved passages: one system message for all (which llama.cpp keeps cached, as in
    service), a new user message each."""
    from socialcare import bootstrap
    from socialcare.cli.generate_check import packaged_help_centre
    from socialcare.generate.prompt import build_prompt
    from socialcare.generate.reply_style import reply_style
    from socialcare.pipeline import PASSAGES

    index = packaged_help_centre()[0]
    brand = bootstrap.brand_policy()
    style = reply_style("telegram", brand_max=brand.max_reply_chars)
    prompts = []
    for row in _rows(count)[:count]:
        question = row["query"]
        passages = index.search(question, k=PASSAGES, lang="en")
        prompt = build_prompt(
            question,
            "en",
            passages,
            (),
            style=style,
            brand=brand,
            max_input_tokens=int(LlamaCppServer.parameters["LlmMaxInputTokens"]),
        )
        prompts.append([m.as_dict() for m in prompt.messages])
    return prompts


def _stream(server: LlmServer, messages: list[dict[str, str]]) -> dict[str, float]:
    """One streamed completion of 60 tokens: when the first token came, and the rate after;
    the prompt's tokens from the server's count (a one-token call: not every server streams
    its usage)."""
    body = {
        "model": server.model,
        "messages": messages,
        "max_tokens": 60,
        "temperature": 0,
        "stream": True,
    }
    started = time.perf_counter()
    first = 0.0
    chunks = 0
    url = f"{server.base_url}/chat/completions"
    with httpx2.stream("POST", url, json=body, timeout=120) as response:
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            delta = (event.get("choices") or [{}])[0].get("delta", {})
            if delta.get("content"):
                chunks += 1
                first = first or time.perf_counter()
    ended = time.perf_counter()
    counted = httpx2.post(url, json={**body, "stream": False, "max_tokens": 1}, timeout=120)
    prompt_tokens = counted.json().get("usage", {}).get("prompt_tokens", 0)
    return {
        "first_ms": (first - started) * 1000,
        "tokens_per_s": (chunks - 1) / (ended - first) if chunks > 1 and ended > first else 0.0,
        "prompt_tokens": prompt_tokens,
    }


def _reply_path(server: LlmServer, limit: int) -> dict[str, Any]:
    """generate-check's reply path on the held-back generation questions, through this engine
    with its own settings."""
    from socialcare import bootstrap
    from socialcare.cli.generate_check import Report, check_one, packaged_help_centre, summarise
    from socialcare.evaluation.audit import RecordingWriter
    from socialcare.generate.reply_style import reply_style

    settings = {ENV_OF[k]: v for k, v in server.parameters.items()}
    endpoint = {"LLM_ENDPOINT_URL": server.base_url, "LLM_MODEL": server.model}
    # Time enough for every call: what the model writes is measured, not this machine's load;
    # the share of calls within the engine's own timeout is reported beside it.
    patient = {"LLM_TIMEOUT_S": "120", "LLM_BUDGET_S": "250"}
    with _environment({**settings, **endpoint, **patient, "LLM_ENGINE": server.engine}):
        writer = bootstrap.reply_writer()
        if writer is None:
            raise RuntimeError("no LLM writer: LLM_ENDPOINT_URL did not reach the settings")
        recording = RecordingWriter(writer)
        index, articles = packaged_help_centre()
        style = reply_style("telegram", brand_max=writer.brand.max_reply_chars)
        report = Report(server.base_url, server.model, server.engine)
        for row in _rows(limit):
            outcome = check_one(
                row, name="generation", style=style, writer=recording, index=index,
                articles=articles,
            )  # fmt: skip
            report.outcomes.append(outcome)
        summary = summarise(report)
    groups = {k: v for k, v in summary.items() if isinstance(v, dict)}
    calls = [c for o in report.outcomes for c in o.call_ms]
    limit_ms = float(settings["LLM_TIMEOUT_S"]) * 1000
    within = round(sum(c <= limit_ms for c in calls) / len(calls), 3) if calls else None
    return {"settings": settings, "calls_within_timeout": within, "reply_path": groups}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """These environment variables set, and the settings read again, for the block only."""
    from socialcare import bootstrap

    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    bootstrap.reset()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        bootstrap.reset()


def _rows(limit: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    return [r for lang in ("en", "zh") for r in [r for r in rows if r["lang"] == lang][:limit]]


def _peak_rss_mb(pid: int | None) -> float | None:
    """The process's peak resident memory (VmHWM), in MiB."""
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def plot(figures: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(figures)
    panels = [
        ("time to first token (ms)", [figures[n]["first_token_ms_p50"] for n in names]),
        ("tokens / s", [figures[n]["tokens_per_s"] for n in names]),
        ("peak RSS (MiB)", [figures[n]["peak_rss_mb"] or 0 for n in names]),
        (
            "model call p50 (ms)",
            [figures[n]["reply_path"]["all"]["model_call_ms_p50"] or 0 for n in names],
        ),
        (
            "first drafts passing the guards",
            [figures[n]["reply_path"]["all"]["llm_passed_first_try"] or 0 for n in names],
        ),
        (
            "answers the LLM wrote",
            [figures[n]["reply_path"]["all"]["llm_written_share"] or 0 for n in names],
        ),
    ]
    figure, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2))
    for axis, (title, values) in zip(axes, panels, strict=True):
        axis.bar(names, values, color=["#2b8a3e", "#adb5bd"][: len(names)])
        axis.set_title(title, fontsize=9)
        for x, value in enumerate(values):
            axis.annotate(f"{value:g}", (x, value), ha="center", va="bottom", fontsize=8)
    figure.suptitle("SmolLM2-135M on this CPU: llama-cpp-python vs transformers serve")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT, help="questions a language")
    args = parser.parse_args()
    figures = run({}, args.limit)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
