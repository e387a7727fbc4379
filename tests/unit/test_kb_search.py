"""Searching the shipped help centre with the embedded index, the real e5 model and the topic
model: what the worker and `socialcare answer` see."""

from __future__ import annotations

import pytest

from socialcare.generate.extractive import extractive_reply
from socialcare.knowledge.documents import load_folder
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.topics import packaged


@pytest.fixture(scope="module")
def index() -> EmbeddedIndex:
    return EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())


@pytest.mark.parametrize(
    ("question", "lang", "expected"),
    [
        ("I want to earn several articles, how could I do it?", "en", "place-order"),
        ("can you help em checking the early termination penalty?", "en", "cancellation-fee"),
        ("i need assistance checking ur avaialble payment modalities", "en", "payment-methods"),
        (
            "my damn address has changed i need assistance to edit ti",
            "en",
            "change-shipping-address",
        ),
        ("how long does shipping take to Germany?", "en", "delivery-time"),
        ("我在等一笔1499美元的退款", "zh", "track-refund"),
        ("忘记密码了怎么办", "zh", "recover-password"),
    ],
)
def test_customers_words_find_the_article_that_answers_them(
    index: EmbeddedIndex, question: str, lang: str, expected: str
) -> None:
    """GIVEN a customer's message, typos and all WHEN searched in their language THEN the first
    passage is from the article that answers it, cited with its title and its page in that
    language."""
    best = index.search(question, k=3, lang=lang)[0]

    assert best.id == expected
    assert best.lang == lang
    assert best.url.endswith(f"/{lang}/{expected}")
    assert best.title and best.snippet


def test_results_are_one_per_article_best_first(index: EmbeddedIndex) -> None:
    """GIVEN a question several articles touch WHEN searched for 5 THEN 5 different articles
    come back, in falling score order."""
    results = index.search("refund for my order", k=5)

    assert len(results) == 5
    assert len({(p.id, p.lang) for p in results}) == 5
    assert [p.score for p in results] == sorted((p.score for p in results), reverse=True)


def test_language_filter_answers_a_chinese_question_from_english_articles(
    index: EmbeddedIndex,
) -> None:
    """GIVEN a Chinese question WHEN searched with lang=en THEN the English article on it comes
    first (the embeddings are multilingual)."""
    best = index.search("怎么取消订单", k=1, lang="en")[0]

    assert (best.id, best.lang) == ("cancel-order", "en")


def test_tag_filter_keeps_only_tagged_articles(index: EmbeddedIndex) -> None:
    """GIVEN the tag "refunds" WHEN searched THEN every result carries it."""
    results = index.search("money back", k=10, tags=("refunds",))

    assert results
    assert all("refunds" in p.tags for p in results)


@pytest.mark.parametrize("query", ["", "   ", "?!…。", "🙂🙂🙂", "#$%^&*", "x" * 0 + "。" * 5000])
def test_empty_or_punctuation_queries_find_nothing(index: EmbeddedIndex, query: str) -> None:
    """GIVEN a query with nothing to search for WHEN searched THEN the result is empty."""
    assert index.search(query) == []


def test_a_huge_query_is_answered_from_its_beginning(index: EmbeddedIndex) -> None:
    """GIVEN a question followed by 100,000 characters of filler WHEN searched THEN it still
    returns results, found by its beginning."""
    results = index.search("how do I cancel my order? " + "blah " * 20_000, k=1, lang="en")

    assert [p.id for p in results] == ["cancel-order"]


@pytest.mark.parametrize(
    "gibberish", ["asdkjh qwe zxcv", "jjjjjjj", "what is the capital of France", "今天吃什么"]
)
def test_gibberish_gets_no_extractive_answer(index: EmbeddedIndex, gibberish: str) -> None:
    """GIVEN gibberish or off-topic chat WHEN the extractive answer is asked for THEN there is
    none, so the agent falls back to its "no answer" message."""
    lang = "zh" if gibberish == "今天吃什么" else "en"

    assert extractive_reply(gibberish, lang, index) is None


def test_the_packaged_index_is_built_from_the_shipped_help_centre(index: EmbeddedIndex) -> None:
    """GIVEN the Markdown of the shipped help centre THEN the packaged index holds exactly those
    articles at their current text (else `make kb-index` was forgotten)."""
    documents = load_folder()

    assert index.snapshot.digests == {d.key: d.digest for d in documents}


def test_the_engine_refuses_to_run_on_no_thread() -> None:
    """GIVEN EMBEDDING_THREADS=0 or less WHEN the engine is built THEN it says what it needs."""
    with pytest.raises(ValueError, match="at least one thread, not 0"):
        E5Engine(packaged_engine()[1], threads=0)
