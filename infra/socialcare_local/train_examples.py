"""Builds socialcare/knowledge/examples.json: labelled e5 vectors for the article reading of
socialcare/knowledge/examples.py.

    .venv/bin/python -m socialcare_local.train_examples      (make train-examples)

The examples, each labelled with the shipped article that answers it: the Bitext training split
(English; its intent names the article), our Chinese training messages
(socialcare/understand/data/intents_zh_train.jsonl), each help-centre article's title (en and
zh) and its plain question (en and zh: the topic model's questions, and two for the articles
no Bitext topic covers). Nothing held out is used: the held-out Bitext rows and every decision
set stay unseen. Stored centred on their mean, as int8. numpy here, at build time; the file is
read without it. Takes a few minutes (embedding about 4,300 messages); shows progress.
"""

from __future__ import annotations

import base64
import json
import re
import sys

import numpy as np

from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.examples import MODEL, centred
from socialcare.knowledge.topics import SHIPPED_ARTICLE
from socialcare.understand.datasets import DATA, labelled
from socialcare_local.bitext import SPLIT, utterances
from socialcare_local.train_topics import QUESTIONS

# The plain question of the shipped articles that no Bitext topic covers.
MORE_QUESTIONS = {
    "returns-policy": ("How do I return an item?", "怎么退货？"),
    "support-hours": ("When is customer service open?", "客服什么时间上班？"),
}

HELPCENTRE = MODEL.parent / "helpcentre"
_TITLE = re.compile(r"^title: *(.+)$", re.MULTILINE)


def examples() -> list[tuple[str, str]]:
    """(text, article) pairs from the training data only."""
    out = [(u.text, SHIPPED_ARTICLE[u.intent]) for u in utterances("train")]
    out += [(e.text, SHIPPED_ARTICLE[e.intent]) for e in labelled(DATA / "intents_zh_train.jsonl")]
    for lang in ("en", "zh"):
        for path in sorted((HELPCENTRE / lang).glob("*.md")):
            title = _TITLE.search(path.read_text(encoding="utf-8"))
            if title:
                out.append((title.group(1).strip(), path.stem))
    questions = [(SHIPPED_ARTICLE[topic], pair) for topic, pair in sorted(QUESTIONS.items())]
    for article, pair in [*questions, *MORE_QUESTIONS.items()]:
        out += [(question, article) for question in pair]
    return out


def model(pairs: list[tuple[str, str]], vectors: np.ndarray) -> dict[str, object]:
    """The file's content: the mean, the int8 scale, the centred vectors grouped by article."""
    mean = vectors.mean(axis=0)
    moved = vectors - mean
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    scale = round(float(127 / np.abs(moved).max()), 3)
    articles = sorted({article for _, article in pairs})
    rows = {a: [i for i, (_, article) in enumerate(pairs) if article == a] for a in articles}
    mean_list = [float(x) for x in mean.astype(np.float32)]
    order = [i for a in articles for i in rows[a]]
    packed = b"".join(centred(list(vectors[i]), mean_list, scale) for i in order)
    return {
        "about": "socialcare_local.train_examples: Bitext train, Chinese train, titles, questions",
        "split": SPLIT,
        "mean": base64.b64encode(mean.astype(np.float32).tobytes()).decode(),
        "scale": scale,
        "articles": [[a, len(rows[a])] for a in articles],
        "vectors": base64.b64encode(packed).decode(),
    }


def main() -> int:
    engine = E5Engine(packaged_engine()[1])
    pairs = examples()
    embedded: list[list[float]] = []
    for start in range(0, len(pairs), 256):
        embedded.extend(engine.queries([text for text, _ in pairs[start : start + 256]]))
        print(f"embedded {len(embedded)}/{len(pairs)}", file=sys.stderr, flush=True)
    content = model(pairs, np.array(embedded, dtype=np.float64))
    MODEL.write_text(json.dumps(content, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {MODEL} ({len(pairs)} examples)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
