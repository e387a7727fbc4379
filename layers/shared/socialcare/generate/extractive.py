"""The extractive answer: the lead paragraph of the best help-centre article, with its link."""

from __future__ import annotations

from socialcare.knowledge.port import Passage, Retriever
from socialcare.model import Citation, Reply

# Fused scores (0..1, see knowledge/fusion.py) below this say too little about the question to
# be its answer. Tuned on the Bitext tune split and tests/data/helpcentre_queries.jsonl: 99% of
# right first answers score above 0.35, and gibberish or off-topic chat ("asdkjh", "what is
# the capital of France", "今天吃什么") scores below 0.32.
MIN_SCORE = 0.35

_MORE = {"en": "More: {url}", "zh": "详情:{url}"}


def extractive_reply(question: str, language: str, retriever: Retriever) -> Reply | None:
    passages = retriever.search(question, k=1, lang=language)
    if not passages or passages[0].score < MIN_SCORE:
        return None
    best: Passage = passages[0]
    text = best.lead
    if best.url:
        text += "\n" + _MORE.get(language, _MORE["en"]).format(url=best.url)
    return Reply(text, language, "knowledge", (Citation(best.id, best.title, best.url),))
