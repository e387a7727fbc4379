"""Measuring the understanding on labelled data: one function per part, each returning a
`Score` (what was right out of how many) and the details worth printing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from socialcare.understand.datasets import Example, jsonl
from socialcare.understand.entities import find_entities
from socialcare.understand.intents import IntentModel
from socialcare.understand.language import detect_language
from socialcare.understand.pii import find_personal_data
from socialcare.understand.sentiment import sentiment

# Bitext's entity types, as the understanding names them.
BITEXT_ENTITY_TYPES = {
    "order_id": "order_number",
    "invoice_id": "invoice_number",
    "refund_amount": "amount",
    "account_type": "account_type",
    "person_name": "person_name",
    "delivery_city": "city",
    "delivery_country": "country",
}
SHORT_MESSAGE = 40  # characters: the language figure is about messages shorter than this


@dataclass
class Score:
    name: str
    value: float
    count: int
    note: str = ""
    mistakes: list[str] = field(default_factory=list)


def intent_accuracy(
    name: str, examples: list[Example], model: IntentModel, confusion: Counter[tuple[str, str]]
) -> Score:
    """Share of messages whose intent is right; adds (truth, predicted) pairs to `confusion`."""
    right = 0
    mistakes = []
    for example in examples:
        predicted = model.classify(example.text).name
        confusion[(example.intent, predicted)] += 1
        if predicted == example.intent:
            right += 1
        else:
            mistakes.append(f"{example.text!r}: {example.intent} -> {predicted}")
    return Score(name, right / max(len(examples), 1), len(examples), mistakes=mistakes)


def entity_f1(examples: list[Example]) -> Score:
    """F1 of (type, start, end) against the Bitext spans, over the types Bitext annotates (a date
    Bitext does not mark is not held against us; an amount it leaves unmarked is)."""
    kinds = set(BITEXT_ENTITY_TYPES.values())
    true_pos = false_pos = false_neg = 0
    mistakes = []
    for example in examples:
        gold = {(BITEXT_ENTITY_TYPES.get(s.type, s.type), s.start, s.end) for s in example.spans}
        found = {(e.type, e.start, e.end) for e in find_entities(example.text) if e.type in kinds}
        true_pos += len(gold & found)
        false_pos += len(found - gold)
        false_neg += len(gold - found)
        if gold != found:
            mistakes.append(f"{example.text!r}: expected {sorted(gold)}, found {sorted(found)}")
    precision = true_pos / max(true_pos + false_pos, 1)
    recall = true_pos / max(true_pos + false_neg, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    note = f"precision {precision:.3f}, recall {recall:.3f}, {true_pos + false_neg} spans"
    return Score("entities_f1_bitext", f1, len(examples), note, mistakes)


def language_accuracy(path: Path) -> Score:
    rows = [r for r in jsonl(path) if len(r["text"]) < SHORT_MESSAGE]
    mistakes = [
        f"{r['text']!r}: {r['language']} -> {got}"
        for r in rows
        if (got := detect_language(r["text"])) != r["language"]
    ]
    value = 1 - len(mistakes) / max(len(rows), 1)
    return Score("language_short_messages", value, len(rows), mistakes=mistakes)


def sentiment_agreement(path: Path) -> Score:
    rows = list(jsonl(path))
    mistakes = [
        f"{r['text']!r}: {r['label']} -> {got}"
        for r in rows
        if (got := sentiment(r["text"]).label) != r["label"]
    ]
    languages = Counter(r.get("language", "?") for r in rows)
    note = ", ".join(f"{n} {lang}" for lang, n in sorted(languages.items()))
    value = 1 - len(mistakes) / max(len(rows), 1)
    return Score("sentiment_agreement", value, len(rows), note, mistakes)


def personal_data(path: Path, name: str = "pii") -> tuple[Score, Score]:
    """Recall of the expected personal data ({"type", "value"} each found with its type and
    exact extent), and false positives on the line's "keep" values (order and tracking numbers),
    named `{name}_recall` and `{name}_false_positives_on_references`."""
    expected = found = kept_total = wrongly_taken = 0
    missed, taken = [], []
    for row in jsonl(path):
        text = row["text"]
        spans = find_personal_data(text, row.get("names", ()))
        got = {(p.type, text[p.start : p.end]) for p in spans}
        for item in row.get("pii", ()):
            expected += 1
            if (item["type"], item["value"]) in got:
                found += 1
            else:
                missed.append(f"{text!r}: {item['type']} {item['value']!r} not found in {got}")
        for keep in row.get("keep", ()):
            kept_total += 1
            start = text.find(keep)
            if any(p.start < start + len(keep) and start < p.end for p in spans):
                wrongly_taken += 1
                taken.append(f"{text!r}: {keep!r} taken for personal data")
    recall = Score(f"{name}_recall", found / max(expected, 1), expected, mistakes=missed)
    false_positive = Score(
        f"{name}_false_positives_on_references",
        wrongly_taken,
        kept_total,
        "order/tracking numbers wrongly redacted (target 0)",
        taken,
    )
    return recall, false_positive


def confusion_plot(confusion: Counter[tuple[str, str]], labels: Iterable[str], path: Path) -> None:
    """The intent confusion matrix as a PNG: rows are the truth, columns the prediction, each
    row as shares of its messages."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(labels)
    index = {n: i for i, n in enumerate(names)}
    grid = [[0.0] * len(names) for _ in names]
    for (truth, predicted), n in confusion.items():
        if truth in index and predicted in index:
            grid[index[truth]][index[predicted]] += n
    for row in grid:
        total = sum(row) or 1.0
        row[:] = [v / total for v in row]
    figure, axes = plt.subplots(figsize=(12, 11))
    image = axes.imshow(grid, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(names)), names, rotation=90, fontsize=8)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_xlabel("predicted intent")
    axes.set_ylabel("true intent")
    axes.set_title(
        "Intent confusion (English held-out + Chinese + out-of-scope), share of each row"
    )
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            if value >= 0.01 and i != j:
                axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6, color="red")
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
