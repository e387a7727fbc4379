"""An in-process BM25 index over the help centre: the local default, and the Lambda's."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from socialcare.knowledge.documents import HELPCENTRE, Document, load_folder
from socialcare.knowledge.port import Passage
from socialcare.knowledge.tokens import terms

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3


class EmbeddedIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        self._docs = list(documents)
        self._tf = [_weighted_terms(d) for d in self._docs]
        lengths = [sum(tf.values()) for tf in self._tf]
        self._norm = [
            K1 * (1 - B + B * n / (sum(lengths) / len(lengths) if lengths else 1)) for n in lengths
        ]
        df = Counter(term for tf in self._tf for term in tf)
        total = len(self._docs)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}

    @classmethod
    def from_folder(cls, folder: Path = HELPCENTRE) -> EmbeddedIndex:
        return cls(load_folder(folder))

    def __len__(self) -> int:
        return len(self._docs)

    def search(self, query: str, *, k: int = 5, lang: str | None = None) -> list[Passage]:
        query_terms = [t for t in set(terms(query)) if t in self._idf]
        scored = []
        for i, doc in enumerate(self._docs):
            if lang and doc.lang != lang:
                continue
            tf = self._tf[i]
            score = sum(
                self._idf[t] * tf[t] * (K1 + 1) / (tf[t] + self._norm[i])
                for t in query_terms
                if t in tf
            )
            if score > 0:
                scored.append((score, i))
        scored.sort(reverse=True)
        return [_passage(self._docs[i], score) for score, i in scored[:k]]


def _weighted_terms(doc: Document) -> Counter[str]:
    """A title or a tag says what the article is about far more surely than its body does."""
    counts = Counter(terms(doc.text))
    for term in terms(" ".join((doc.title, *doc.tags, doc.id.replace("-", " ")))):
        counts[term] += TITLE_WEIGHT
    return counts


def _passage(doc: Document, score: float) -> Passage:
    return Passage(doc.id, doc.title, doc.text, doc.lang, doc.url, round(score, 4))
