"""The intent of a message: one of the 27 customer-care intents of the Bitext data, or `other`.

A linear model over `features.features`, trained by `socialcare train-intents` and shipped as one
small file (int8 weights, one scale per intent). Reading it needs only the standard library, so
the worker Lambda carries no numpy, scikit-learn or torch; it is loaded once per container.
"""

from __future__ import annotations

import json
import math
import struct
from array import array
from dataclasses import dataclass
from functools import cache
from operator import add
from pathlib import Path

from socialcare.understand.features import features

MODEL_FILE = Path(__file__).parent / "data" / "intent_model.bin"
MAGIC = b"SCIM1\n"
OTHER = "other"


class IntentModelUnreadable(ValueError):
    """The model file is not one that `socialcare train-intents` wrote."""


@dataclass(frozen=True, slots=True)
class Intent:
    name: str
    confidence: float


class IntentModel:
    def __init__(
        self,
        labels: list[str],
        vocabulary: list[str],
        weights: array[int],
        *,
        scales: list[float],
        bias: list[float],
        min_confidence: float,
    ) -> None:
        self.labels = labels
        self._index = {feature: row for row, feature in enumerate(vocabulary)}
        self._weights = weights
        self._scales = scales
        self._bias = bias
        self.min_confidence = min_confidence

    def probabilities(self, text: str) -> list[float]:
        """P(intent | text) for each of `labels`."""
        width = len(self.labels)
        rows = [self._index[f] for f in features(text) if f in self._index]
        if not rows:
            return [1.0 if label == OTHER else 0.0 for label in self.labels]
        total = [0] * width
        for row in rows:
            total = list(map(add, total, self._weights[row * width : (row + 1) * width]))
        norm = 1.0 / math.sqrt(len(rows))
        logits = [t * s * norm + b for t, s, b in zip(total, self._scales, self._bias, strict=True)]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        z = sum(exps)
        return [e / z for e in exps]

    def classify(self, text: str) -> Intent:
        probabilities = self.probabilities(text)
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        confidence = probabilities[best]
        if confidence < self.min_confidence and self.labels[best] != OTHER:
            # No intent stands out: the message is about something else, as sure as none fits.
            return Intent(OTHER, round(1.0 - confidence, 4))
        return Intent(self.labels[best], round(confidence, 4))

    def to_bytes(self, metadata: dict[str, object]) -> bytes:
        header = json.dumps(
            {
                "labels": self.labels,
                "vocabulary": list(self._index),
                "scales": self._scales,
                "bias": self._bias,
                "min_confidence": self.min_confidence,
                "metadata": metadata,
            },
            ensure_ascii=False,
        ).encode()
        return MAGIC + struct.pack("<I", len(header)) + header + self._weights.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
            raise IntentModelUnreadable("not an intent model file")
        (size,) = struct.unpack_from("<I", data, len(MAGIC))
        start = len(MAGIC) + 4
        header = json.loads(data[start : start + size])
        weights = array("b")
        weights.frombytes(data[start + size :])
        if len(weights) != len(header["vocabulary"]) * len(header["labels"]):
            raise IntentModelUnreadable("weights do not match the vocabulary")
        return cls(
            header["labels"],
            header["vocabulary"],
            weights,
            scales=header["scales"],
            bias=header["bias"],
            min_confidence=header["min_confidence"],
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> IntentModel:
        return cls.from_bytes(path.read_bytes())


@cache
def shipped_model() -> IntentModel:
    """The model in the package, loaded on first use and kept for the warm container."""
    return IntentModel.load()
