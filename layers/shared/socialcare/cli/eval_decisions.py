"""`socialcare eval decisions --data FILE`: each message of a decision set (JSON lines: id, lang,
text, outcome, reason, articles) through the worker's own pipeline (the embedded knowledge base,
no LLM); right / wrong / missed per language and per outcome, handoff recall on risk messages,
the decline rate on out-of-scope ones and closers handed off; a JSON report, the confusion plot
and the calibration curve (wrong-answer rate against answered rate)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from socialcare.cli.eval_understanding import eval_parser

CURVE_POINTS = tuple(round(0.30 + 0.02 * i, 2) for i in range(31))


def register(subparsers: Any) -> None:
    parser = eval_parser(subparsers).add_parser(
        "decisions",
        help="answer / clarify / hand off / decline / close on realistic messages",
        description=__doc__,
    )
    parser.add_argument("--data", type=Path, required=True, help="a decision set (JSON lines)")
    parser.add_argument(
        "--out", type=Path, default=Path("."), help="folder for decisions.json and the plots"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from socialcare.evaluation import decisions
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine
    from socialcare.knowledge.topics import packaged

    if not args.data.is_file():
        print(f"no decision set at {args.data}", file=sys.stderr)
        return 2
    retriever = EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
    judged = decisions.run(retriever, decisions.cases(args.data))
    figures = decisions.summary(judged)
    points = decisions.curve(judged, CURVE_POINTS)
    args.out.mkdir(parents=True, exist_ok=True)
    payload = {**figures, "curve": points, "messages_judged": decisions.report(judged)}
    (args.out / "decisions.json").write_text(json.dumps(payload, indent=1) + "\n")
    decisions.plots(judged, points, args.out)
    _print(figures)
    print(f"report: {args.out / 'decisions.json'}", file=sys.stderr)
    return 0


def _print(figures: dict[str, Any]) -> None:
    print(f"{'':<12} {'right':>6} {'wrong':>6} {'missed':>6} {'n':>5}")
    rows = {"all": figures["overall"], **figures["per_language"], **figures["per_outcome"]}
    for name, r in rows.items():
        print(f"{name:<12} {r['right']:>6.3f} {r['wrong']:>6.3f} {r['missed']:>6.3f} {r['n']:>5}")
    print(f"handoff recall on risk messages   {figures['handoff_recall']:.3f}")
    print(f"out-of-scope declined             {figures['out_of_scope_declined']:.3f}")
    print(f"closers handed off                {figures['closers_handed_off']}")
