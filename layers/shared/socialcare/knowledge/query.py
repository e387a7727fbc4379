"""A customer message turned into what both adapters search with: lexical terms and an int8
query vector, widened by the message's topic when the topic model is sure of it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from socialcare.knowledge.embeddings import Embedder, quantize
from socialcare.knowledge.tokens import MAX_QUERY_CHARS, query_terms
from socialcare.knowledge.topics import Expansion, Reading, Topics

# How much of the topic's question joins the message's vector, scaled by the topic's probability.
TOPIC_WEIGHT = 1.0


@dataclass(frozen=True, slots=True)
class QueryPlan:
    terms: tuple[str, ...]  # the message's, then the topic question's it lacks
    vector: bytes  # int8, see embeddings.quantize
    expansion: Expansion | None
    reading: Reading | None = None  # the topic model's view of the message (None: no model)
    message: tuple[float, ...] = ()  # the message's own e5 vector, before the topic widens it


def plan_query(
    text: str, lang: str | None, embedder: Embedder, topics: Topics | None
) -> QueryPlan | None:
    """None for a query with nothing to search for (empty, or only punctuation and symbols)."""
    text = " ".join(text[:MAX_QUERY_CHARS].split())
    terms = query_terms(text)
    if not terms:
        return None
    vector = message = embedder.query(text)
    reading = topics.read(vector) if topics else None
    expansion = topics.expansion(reading, lang or "en") if topics and reading else None
    if expansion:
        weight = TOPIC_WEIGHT * expansion.probability
        vector = _unit([q + weight * e for q, e in zip(vector, expansion.vector, strict=True)])
        terms += [t for t in query_terms(expansion.question) if t not in terms]
    return QueryPlan(tuple(terms), quantize(vector), expansion, reading, tuple(message))


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]
