"""Builds the risk examples' vectors (socialcare/understand/data/risk_vectors.json) and reports
how well the nearest-example rule generalises.

    .venv/bin/python -m socialcare_local.train_risk [--dev tests/data/decisions_dev.jsonl]

Embeds understand/data/risk_train.jsonl with the search's own e5 engine (a minute), writes the
vectors as int8 with the rule (k, threshold, margin) the worker applies, and prints the rule's
leave-one-out recall and false-alarm rate on the examples (each example judged by all the
others: the honest estimate on messages never seen) and, with --dev, on a decision set's
handoff and other messages (the set the threshold was chosen on).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

import numpy as np

from socialcare.knowledge.embeddings import DIM, SCALE, E5Engine, packaged_engine, quantize
from socialcare.knowledge.tokens import MAX_QUERY_CHARS
from socialcare.understand.risk import find_risk
from socialcare.understand.risk_exemplars import ORDINARY, VECTORS, Rule, exemplars

# Chosen on tests/data/decisions_dev.jsonl, with the word lists (docs/decisions.md).
RULE = Rule(k=3, threshold=0.86, margin=0.005)
MARGINS = (0.0, 0.005, 0.01, 0.015)  # reported, to show the trade-off


def predict(similarities: np.ndarray, labels: np.ndarray, rule: Rule) -> np.ndarray:
    """The rule of understand/risk_exemplars.py on rows of cosines to the examples."""
    names = sorted(set(labels.tolist()) - {ORDINARY})
    top = {
        name: np.sort(similarities[:, labels == name], axis=1)[:, ::-1][:, : rule.k].mean(axis=1)
        for name in [*names, ORDINARY]
    }
    risks = np.stack([top[name] for name in names], axis=1)
    best = risks.max(axis=1)
    sure = (best >= rule.threshold) & (best - top[ORDINARY] >= rule.margin)
    return np.where(sure, np.array(names)[risks.argmax(axis=1)], ORDINARY)


def figures(predicted: np.ndarray, truth: np.ndarray) -> str:
    risky = truth != ORDINARY
    recall = float((predicted[risky] != ORDINARY).mean())
    reason = float((predicted[risky] == truth[risky]).mean())
    alarms = float((predicted[~risky] != ORDINARY).mean())
    return (
        f"recall {recall:.3f} (right reason {reason:.3f}) of {int(risky.sum())}, "
        f"false alarms {alarms:.3f} of {int((~risky).sum())}"
    )


def report(rows: list[dict[str, str]], vectors: np.ndarray, labels: np.ndarray) -> None:
    """The rule with each example left out (by margin, and by language for the chosen one); the
    word lists (written with the examples in view, so a training figure); either of them."""
    similarities = vectors @ vectors.T
    np.fill_diagonal(similarities, -1.0)
    for margin in MARGINS:
        rule = Rule(RULE.k, RULE.threshold, margin)
        loo = figures(predict(similarities, labels, rule), labels)
        print(f"leave-one-out on the examples, margin {margin}: {loo}")
    predicted = predict(similarities, labels, RULE)
    languages = np.array([r["lang"] for r in rows])
    for lang in ("en", "zh"):
        mine = languages == lang
        print(f"  {lang}:", figures(predicted[mine], labels[mine]))
    others = ~np.isin(languages, ["en", "zh"])
    print("  es/fr/de/pt/ja/ko:", figures(predicted[others], labels[others]))
    found = np.array([str(find_risk(r["text"]) or ORDINARY) for r in rows])
    print("the word lists on the examples:", figures(found, labels))
    either = np.where(found != ORDINARY, found, predicted)
    print("either:", figures(either, labels))


def embed(engine: E5Engine, texts: list[str]) -> np.ndarray:
    """As the search embeds a message (knowledge/query.py: plan_query)."""
    cleaned = [" ".join(t[:MAX_QUERY_CHARS].split()) for t in texts]
    return np.array(engine.queries(cleaned), dtype=np.float32)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, help="a decision set to report the rule on")
    args = parser.parse_args()
    engine = E5Engine(packaged_engine()[1])
    rows = exemplars()
    labels = np.array([r["label"] for r in rows])
    print(f"embedding {len(rows)} examples", file=sys.stderr)
    vectors = embed(engine, [r["text"] for r in rows])
    blob = b"".join(quantize(v.tolist()) for v in vectors)
    model = {"k": RULE.k, "threshold": RULE.threshold, "margin": RULE.margin}
    model |= {"labels": labels.tolist(), "vectors": base64.b64encode(blob).decode()}
    VECTORS.write_text(json.dumps(model) + "\n", encoding="utf-8")
    print(f"wrote {VECTORS}", file=sys.stderr)
    vectors = np.frombuffer(blob, dtype=np.int8).reshape(-1, DIM) / SCALE  # what the worker reads
    report(rows, vectors, labels)
    if args.dev:
        lines = args.dev.read_text(encoding="utf-8").splitlines()
        dev = [json.loads(line) for line in lines if line.strip()]
        truth = np.array(
            [(d.get("reason") or ORDINARY) if d["outcome"] == "handoff" else ORDINARY for d in dev]
        )
        similarities = embed(engine, [d["text"] for d in dev]) @ vectors.T
        for margin in MARGINS:
            predicted = predict(similarities, labels, Rule(RULE.k, RULE.threshold, margin))
            print(f"{args.dev}, the rule alone, margin {margin}:", figures(predicted, truth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
