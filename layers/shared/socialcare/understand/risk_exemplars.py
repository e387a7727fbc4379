"""Risk read in what a message means, not in its words: the message's e5 vector (the one the
search already computed, `knowledge.port.Probe.vector`) against written examples of each risk
reason and of ordinary messages (understand/data/risk_train.jsonl, built into
risk_vectors.json by `make train-risk`). A reason is found when its nearest examples are close
enough (the mean cosine of its `k` nearest reaches `threshold`) and closer than the nearest
ordinary messages by `margin`. OR'ed with the word lists of understand/risk.py, which catch the
plain words whatever the embedding says.
"""

from __future__ import annotations

import base64
import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socialcare.knowledge.embeddings import DIM, SCALE
from socialcare.knowledge.topics import _dots, _matrix
from socialcare.understand.risk import Risk

DATA = Path(__file__).parent / "data"
EXEMPLARS = DATA / "risk_train.jsonl"  # {"lang", "text", "label"}: a Risk value or "none"
VECTORS = DATA / "risk_vectors.json"
ORDINARY = "none"


@dataclass(frozen=True, slots=True)
class Rule:
    k: int  # a label's score: the mean cosine of its k nearest examples
    threshold: float  # a risk's score must reach this
    margin: float  # and beat the ordinary messages' score by this


class RiskExemplars:
    def __init__(self, labels: Sequence[str], vectors: Sequence[array], rule: Rule) -> None:  # type: ignore[type-arg]
        self.rule = rule
        self._labels = list(labels)
        self._matrix = _matrix(list(vectors))

    @classmethod
    def load(cls, path: Path = VECTORS) -> RiskExemplars:
        data = json.loads(path.read_text(encoding="utf-8"))
        int8 = memoryview(base64.b64decode(data["vectors"])).cast("b")
        vectors = [
            array("f", (v / SCALE for v in int8[i : i + DIM])) for i in range(0, len(int8), DIM)
        ]
        rule = Rule(int(data["k"]), float(data["threshold"]), float(data["margin"]))
        return cls(data["labels"], vectors, rule)

    def scores(self, vector: Sequence[float]) -> dict[str, float]:
        """Each label's score: the mean cosine of its k examples nearest the message."""
        by_label: dict[str, list[float]] = {}
        for label, similarity in zip(self._labels, _dots(self._matrix, list(vector)), strict=True):
            by_label.setdefault(label, []).append(similarity)
        k = self.rule.k
        return {
            label: sum(sorted(s, reverse=True)[:k]) / min(k, len(s))
            for label, s in by_label.items()
        }

    def risk(self, vector: Sequence[float]) -> Risk | None:
        """The risk whose examples the message is nearest, when near enough (None: none)."""
        if len(vector) != DIM:
            return None
        scores = self.scores(vector)
        ordinary = scores.pop(ORDINARY, -1.0)
        label, best = max(scores.items(), key=lambda item: item[1])
        sure = best >= self.rule.threshold and best - ordinary >= self.rule.margin
        return Risk(label) if sure else None


@cache
def packaged() -> RiskExemplars:
    return RiskExemplars.load()


def similar_risk(vector: Sequence[float]) -> Risk | None:
    """The packaged examples' reading of a message's e5 vector (None: no risk, or no vector)."""
    return packaged().risk(vector) if vector else None


def exemplars(path: Path = EXEMPLARS) -> list[dict[str, Any]]:
    """The written examples: {"lang", "text", "label"}."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
