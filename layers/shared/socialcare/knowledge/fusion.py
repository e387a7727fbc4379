"""Hybrid ranking: one lexical and one dense candidate list fused into one score. Both adapters
hand their candidates to `fuse`, so the embedded index and OpenSearch rank alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CANDIDATES = 50  # taken from each of the two lists before fusion
DENSE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.3
# e5's cosines of unrelated texts sit around 0.75; below this a passage says nothing to the query.
DENSE_FLOOR = 0.75
# BM25 counts as bm25 / (bm25 + LEXICAL_HALF): a score of LEXICAL_HALF counts half.
LEXICAL_HALF = 6.0


@dataclass(frozen=True, slots=True)
class Fused:
    key: str  # the chunk's id
    score: float  # 0..1
    lexical: float
    dense: float


def fuse(lexical: Mapping[str, float], dense: Mapping[str, float]) -> list[Fused]:
    """Candidates from either list, best first. `dense` holds cosines, `lexical` BM25 scores."""
    out = []
    for key in dict.fromkeys((*lexical, *dense)):
        bm25, cosine = lexical.get(key, 0.0), dense.get(key, 0.0)
        out.append(Fused(key, _score(bm25, cosine), bm25, cosine))
    out.sort(key=lambda f: (-f.score, f.key))
    return out


def _score(bm25: float, cosine: float) -> float:
    dense = max(0.0, (cosine - DENSE_FLOOR) / (1.0 - DENSE_FLOOR))
    lexical = bm25 / (bm25 + LEXICAL_HALF) if bm25 > 0 else 0.0
    return round(DENSE_WEIGHT * dense + LEXICAL_WEIGHT * lexical, 6)
