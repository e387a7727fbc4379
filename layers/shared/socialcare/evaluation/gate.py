"""The CI gate of `make eval`: a fixed evaluation fails when a quality figure of a generator
falls below the committed baseline by more than the baseline's relative margin."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialcare.evaluation.summary import QUALITY, figure

DEFAULT_MARGIN = 0.05  # 5% of the baseline's value


@dataclass(frozen=True, slots=True)
class Drop:
    generator: str
    figure: str
    baseline: float
    now: float | None
    floor: float


def baseline_of(results: dict[str, Any], margin: float = DEFAULT_MARGIN) -> dict[str, Any]:
    """What `--save-baseline` writes: each guarded figure of each generator, and the margin."""
    return {
        "margin": margin,
        "settings": results["settings"],
        "figures": {
            name: {
                f"{section}.{key}": figure(summary, section, key)
                for section, key in QUALITY
                if figure(summary, section, key) is not None
            }
            for name, summary in results["generators"].items()
        },
    }


def check(results: dict[str, Any], baseline_file: Path) -> list[Drop]:
    """Every guarded figure that dropped below baseline × (1 − margin)."""
    baseline = json.loads(baseline_file.read_text(encoding="utf-8"))
    margin = float(baseline.get("margin", DEFAULT_MARGIN))
    drops = []
    for name, figures in baseline["figures"].items():
        summary = results["generators"].get(name, {})
        for dotted, value in figures.items():
            section, key = dotted.split(".", 1)
            now = figure(summary, section, key)
            floor = value * (1 - margin)
            if now is None or now < floor:
                drops.append(Drop(name, dotted, value, now, round(floor, 4)))
    return drops
