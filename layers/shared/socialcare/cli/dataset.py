"""`socialcare dataset bitext|conversations --out FILE`: supervised fine-tuning data in chat
format (JSON lines), with the prompts the pipeline sends to the LLM and the reply contract as
the targets; intent and sentiment as auxiliary labelling examples (see learning/datasets.py).

`bitext` reads the development rows of the Bitext CSV (the held-out fifth is never included);
`conversations` reads the resolved conversations of CONVERSATIONS_TABLE (DynamoDB, the caller's
AWS credentials; AWS_ENDPOINT_URL for the local stack) with the human agents' replies.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from socialcare.learning.datasets import (
    DatasetError,
    ExampleBuilder,
    bitext_sources,
    conversation_sources,
    write_jsonl,
)
from socialcare.understand.datasets import BITEXT_CSV


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "dataset", help="build fine-tuning data (chat JSON lines)", description=__doc__
    )
    sources = parser.add_subparsers(dest="source", required=True)
    bitext = sources.add_parser("bitext", help="from the Bitext development split")
    bitext.add_argument(
        "--bitext", type=Path, default=BITEXT_CSV, help="the Bitext CSV (default: %(default)s)"
    )
    conversations = sources.add_parser(
        "conversations", help="from resolved conversations in CONVERSATIONS_TABLE"
    )
    for sub in (bitext, conversations):
        sub.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
        sub.add_argument(
            "--max-input-tokens",
            type=int,
            default=None,
            help="the prompt budget, as the worker's LLM_MAX_INPUT_TOKENS (default: that setting)",
        )
        sub.add_argument(
            "--no-understand",
            action="store_true",
            help="leave out the auxiliary intent and sentiment examples",
        )
        sub.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from socialcare import bootstrap
    from socialcare.generate.brand import load_brand_policy
    from socialcare.understand.intents import shipped_model

    config = bootstrap.settings()
    builder = ExampleBuilder(
        bootstrap.retriever(),
        load_brand_policy(config.brand_policy_file),
        shipped_model().labels,
        max_input_tokens=args.max_input_tokens or config.llm_max_input_tokens,
        understanding=not args.no_understand,
    )
    try:
        if args.source == "bitext":
            examples = builder.examples(bitext_sources(args.bitext, builder), "bitext")
        else:
            stored = bootstrap.conversations().scan()
            examples = builder.examples(conversation_sources(stored, builder), "conversations")
        written = write_jsonl(_with_progress(examples), args.out)
    except (DatasetError, OSError) as error:
        print(f"\nsocialcare dataset: {error}", file=sys.stderr)
        return 1
    counts = builder.counts
    print(
        f"\nwrote {written} examples to {args.out}: {counts.reply_examples} replies, "
        f"{counts.understand_examples} intent/sentiment labels; read {counts.rows} "
        f"{'rows' if args.source == 'bitext' else 'conversations'}, left out "
        f"{counts.heldout} held-out rows, {counts.unanswerable} messages the pipeline "
        f"would answer without the LLM and {counts.unsupported} replies the passages do not "
        "support",
        file=sys.stderr,
    )
    return 0


def _with_progress(examples: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    started = time.perf_counter()
    for done, example in enumerate(examples, start=1):
        if done % 50 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"\r  {done} examples, {rate:.0f}/s", end="", file=sys.stderr)
        yield example
