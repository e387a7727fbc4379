"""`socialcare eval understanding`: accuracy of each part of the understanding on labelled data,
with a confusion-matrix plot for intents.

By default: our held-out fifth of the Bitext CSV (`--all-rows` takes every row, for a file that
was never trained on) for intents and entity spans, and the Chinese, out-of-scope, language,
sentiment and personal-data sets shipped in understand/data/; `--pii-hard` is the held-out part
of the hard personal-data set (national phone formats, full-width input, cards after "refund" or
"order", references that must stay), whose dev part was the one tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from socialcare.understand import datasets, evaluation
from socialcare.understand.intents import OTHER, shipped_model

TARGETS = {
    "intent_english_bitext": 0.99,
    "intent_chinese": 0.90,
    "intent_out_of_scope": 0.90,
    "entities_f1_bitext": 0.90,
    "pii_recall": 1.0,
    "pii_hard_recall": 0.95,
    "language_short_messages": 0.98,
    "sentiment_agreement": 0.85,
}


def register(subparsers: Any) -> None:
    parser = eval_parser(subparsers).add_parser(
        "understanding",
        help="accuracy of language, sentiment, intents, entities, personal data",
        description=__doc__,
    )
    data = datasets.DATA
    parser.add_argument("--bitext", type=Path, default=datasets.BITEXT_CSV)
    parser.add_argument(
        "--all-rows", action="store_true", help="every Bitext row, not only our held-out part"
    )
    parser.add_argument("--chinese", type=Path, default=data / "intents_zh_eval.jsonl")
    parser.add_argument("--other", type=Path, default=data / "other_eval.jsonl")
    parser.add_argument("--language", type=Path, default=data / "language_eval.jsonl")
    parser.add_argument("--sentiment", type=Path, default=data / "sentiment_eval.jsonl")
    parser.add_argument("--pii", type=Path, default=data / "pii_eval.jsonl")
    parser.add_argument("--pii-hard", type=Path, default=data / "pii_hard_test.jsonl")
    parser.add_argument(
        "--plot",
        type=Path,
        default=Path("intent_confusion.png"),
        help="where to write the confusion matrix (default: %(default)s)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--mistakes", action="store_true", help="list what each part got wrong")
    parser.set_defaults(run=run)


def eval_parser(subparsers: Any) -> Any:
    """`socialcare eval`, shared by every module that adds a kind of evaluation to it."""
    if "eval" not in subparsers.choices:
        parser = subparsers.add_parser("eval", help="measure a part of the agent on labelled data")
        parser.set_defaults(eval_kinds=parser.add_subparsers(dest="part", required=True))
    return subparsers.choices["eval"].get_default("eval_kinds")


def run(args: argparse.Namespace) -> int:
    model = shipped_model()
    rows = datasets.bitext(args.bitext)
    english = rows if args.all_rows else datasets.bitext_part(rows, heldout=True)
    confusion: Counter[tuple[str, str]] = Counter()
    scores = [
        evaluation.intent_accuracy("intent_english_bitext", english, model, confusion),
        evaluation.intent_accuracy(
            "intent_chinese", datasets.labelled(args.chinese), model, confusion
        ),
        evaluation.intent_accuracy(
            "intent_out_of_scope", datasets.labelled(args.other, OTHER), model, confusion
        ),
        evaluation.entity_f1(english),
        *evaluation.personal_data(args.pii),
        *evaluation.personal_data(args.pii_hard, "pii_hard"),
        evaluation.language_accuracy(args.language),
        evaluation.sentiment_agreement(args.sentiment),
    ]
    print(f"{'part':<36} {'score':>7} {'n':>6}  target")
    for score in scores:
        target = TARGETS.get(score.name)
        mark = "" if target is None else f"≥ {target:.2f} {'✅' if score.value >= target else '❌'}"
        if score.name.endswith("_false_positives_on_references"):
            mark = f"= 0 {'✅' if score.value == 0 else '❌'}"
        print(f"{score.name:<36} {score.value:>7.4f} {score.count:>6}  {mark}  {score.note}")
        if args.mistakes:
            for line in score.mistakes:
                print(f"    {line}")
    evaluation.confusion_plot(confusion, model.labels, args.plot)
    print(f"confusion matrix: {args.plot}", file=sys.stderr)
    if args.json:
        args.json.write_text(
            json.dumps({s.name: {"value": s.value, "n": s.count} for s in scores}, indent=2) + "\n"
        )
    return 0
