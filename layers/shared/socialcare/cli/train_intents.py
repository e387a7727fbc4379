"""`socialcare train-intents`: train the intent model from the English Bitext utterances (our
training part of them), the Chinese utterances and the out-of-scope messages shipped in
understand/data/, and write the model file the worker loads. Same data and seed, same model."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from socialcare.understand import datasets
from socialcare.understand.intents import MODEL_FILE, OTHER, IntentModel


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train-intents",
        help="train the intent model (English + Chinese + other)",
        description=__doc__,
    )
    parser.add_argument(
        "--bitext",
        type=Path,
        default=datasets.BITEXT_CSV,
        help="the Bitext CSV (default: %(default)s)",
    )
    parser.add_argument("--out", type=Path, default=MODEL_FILE, help="where to write the model")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--chinese-weight",
        type=int,
        default=3,
        help="how many times each Chinese utterance counts (there are fewer)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from socialcare.understand.training import TrainingSettings, train, with_pleasantries

    english = datasets.bitext_part(datasets.bitext(args.bitext), heldout=False)
    chinese = datasets.labelled(datasets.DATA / "intents_zh_train.jsonl")
    other = datasets.labelled(datasets.DATA / "other_train.jsonl", OTHER)
    examples = with_pleasantries(english + chinese * args.chinese_weight, 0.15, args.seed) + other
    settings = TrainingSettings(epochs=args.epochs, seed=args.seed)
    print(
        f"training on {len(english)} English, {len(chinese)} Chinese (x{args.chinese_weight}) "
        f"and {len(other)} out-of-scope messages",
        file=sys.stderr,
    )
    started = time.perf_counter()

    def progress(epoch: int, epochs: int, loss: float) -> None:
        bar = "#" * (20 * epoch // epochs)
        print(f"\r  epoch {epoch:>3}/{epochs} [{bar:<20}] loss {loss:.4f}", end="", file=sys.stderr)

    model = train(examples, settings, progress)
    print(file=sys.stderr)
    args.out.write_bytes(model.to_bytes(_metadata(args, settings)))
    check = IntentModel.load(args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB, {len(check.labels)} intents) "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return 0


def _metadata(args: argparse.Namespace, settings: Any) -> dict[str, object]:
    return {
        "bitext": str(args.bitext),
        "split_seed": datasets.SPLIT_SEED,
        "heldout_percent": datasets.HELDOUT_PERCENT,
        "chinese_weight": args.chinese_weight,
        "epochs": settings.epochs,
        "seed": settings.seed,
    }
