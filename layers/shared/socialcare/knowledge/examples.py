"""Which help-centre article a message asks for, read from its nearest labelled messages.

The e5 vector the search computes for every message (one per message) is compared with the
vectors of labelled messages: the training split of the Bitext utterances (English), our Chinese
training messages, and the help-centre articles' own titles and plain questions, each labelled
with the article that answers it (see infra/socialcare_local/train_examples.py, `make
train-examples`). An article's score is its nearest example's cosine: a colloquial message
("u take paypal?") lies close to some labelled phrasing of its question even when no article
sentence shares its words. e5's vectors all share one direction (any two customer messages
have a cosine of 0.8 or more), so the vectors are compared after removing the examples' mean:
that spreads the cosines (0.35 to 0.87 for the best article) and separates the articles. The
decision (dialogue/confidence.py) answers when this reading and the search agree.
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

from socialcare.knowledge.embeddings import DIM

MODEL = Path(__file__).parent / "examples.json"


@dataclass(frozen=True, slots=True)
class Group:
    article: str
    start: int  # rows [start, end) of the matrix are this article's examples
    end: int


class Examples:
    def __init__(
        self, groups: list[Group], mean: list[float], scale: float, vectors: bytes
    ) -> None:
        self.groups = groups
        self._mean = mean  # the examples' mean vector, removed before comparing
        self._scale = scale  # int8 = round(component x scale), of the centred unit vectors
        self._vectors = vectors  # int8, DIM a row, grouped by article
        self._rows = len(vectors) // DIM

    @classmethod
    def load(cls, path: Path = MODEL) -> Examples:
        data = json.loads(path.read_text(encoding="utf-8"))
        groups, start = [], 0
        for article, count in data["articles"]:
            groups.append(Group(article, start, start + int(count)))
            start += int(count)
        mean = array("f")
        mean.frombytes(base64.b64decode(data["mean"]))
        return cls(groups, mean.tolist(), float(data["scale"]), base64.b64decode(data["vectors"]))

    def vote(self, vector: list[float]) -> tuple[tuple[str, float], ...]:
        """Every article with the cosine of its nearest example to the message, best first."""
        if not self._rows:
            return ()
        query = centred(vector, self._mean, self._scale)
        dots = _dots(query, self._vectors, self._rows)
        scored = [(g.article, max(dots[g.start : g.end]) / self._scale**2) for g in self.groups]
        scored.sort(key=lambda pair: -pair[1])
        return tuple((article, round(score, 4)) for article, score in scored)


def centred(vector: list[float], mean: list[float], scale: float) -> bytes:
    """The vector less the mean, to unit length, as int8 (round(x * scale))."""
    moved = [v - m for v, m in zip(vector, mean, strict=True)]
    norm = math.sqrt(sum(x * x for x in moved)) or 1.0
    return bytes(max(-127, min(127, round(x / norm * scale))) & 0xFF for x in moved)


@cache
def packaged() -> Examples:
    return Examples.load()


def _dots(query: bytes, vectors: bytes, n: int) -> list[float]:
    """The int8 dot products of the query with n vectors."""
    import simsimd

    matrix = memoryview(vectors).cast("b", (n, DIM))
    distances: Any = simsimd.cdist(memoryview(query).cast("b", (1, DIM)), matrix, metric="dot")
    return list(memoryview(distances).cast("B").cast("d"))
