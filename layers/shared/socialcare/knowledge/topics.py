"""What a customer message is about, learned from customer messages, to widen the query.

Customers rarely use a help centre's words ("I want to earn several articles" is an order;
"rebatingg $12" a refund). A linear classifier over the message's e5 vector, trained on the
development split of the Bitext customer-support utterances (English) and Chinese
counterparts (see infra/socialcare_local/train_topics.py), names the topic; when it is sure,
the topic's plain question ("How do I place an order?") joins the query: its vector is added to
the message's, its words to the lexical terms. The help centre itself is never seen in training,
so any help centre covering these topics gains; a message about anything else is left as is.
"""

from __future__ import annotations

import base64
import json
import math
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

MODEL = Path(__file__).parent / "topics.json"


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    questions: dict[str, str]  # language -> the plain question
    vectors: dict[str, array]  # type: ignore[type-arg]  # language -> e5 vector of the question
    centroids: dict[str, array]  # type: ignore[type-arg]  # language -> mean training message
    weights: array  # type: ignore[type-arg]
    bias: float


@dataclass(frozen=True, slots=True)
class Expansion:
    topic: str
    probability: float
    question: str
    vector: list[float]


class Topics:
    def __init__(
        self, topics: list[Topic], scale: float, threshold: float, min_similarity: float
    ) -> None:
        self.topics = topics
        self._scale = scale
        self.threshold = threshold
        self.min_similarity = min_similarity
        # Float32 matrices, so that a query takes two dot-product calls rather than 108 sums.
        references = [v for t in topics for v in (*t.vectors.values(), *t.centroids.values())]
        self._references = _matrix(references)
        self._weights = _matrix([t.weights for t in topics])
        self._biases = [t.bias for t in topics]

    @classmethod
    def load(cls, path: Path = MODEL) -> Topics:
        data = json.loads(path.read_text(encoding="utf-8"))
        topics = [
            Topic(
                t["name"],
                t["questions"],
                {lang: _floats(v) for lang, v in t["vectors"].items()},
                {lang: _floats(v) for lang, v in t["centroids"].items()},
                _floats(t["weights"]),
                float(t["bias"]),
            )
            for t in data["topics"]
        ]
        return cls(
            topics, float(data["scale"]), float(data["threshold"]), float(data["min_similarity"])
        )

    def classify(self, vector: list[float]) -> list[tuple[float, Topic]]:
        """Each topic with its probability, most likely first."""
        dots = _dots(self._weights, vector)
        logits = [self._scale * d + b for d, b in zip(dots, self._biases, strict=True)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        ranked = sorted(
            zip((e / total for e in exps), self.topics, strict=True), key=lambda p: -p[0]
        )
        return ranked

    def expand(self, vector: list[float], lang: str) -> Expansion | None:
        """The likeliest topic's question, if the message is near some topic at all (a classifier
        always names a topic, even for "asdkjh" or "what's the capital of France"; closeness to
        a topic's question or typical message tells a customer-care message from anything else)
        and the classifier is sure enough of the topic."""
        nearest = max(_dots(self._references, vector))
        if nearest < self.min_similarity:
            return None
        probability, topic = self.classify(vector)[0]
        if probability < self.threshold:
            return None
        lang = lang if lang in topic.questions else "en"
        return Expansion(topic.name, probability, topic.questions[lang], list(topic.vectors[lang]))


@cache
def packaged() -> Topics:
    return Topics.load()


def _floats(encoded: str) -> array:  # type: ignore[type-arg]
    values = array("f")
    values.frombytes(base64.b64decode(encoded))
    return values


def _matrix(rows: list[array]) -> Any:  # type: ignore[type-arg]
    """The rows as one float32 matrix (a 2-D memoryview)."""
    data = b"".join(r.tobytes() for r in rows)
    return memoryview(data).cast("f", (len(rows), len(rows[0]) if rows else 0))


def _dots(matrix: Any, vector: list[float]) -> list[float]:
    """The dot product of the vector with every row of the matrix."""
    import simsimd

    if not matrix.shape[0]:
        return []
    query: Any = memoryview(array("f", vector).tobytes()).cast("f", (1, len(vector)))
    distances: Any = simsimd.cdist(query, matrix, metric="dot")
    out = array("d")
    out.frombytes(memoryview(distances).cast("B"))
    return out.tolist()
