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

from socialcare.knowledge import examples as labelled
from socialcare.knowledge.examples import Examples

MODEL = Path(__file__).parent / "topics.json"

# Which article of the shipped help centre answers each topic (the same id in English and
# Chinese): the decision trusts an article more when the topic model names it.
SHIPPED_ARTICLE = {
    "cancel_order": "cancel-order",
    "check_cancellation_fee": "cancellation-fee",
    "change_order": "change-order",
    "change_shipping_address": "change-shipping-address",
    "complaint": "complaint",
    "contact_customer_service": "contact-customer-service",
    "contact_human_agent": "contact-human-agent",
    "create_account": "create-account",
    "delete_account": "delete-account",
    "delivery_options": "delivery-options",
    "delivery_period": "delivery-time",
    "edit_account": "edit-account",
    "get_refund": "get-refund",
    "check_invoice": "invoice",
    "get_invoice": "invoice",
    "newsletter_subscription": "newsletter",
    "payment_issue": "payment-issue",
    "check_payment_methods": "payment-methods",
    "place_order": "place-order",
    "recover_password": "recover-password",
    "check_refund_policy": "refund-policy",
    "registration_problems": "registration-problems",
    "review": "review-feedback",
    "set_up_shipping_address": "set-up-shipping-address",
    "switch_account": "switch-account",
    "track_order": "track-order",
    "track_refund": "track-refund",
}


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


@dataclass(frozen=True, slots=True)
class Reading:
    """What the message's e5 vector says of its topic: the likeliest topics with their
    probabilities, and how close the message is to any topic at all (cosine to the nearest
    anchor: a topic's question or its typical English or Chinese message)."""

    ranked: tuple[tuple[str, float], ...]  # (topic, probability), most likely first
    nearest: float
    # every (article, cosine of its nearest labelled example), nearest first: knowledge/examples.py
    articles: tuple[tuple[str, float], ...] = ()

    @property
    def topic(self) -> str:
        return self.ranked[0][0] if self.ranked else ""

    @property
    def probability(self) -> float:
        return self.ranked[0][1] if self.ranked else 0.0


class Topics:
    def __init__(
        self,
        topics: list[Topic],
        scale: float,
        threshold: float,
        min_similarity: float,
        examples: Examples | None = None,
    ) -> None:
        self.topics = topics
        self._examples = examples
        self._scale = scale
        self.threshold = threshold
        self.min_similarity = min_similarity
        # Float32 matrices, so that a query takes two dot-product calls rather than 108 sums.
        references = [v for t in topics for v in (*t.vectors.values(), *t.centroids.values())]
        self._references = _matrix(references)
        self._weights = _matrix([t.weights for t in topics])
        self._biases = [t.bias for t in topics]
        self._by_name = {t.name: t for t in topics}

    @classmethod
    def load(cls, path: Path = MODEL, examples: Examples | None = None) -> Topics:
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
            topics,
            float(data["scale"]),
            float(data["threshold"]),
            float(data["min_similarity"]),
            examples,
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

    def read(self, vector: list[float], top: int = 3) -> Reading:
        ranked = tuple((t.name, p) for p, t in self.classify(vector)[:top])
        articles = self._examples.vote(vector) if self._examples else ()
        return Reading(ranked, max(_dots(self._references, vector), default=0.0), articles)

    def expansion(self, reading: Reading, lang: str) -> Expansion | None:
        """The likeliest topic's question, if the message is near some topic at all (a classifier
        always names a topic, even for "asdkjh" or "what's the capital of France"; closeness to
        a topic's question or typical message tells a customer-care message from anything else)
        and the classifier is sure enough of the topic."""
        if reading.nearest < self.min_similarity or reading.probability < self.threshold:
            return None
        topic = self._by_name[reading.topic]
        lang = lang if lang in topic.questions else "en"
        return Expansion(
            topic.name, reading.probability, topic.questions[lang], list(topic.vectors[lang])
        )


@cache
def packaged() -> Topics:
    """The shipped topic model, with the shipped labelled examples' article reading."""
    return Topics.load(examples=labelled.packaged())


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
