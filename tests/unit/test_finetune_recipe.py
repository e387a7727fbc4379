"""`python -m inference.finetune` refuses a recipe it cannot run, saying which setting or file
is wrong, before it loads any model; the shipped recipes load as written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inference.finetune.recipe import load_recipe

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "inference" / "finetune" / "recipes"


def _finetune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inference.finetune", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("recipe", "expected"),
    [
        ("model: {base: .}\ndataset: {path: x.jsonl}\nlora: {rank: 8}\n", "lora.rank"),
        ("model: {base: .}\ndataset: {path: x.jsonl}\n", "missing setting(s) output.dir"),
        ("- not\n- a mapping\n", "not a mapping"),
        (
            "model: {base: /nowhere/model}\ndataset: {path: x.jsonl}\noutput: {dir: out}\n",
            "/nowhere/model is not a transformers folder",
        ),
    ],
)
def test_a_recipe_that_cannot_run_is_refused_naming_the_setting(
    tmp_path: Path, recipe: str, expected: str
) -> None:
    path = tmp_path / "recipe.yaml"
    path.write_text(recipe, encoding="utf-8")

    result = _finetune("--recipe", str(path))

    assert result.returncode == 2
    assert expected in result.stderr


def test_a_missing_dataset_says_how_to_build_it(tmp_path: Path) -> None:
    """GIVEN a recipe whose base model exists but whose dataset was never built WHEN it runs
    THEN it stops at once and names the `socialcare dataset` command."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "config.json").write_text("{}", encoding="utf-8")
    path = tmp_path / "recipe.yaml"
    path.write_text(
        f"model: {{base: {base}}}\ndataset: {{path: {tmp_path}/none.jsonl}}\n"
        f"output: {{dir: {tmp_path}/out}}\n",
        encoding="utf-8",
    )

    result = _finetune("--recipe", str(path), "--set", "training.max_steps=3")

    assert result.returncode == 2
    assert "none.jsonl does not exist" in result.stderr
    assert "socialcare dataset bitext" in result.stderr


def test_the_shipped_recipes_load_with_their_outputs_outside_the_repository() -> None:
    """GIVEN the shipped recipes THEN each loads, trains LoRA on the assistant's replies and
    labels, and writes its weights outside the git tree (weights never go into git)."""
    recipes = [load_recipe(path) for path in sorted(RECIPES.glob("*.yaml"))]
    assert {r.name for r in recipes} == {"smollm2-bitext", "qwen2.5-7b-bitext"}
    for recipe in recipes:
        assert recipe.dataset.tasks == ("reply", "understand")
        assert not recipe.output.dir.resolve().is_relative_to(ROOT)
        assert recipe.model.hub_id
