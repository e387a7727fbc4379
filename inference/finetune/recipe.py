"""A fine-tuning recipe: one YAML file with every setting of a run, so a run is repeatable from
its file alone. Relative paths are relative to the repository root (where `make` runs)."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

import yaml


class RecipeError(ValueError):
    """The recipe is not usable; the message names the file and the setting."""


@dataclass(frozen=True)
class ModelSettings:
    base: Path  # a transformers folder (config.json, weights, tokenizer)
    hub_id: str = ""  # the base's Hub id, written into the adapter for TGI's adapter_id
    dtype: str = "auto"  # auto: bfloat16 on a GPU that has it, float32 otherwise
    device: str = "auto"  # auto: cuda when there is one, else cpu


@dataclass(frozen=True)
class DatasetSettings:
    path: Path  # `socialcare dataset ...` output
    tasks: tuple[str, ...] = ("reply", "understand")
    max_examples: int = 0  # 0: all; else a seeded sample of that many
    sources: tuple[str, ...] = ()  # empty: every source in the file


@dataclass(frozen=True)
class LoraSettings:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass(frozen=True)
class TrainingSettings:
    learning_rate: float = 2e-4
    epochs: int = 1
    max_steps: int = 0  # 0: epochs decide
    max_minutes: float = 0.0  # 0: no limit; else training stops after this wall-clock time
    max_length: int = 2048  # longer examples are left out (and counted), never cut
    batch_size: int = 1
    gradient_accumulation: int = 1
    warmup_ratio: float = 0.05
    weight_decay: float = 0.0
    seed: int = 13
    gradient_checkpointing: bool = False  # less GPU memory for a 7-8B model, more time
    threads: int = 0  # CPU threads for torch; 0: torch's default
    log_every: int = 1


@dataclass(frozen=True)
class OutputSettings:
    dir: Path  # adapter/ and merged/ go under it
    metrics: Path | None = None  # default: <dir>/finetune.json
    plot: Path | None = None  # default: <dir>/finetune_loss.png


@dataclass(frozen=True)
class Recipe:
    name: str
    model: ModelSettings
    dataset: DatasetSettings
    lora: LoraSettings
    training: TrainingSettings
    output: OutputSettings

    @property
    def metrics_path(self) -> Path:
        return self.output.metrics or self.output.dir / "finetune.json"

    @property
    def plot_path(self) -> Path:
        return self.output.plot or self.output.dir / "finetune_loss.png"


def load_recipe(path: Path, overrides: dict[str, dict[str, Any]] | None = None) -> Recipe:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RecipeError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: not a mapping of sections")
    for section, values in (overrides or {}).items():
        data[section] = {**(data.get(section) or {}), **values}
    return Recipe(
        name=str(data.get("name") or path.stem),
        model=_section(ModelSettings, data, "model", path),
        dataset=_section(DatasetSettings, data, "dataset", path),
        lora=_section(LoraSettings, data, "lora", path),
        training=_section(TrainingSettings, data, "training", path),
        output=_section(OutputSettings, data, "output", path),
    )


def _section(kind: type[Any], data: dict[str, Any], name: str, path: Path) -> Any:
    values = data.get(name) or {}
    if not isinstance(values, dict):
        raise RecipeError(f"{path}: section {name} is not a mapping of settings")
    known = {f.name: f for f in fields(kind)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise RecipeError(f"{path}: unknown setting(s) {name}.{', '.join(unknown)}")
    required = [f.name for f in known.values() if f.default is MISSING]
    missing = [key for key in required if key not in values]
    if missing:
        raise RecipeError(f"{path}: missing setting(s) {name}.{', '.join(missing)}")
    try:
        return kind(**{key: _convert(str(known[key].type), v) for key, v in values.items()})
    except (TypeError, ValueError) as error:
        raise RecipeError(f"{path}: section {name}: {error}") from error


def _convert(hint: str, value: Any) -> Any:
    """A YAML value as its setting's type (paths, tuples, numbers written as strings)."""
    if value is None:
        return value
    if hint.startswith("Path"):
        return Path(value)
    if hint.startswith("tuple"):
        return tuple(value)
    if hint in ("int", "float"):
        return {"int": int, "float": float}[hint](value)
    return value
