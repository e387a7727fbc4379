"""`socialcare generate-check`: how the configured LLM's replies fare against the guards, and
what customers would get, on held-back customer questions and prompt-injection attempts.

Every message goes through the real reply path (retrieval, prompt, the endpoint, the guards,
repair, fallbacks). The replies that would be sent are then audited apart from the guards:
numbers and links against the cited articles, the language, the set's own forbidden phrases
(what a successful injection would make the agent say), and copies of the instructions.
Writes a JSON report and a plot.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from socialcare import bootstrap
from socialcare.cli.answer import add_llm_options, writer_and_style
from socialcare.evaluation.audit import (
    RecordingWriter,
    copies_instructions,
    reply_language,
    says_forbidden,
    sent_is_grounded,
)
from socialcare.generate.prompt import build_prompt, without_echo
from socialcare.generate.reply_contract import parse_reply
from socialcare.generate.reply_style import ReplyStyle, reply_style
from socialcare.knowledge.documents import HELPCENTRE, load_folder
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import PASSAGES, compose

QUESTIONS = (
    Path("tests/data/helpcentre_queries.jsonl"),
    Path("tests/data/generation_questions.jsonl"),
)
INJECTIONS = Path("tests/data/prompt_injections.jsonl")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "generate-check", help="share of LLM replies passing the guards; audit of what is sent"
    )
    parser.add_argument("--questions", type=Path, nargs="+", default=list(QUESTIONS))
    parser.add_argument("--injections", type=Path, default=INJECTIONS)
    parser.add_argument(
        "--limit", type=int, default=0, help="at most this many per file and language"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/generation_check.json"))
    add_llm_options(parser)
    parser.set_defaults(run=run)


@dataclass
class Outcome:
    set: str
    lang: str
    source: str  # what was sent: "llm", "knowledge", "handoff", "fallback"
    llm_attempts: int
    contract_valid: bool  # the first draft is the reply contract's JSON, whole
    first_passed: bool
    failure: str
    guards: list[str]  # of the first attempt
    ms: float
    call_ms: list[float]  # each model call's latency
    reply: str  # what would be sent
    chars: int
    grounded: bool
    language_ok: bool
    leak: bool  # instructions copied, or what a leak-seeking injection asked for
    commitment: bool  # a forbidden commitment, or what a promise-seeking injection asked for
    personal_data: bool  # someone else's data, as an injection asked for


@dataclass
class Report:
    endpoint: str
    model: str
    engine: str = ""  # LLM_ENGINE: whether the drafts were decoded to the reply schema
    outcomes: list[Outcome] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    logging.getLogger("socialcare").setLevel(logging.ERROR)  # the report counts each failure
    writer, style = writer_and_style(args)
    if writer is None:
        print(
            "generate-check needs an LLM: --llm-endpoint URL or LLM_ENDPOINT_URL", file=sys.stderr
        )
        return 2
    recording = RecordingWriter(writer)
    index, articles = packaged_help_centre()
    public_x = reply_style("x", public=True, brand_max=writer.brand.max_reply_chars)
    items = [(path.stem, row, style) for path in args.questions for row in _rows(path, args.limit)]
    items += [("injections", row, public_x) for row in _rows(args.injections, args.limit)]
    settings = bootstrap.settings()
    report = Report(
        settings.llm_endpoint_url or settings.llm_sagemaker_endpoint,
        settings.llm_model,
        settings.llm_engine,
    )
    started = time.monotonic()
    for n, (name, row, item_style) in enumerate(items, 1):
        report.outcomes.append(
            check_one(
                row, name=name, style=item_style, writer=recording, index=index, articles=articles
            )
        )
        _progress(n, len(items), started)
    summary = summarise(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"summary": summary, "outcomes": [asdict(o) for o in report.outcomes]},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    plot(summary, args.out.with_suffix(".png"))
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    print(f"wrote {args.out} and {args.out.with_suffix('.png')}", file=sys.stderr)
    return 0


def packaged_help_centre() -> tuple[EmbeddedIndex, dict[tuple[str, str], Any]]:
    """The packaged help centre's index, and its articles by (id, language) for the audit."""
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine
    from socialcare.knowledge.topics import packaged

    index = EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
    return index, {(d.id, d.lang): d for d in load_folder(HELPCENTRE)}


def _rows(path: Path, limit: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    if not limit:
        return rows
    taken: Counter[str] = Counter()
    kept = []
    for row in rows:
        taken[row["lang"]] += 1
        if taken[row["lang"]] <= limit:
            kept.append(row)
    return kept


def check_one(
    row: dict[str, Any],
    *,
    name: str,
    style: ReplyStyle,
    writer: RecordingWriter,
    index: EmbeddedIndex,
    articles: dict[tuple[str, str], Any],
) -> Outcome:
    """One question through the real reply path, and what came of it."""
    text, lang = row.get("query") or row["text"], row["lang"]
    message = InboundMessage(Channel.TELEGRAM, "check", "check", "c", "c", Kind.TEXT, text)
    writer.last = None
    started = time.perf_counter()
    reply = compose(message, lang, index, writer=writer, style=style)
    ms = (time.perf_counter() - started) * 1000
    written = writer.last
    first = written.attempts[0] if written and written.attempts else None
    instructions = build_prompt(
        text, lang, index.search(text, k=PASSAGES, lang=lang), (), style=style, brand=writer.brand
    ).instructions
    return Outcome(
        set=name,
        lang=lang,
        source=reply.source,
        llm_attempts=len(written.attempts) if written else 0,
        contract_valid=bool(first and _is_contract(first.raw)),
        first_passed=bool(first and not first.violations),
        failure=written.failure if written else "",
        guards=sorted({v.guard for v in first.violations}) if first else [],
        ms=round(ms, 1),
        call_ms=[round(a.latency_ms, 1) for a in written.attempts] if written else [],
        reply=reply.text,
        chars=len(reply.text),
        grounded=sent_is_grounded(reply, text, articles),
        language_ok=reply_language(reply.text, writer.brand.name) == lang,
        leak=copies_instructions(reply.text, instructions) or says_forbidden(reply, row, "leak"),
        commitment=bool(writer.brand.forbidden_commitment(reply.text))
        or says_forbidden(reply, row, "commitment"),
        personal_data=says_forbidden(reply, row, "personal_data"),
    )


def _is_contract(raw: str) -> bool:
    draft = parse_reply(without_echo(raw))
    return draft.structured and not draft.truncated


def summarise(report: Report) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "endpoint": report.endpoint,
        "model": report.model,
        "engine": report.engine,
    }
    groups = {"all": report.outcomes}
    for outcome in report.outcomes:
        groups.setdefault(f"{outcome.set}/{outcome.lang}", []).append(outcome)
    for name, outcomes in groups.items():
        tried = [o for o in outcomes if o.llm_attempts]
        sent_llm = [o for o in tried if o.source == "llm"]
        ms = sorted(o.ms for o in outcomes)
        calls = sorted(c for o in outcomes for c in o.call_ms)
        summary[name] = {
            "messages": len(outcomes),
            "llm_attempted": len(tried),
            "contract_valid": _share(sum(o.contract_valid for o in tried), len(tried)),
            "llm_passed_first_try": _share(sum(o.first_passed for o in tried), len(tried)),
            "llm_written_share": _share(len(sent_llm), len(outcomes)),
            "llm_sent_after_repair": _share(len(sent_llm), len(tried)),
            "sent_by_source": dict(Counter(o.source for o in outcomes)),
            "llm_failures": dict(Counter(o.failure for o in tried if o.failure)),
            "first_try_guard_failures": dict(Counter(g for o in tried for g in o.guards)),
            "sent_grounded": _share(sum(o.grounded for o in outcomes), len(outcomes)),
            "language_match": _share(sum(o.language_ok for o in outcomes), len(outcomes)),
            "leaks": sum(o.leak for o in outcomes),
            "forbidden_commitments": sum(o.commitment for o in outcomes),
            "personal_data": sum(o.personal_data for o in outcomes),
            "max_chars": max((o.chars for o in outcomes), default=0),
            "latency_ms_p50": round(statistics.median(ms), 1) if ms else 0,
            "latency_ms_p95": ms[int(len(ms) * 0.95) - 1] if len(ms) >= 20 else None,
            "model_call_ms_p50": round(statistics.median(calls), 1) if calls else None,
            "model_call_ms_p95": calls[int(len(calls) * 0.95) - 1] if len(calls) >= 20 else None,
        }
    return summary


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [k for k, v in summary.items() if isinstance(v, dict) and k != "all"]
    sources = ["llm", "knowledge", "handoff", "fallback"]
    colours = {
        "llm": "#2b8a3e",
        "knowledge": "#1c7ed6",
        "handoff": "#f59f00",
        "fallback": "#adb5bd",
    }
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 0.6 * len(groups) + 2.5))
    lefts = [0.0] * len(groups)
    for source in sources:
        counts = [
            summary[g]["sent_by_source"].get(source, 0) / summary[g]["messages"] for g in groups
        ]
        left.barh(groups, counts, left=lefts, color=colours[source], label=source)
        lefts = [a + b for a, b in zip(lefts, counts, strict=True)]
    left.set_xlabel("share of messages, by what was sent")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, fontsize=8)
    left.set_title(f"What customers got ({summary.get('model') or 'LLM'})")
    failures = summary["all"]["first_try_guard_failures"]
    right.barh(list(failures), list(failures.values()), color="#e8590c")
    right.set_xlabel("LLM first replies failing each guard")
    right.set_title("Why LLM replies were stopped")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.monotonic() - started
    left = elapsed / done * (total - done)
    print(
        f"\r{done}/{total} messages, {elapsed:.0f} s, about {left:.0f} s left",
        end="",
        file=sys.stderr,
        flush=True,
    )
    if done == total:
        print(file=sys.stderr)
