"""The evaluation's report: Markdown and HTML tables beside two plots (the figures of each
generator side by side; the latency distribution of each)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from socialcare.evaluation.harness import Outcome

BARS = (  # (label, section, name, scale to 0-1)
    ("BLEU/100", "reply", "bleu", 100),
    ("chrF/100", "reply", "chrf", 100),
    ("ROUGE-1", "reply", "rouge1", 1),
    ("ROUGE-L", "reply", "rougeL", 1),
    ("METEOR", "reply", "meteor", 1),
    ("raw BLEU/100", "raw", "bleu", 100),
    ("raw ROUGE-L", "raw", "rougeL", 1),
    ("intent", "pipeline", "intent_accuracy", 1),
    ("retrieval hit", "pipeline", "retrieval_hit_rate", 1),
    ("grounded", "pipeline", "groundedness", 1),
    ("raw grounded", "pipeline", "raw_groundedness", 1),
    ("language", "pipeline", "language_match", 1),
    ("handoff", "pipeline", "handoff_rate", 1),
)


def rows(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(figure, one value per generator), as the tables show them."""
    generators = results["generators"]
    names = list(generators)

    def each(section: str, key: str, fmt: str = "{:.4f}") -> list[str]:
        values = [generators[n].get(section, {}).get(key) for n in names]
        return ["–" if v is None else fmt.format(v) for v in values]

    table = [("messages", [str(generators[n]["messages"]) for n in names])]
    for section, label in (("reply", "reply sent"), ("raw", "generator's raw output")):
        for key, name in (
            ("bleu", "BLEU"),
            ("chrf", "chrF"),
            ("rouge1", "ROUGE-1"),
            ("rouge2", "ROUGE-2"),
            ("rougeL", "ROUGE-L"),
            ("meteor", "METEOR"),
        ):
            table.append((f"{name} ({label})", each(section, key)))
    for key, name in (
        ("intent_accuracy", "intent accuracy"),
        ("retrieval_hit_rate", "retrieval hit rate"),
        ("citation_hit_rate", "citation hit rate"),
        ("groundedness", "grounded (reply sent)"),
        ("raw_groundedness", "grounded (raw output, guards)"),
        ("language_match", "language match (reply sent)"),
        ("raw_language_match", "language match (raw output)"),
        ("handoff_rate", "handoff rate"),
    ):
        table.append((name, each("pipeline", key)))
    for q in ("p50", "p95", "p99"):
        table.append((f"latency {q} (ms)", each("latency_ms", q, "{:.1f}")))
    table.append(("tokens per reply", [f"{generators[n]['tokens_per_reply']:.1f}" for n in names]))
    for key, name in (
        ("aws_stack", "cost / 1,000: AWS stack (USD)"),
        ("total_with_api", "cost / 1,000 with a per-token LLM API (USD)"),
        ("total_with_sagemaker", "cost / 1,000 with a SageMaker instance (USD)"),
    ):
        table.append((name, each("cost_per_1000_conversations_usd", key, "{:.4f}")))
    return table


def write(results: dict[str, Any], outcomes: Sequence[Outcome], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    figures = folder / "figures.png"
    latency = folder / "latency.png"
    plot_figures(results, figures)
    plot_latency(outcomes, list(results["generators"]), latency)
    names = list(results["generators"])
    notes = _notes(results)
    table = rows(results)
    markdown = [
        "# Response evaluation",
        "",
        *notes,
        "",
        "| figure | " + " | ".join(names) + " |",
        "| --- |" + " ---: |" * len(names),
        *(f"| {label} | " + " | ".join(values) + " |" for label, values in table),
        "",
        f"![figures]({figures.name})",
        "",
        f"![latency]({latency.name})",
        "",
    ]
    (folder / "report.md").write_text("\n".join(markdown), encoding="utf-8")
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join(
        f"<tr><td>{html.escape(label)}</td>"
        + "".join(f"<td>{html.escape(v)}</td>" for v in values)
        + "</tr>"
        for label, values in table
    )
    page = (
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Response evaluation</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;"
        "border-bottom:1px solid #ddd}td+td{text-align:right}</style>"
        "<h1>Response evaluation</h1>"
        + "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        + f"<table><tr><th>figure</th>{head}</tr>{body}</table>"
        f"<p><img src='{figures.name}' alt='figures'></p>"
        f"<p><img src='{latency.name}' alt='latency'></p></html>\n"
    )
    (folder / "report.html").write_text(page, encoding="utf-8")
    return [folder / "report.md", folder / "report.html", figures, latency]


def _notes(results: dict[str, Any]) -> list[str]:
    notes = [
        f"Data: {results['data']} ({results['messages']} messages). METEOR matching: "
        f"{results['meteor_matching']}. Tokens per reply: {results['tokens_counted_by']}.",
    ]
    ppl = results.get("perplexity")
    if ppl:
        notes.append(
            f"Perplexity of the reference answers under {ppl['model']}: {ppl['perplexity']} "
            f"({ppl['tokens']} tokens)."
        )
    notes.append(
        "Raw output: what the generator wrote before the guards (for the extractive generator, "
        "and for messages no LLM wrote for, the reply itself). Costs: see prices.json."
    )
    return notes


def plot_figures(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    generators = results["generators"]
    names = list(generators)
    width = 0.8 / max(1, len(names))
    figure, axes = plt.subplots(figsize=(13, 4.8))
    for i, name in enumerate(names):
        values = [
            (generators[name].get(section, {}).get(key) or 0.0) / scale
            for _, section, key, scale in BARS
        ]
        positions = [b + i * width for b in range(len(BARS))]
        axes.bar(positions, values, width, label=name)
    axes.set_xticks([b + width * (len(names) - 1) / 2 for b in range(len(BARS))])
    axes.set_xticklabels([label for label, *_ in BARS], rotation=30, ha="right")
    axes.set_ylim(0, 1)
    axes.set_ylabel("share / score (0-1)")
    data = Path(results["data"]).name
    axes.set_title(f"Each generator on {results['messages']} messages of {data}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_latency(outcomes: Sequence[Outcome], names: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    for name in names:
        ms = sorted(o.ms for o in outcomes if o.generator == name)
        if ms:
            axes.step(ms, [(i + 1) / len(ms) for i in range(len(ms))], where="post", label=name)
    axes.set_xscale("log")
    axes.set_xlabel("time to a reply (ms, log scale)")
    axes.set_ylabel("share of messages answered within")
    axes.set_title("Latency distribution per generator")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
