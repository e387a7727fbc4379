"""The extractive answer: the lead paragraph of the best help-centre article, with its link.
It is the answer when no LLM is configured, and the fallback when a written reply fails."""

from __future__ import annotations

from collections.abc import Sequence

from socialcare.generate.reply_style import fit_text
from socialcare.knowledge.port import Passage, Retriever
from socialcare.model import Citation, Reply

# Fused scores (0..1, see knowledge/fusion.py) below this say too little about the question to
# be its answer. Tuned on the Bitext tune split and tests/data/helpcentre_queries.jsonl: 99% of
# right first answers score above 0.35, and gibberish or off-topic chat ("asdkjh", "what is
# the capital of France", "今天吃什么") scores below 0.32.
MIN_SCORE = 0.35

_MORE = {"en": "More: {url}", "zh": "详情:{url}"}


def answerable(passages: Sequence[Passage]) -> bool:
    """Whether the best passage is close enough to the question to answer it."""
    return bool(passages) and passages[0].score >= MIN_SCORE


def extractive_answer(passages: Sequence[Passage], language: str, max_chars: int) -> Reply | None:
    """The best passage's lead with its link, cut at a sentence to fit max_chars."""
    if not answerable(passages):
        return None
    best = passages[0]
    text = fit_text(best.lead, more_line(best.url, language), max_chars)
    return Reply(text, language, "knowledge", (Citation(best.id, best.title, best.url),))


def extractive_reply(question: str, language: str, retriever: Retriever) -> Reply | None:
    """The answer without an LLM: the best passage's lead with its link, uncut (the channel's
    rendering splits long text)."""
    passages = retriever.search(question, k=1, lang=language)
    if not answerable(passages):
        return None
    return passage_reply(passages[0], language)


def passage_reply(best: Passage, language: str) -> Reply:
    """The passage's lead with its link, uncut."""
    text = best.lead
    if best.url:
        text += "\n" + more_line(best.url, language)
    return Reply(text, language, "knowledge", (Citation(best.id, best.title, best.url),))


def more_line(url: str, language: str) -> str:
    """Where the customer reads the whole article, in their language ("" without a link)."""
    return _MORE.get(language, _MORE["en"]).format(url=url) if url else ""
