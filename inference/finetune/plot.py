"""The loss curve of a run, per step and smoothed, written to a PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def plot_loss(log: list[dict[str, float]], path: Path, title: str) -> None:
    steps = [e["step"] for e in log]
    losses = [e["loss"] for e in log]
    window = min(
        len(losses), max(5, len(losses) // 20)
    )  # steps mix tasks: the mean shows the trend
    smoothed = [
        sum(losses[max(0, i - window + 1) : i + 1]) / len(losses[max(0, i - window + 1) : i + 1])
        for i in range(len(losses))
    ]
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot(steps, losses, color="#9bb8d3", linewidth=1, label="per step")
    axes.plot(steps, smoothed, color="#1f4e79", linewidth=2, label=f"mean of {window} steps")
    axes.set_xlabel("optimizer step")
    axes.set_ylabel("cross-entropy on the assistant's tokens")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
