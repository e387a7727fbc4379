"""The decision sets of issue 14 (tests/data/decisions_dev.jsonl for tuning, decisions_test.jsonl
for the evaluation only): well-formed, apart from each other and from every text the models learn
from, and with the languages, outcomes and bad inputs the issue asks for."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
HELPCENTRE = ROOT / "layers" / "shared" / "socialcare" / "knowledge" / "helpcentre"
UNDERSTAND_DATA = ROOT / "layers" / "shared" / "socialcare" / "understand" / "data"
BITEXT = ROOT.parent / "shared" / "data" / "bitext" / "train.csv"
SETS = ("dev", "test")

FIELDS = {"id", "lang", "text", "outcome", "reason", "articles", "tags"}
OTHER_LANGS = {"es", "fr", "de", "pt", "ja", "ko"}
LANGS = {"en", "zh"} | OTHER_LANGS
OUTCOMES = {"answer", "order", "clarify", "handoff", "decline", "close"}
PERSON_REASONS = {"human", "account_deletion"}
RISK_REASONS = {
    "security",
    "fraud",
    "legal",
    "regulator",
    "public",
    "safety",
    "harassment",
    "self_harm",
}
TAGS = {
    "typo",
    "slang",
    "anger",
    "sarcasm",
    "multi",
    "short",
    "long",
    "mixed",
    "emoji",
    "traditional",
    "pinyin",
    "other",
}
# The outcome mix the brief asks for, in both sets, and how far a set may stray from it.
SHARES = {
    "answer": 0.35,
    "order": 0.12,
    "clarify": 0.08,
    "handoff": 0.22,
    "decline": 0.12,
    "close": 0.08,
}
SHARE_TOLERANCE = 0.05
# Minimum messages per language group: (dev, test).
MINIMUMS = {"all": (240, 330), "en": (100, 120), "zh": (100, 165), "other": (18, 30)}


@cache
def _slugs(lang: str) -> frozenset[str]:
    return frozenset(path.stem for path in (HELPCENTRE / lang).glob("*.md"))


@cache
def _rows(name: str) -> tuple[dict[str, Any], ...]:
    lines = (DATA / f"decisions_{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines)


def _normal(text: str) -> str:
    """Lowercased, NFKC, punctuation stripped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(c for c in folded if not unicodedata.category(c).startswith("P"))
    return " ".join(kept.split())


def _strings(value: Any) -> Iterator[str]:
    """Every string held in a JSON value (texts, queries, conversation turns)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _training_texts() -> set[str]:
    """Every text of the repository's other JSONL data (tests/data and the understanding step's
    training and evaluation files)."""
    paths = [p for p in DATA.glob("*.jsonl") if not p.name.startswith("decisions_")]
    paths += sorted(UNDERSTAND_DATA.glob("*.jsonl"))
    texts: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.update(_strings(json.loads(line)))
    return texts


def _bitext_texts() -> set[str]:
    with BITEXT.open(newline="", encoding="utf-8") as handle:
        return {row["instruction"] for row in csv.DictReader(handle)}


def _overlap(texts: set[str], others: set[str]) -> set[str]:
    """The texts found in `others`, exactly or once normalised (empty normal forms left out)."""
    exact = texts & others
    normal_others = {_normal(t) for t in others} - {""}
    return exact | {t for t in texts if _normal(t) in normal_others}


def _problems(row: dict[str, Any], name: str) -> list[str]:
    """What is wrong with one row of a set (nothing for a valid row)."""
    problems = []
    if set(row) != FIELDS:
        return [f"fields {sorted(row)}"]
    if row["lang"] not in LANGS or not re.fullmatch(rf"{name}-{row['lang']}-\d{{3}}", row["id"]):
        problems.append(f"lang {row['lang']!r} or id {row['id']!r}")
    if not isinstance(row["text"], str) or row["outcome"] not in OUTCOMES:
        problems.append(f"text or outcome {row['outcome']!r}")
    wanted_reasons = PERSON_REASONS | RISK_REASONS if row["outcome"] == "handoff" else {None}
    if row["reason"] not in wanted_reasons:
        problems.append(f"reason {row['reason']!r} for {row['outcome']}")
    articles = row["articles"]
    unknown = set(articles) - (_slugs("en") & _slugs("zh"))
    needs_articles = row["outcome"] == "answer"
    may_have_articles = row["outcome"] in ("answer", "order")
    if unknown or (needs_articles and not articles) or (articles and not may_have_articles):
        problems.append(f"articles {articles} for {row['outcome']}")
    if not set(row["tags"]) <= TAGS:
        problems.append(f"tags {row['tags']}")
    return problems


@pytest.mark.parametrize("name", SETS)
def test_every_row_is_a_valid_decision(name: str) -> None:
    """GIVEN a decision set WHEN each line is read THEN it is a JSON object with the documented
    fields: a language, an outcome and (for a handoff only) a reason from the lists, and article
    slugs that exist in both the English and the Chinese help centre (required for an answer,
    allowed for an order lookup, absent otherwise)."""
    problems = {row["id"]: _problems(row, name) for row in _rows(name)}
    assert {key: value for key, value in problems.items() if value} == {}


def test_ids_are_unique_and_no_text_repeats() -> None:
    """GIVEN both sets WHEN their ids and texts are compared THEN every id is unique, no text
    repeats within a set, and no text of one set is in the other (exactly or once lowercased
    and stripped of punctuation): tuning on dev tells nothing about the test set's lines."""
    rows = _rows("dev") + _rows("test")
    assert [key for key, n in Counter(row["id"] for row in rows).items() if n > 1] == []
    for name in SETS:
        texts = Counter(_normal(row["text"]) or row["text"] for row in _rows(name))
        assert [text for text, n in texts.items() if n > 1] == []
    dev = {row["text"] for row in _rows("dev")}
    assert _overlap({row["text"] for row in _rows("test")}, dev) == set()


@pytest.mark.parametrize("name", SETS)
def test_no_text_is_training_data(name: str) -> None:
    """GIVEN a decision set WHEN its texts are looked up in the Bitext training CSV and in every
    other JSONL file of tests/data and of the understanding step's data THEN none is found,
    exactly or once lowercased and stripped of punctuation: the figures measured on the sets are
    not figures on what the models learned."""
    texts = {row["text"] for row in _rows(name)}
    found = (_overlap(texts, _bitext_texts()), _overlap(texts, _training_texts()))
    assert found == (set(), set())


@pytest.mark.parametrize(("index", "name"), list(enumerate(SETS)))
def test_languages_and_outcomes_have_the_asked_mix(index: int, name: str) -> None:
    """GIVEN a decision set WHEN its rows are counted THEN it has the brief's size per language
    (the test set at least half Chinese, all six other languages present) and each outcome's
    share is within five points of the asked mix."""
    rows = _rows(name)
    langs = Counter(row["lang"] for row in rows)
    counts = {
        "all": len(rows),
        "en": langs["en"],
        "zh": langs["zh"],
        "other": sum(langs[lang] for lang in OTHER_LANGS),
    }
    assert {key: counts[key] >= low[index] for key, low in MINIMUMS.items()} == dict.fromkeys(
        MINIMUMS, True
    ), counts
    assert set(langs) == LANGS
    assert name == "dev" or langs["zh"] * 2 >= len(rows)
    outcomes = Counter(row["outcome"] for row in rows)
    strays = {
        outcome: round(outcomes[outcome] / len(rows), 3)
        for outcome, share in SHARES.items()
        if abs(outcomes[outcome] / len(rows) - share) > SHARE_TOLERANCE
    }
    assert strays == {}


def test_test_set_has_every_handoff_reason_and_enough_risk() -> None:
    """GIVEN the test set WHEN its handoffs are counted THEN every reason appears, in English and
    in Chinese for the risk ones, and at least 50 messages carry a risk (security, fraud, legal,
    regulator, public, safety, harassment, self-harm)."""
    handoffs = [row for row in _rows("test") if row["outcome"] == "handoff"]
    assert {row["reason"] for row in handoffs} == RISK_REASONS | PERSON_REASONS
    for lang in ("en", "zh"):
        assert {row["reason"] for row in handoffs if row["lang"] == lang} >= RISK_REASONS
    assert sum(row["reason"] in RISK_REASONS for row in handoffs) >= 50


def _is_emoji_only(text: str) -> bool:
    marks = [c for c in text if not c.isspace()]
    return bool(marks) and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in marks)


def _scripts(text: str) -> set[str]:
    """The writing systems of a text's letters (LATIN, CJK, CYRILLIC, ARABIC, HANGUL, ...), with
    the two kana as one (Japanese writes kana and kanji side by side)."""
    names = {unicodedata.name(c, "?").split()[0] for c in text if c.isalpha()}
    return {"KANA" if name.startswith(("HIRAGANA", "KATAKANA")) else name for name in names}


def test_test_set_holds_the_bad_inputs_of_the_issue() -> None:
    """GIVEN the test set WHEN its texts are inspected THEN it holds the issue's bad inputs: an
    empty and an emoji-only message (both to be clarified), a message of 10,000 characters or
    more, messages with control characters, and messages mixing three scripts or more (to be
    clarified)."""
    rows = _rows("test")
    empty = [row["outcome"] for row in rows if not row["text"].strip()]
    emoji = [row["outcome"] for row in rows if _is_emoji_only(row["text"])]
    assert empty and set(empty) == {"clarify"}
    assert emoji and set(emoji) == {"clarify"}
    assert max(len(row["text"]) for row in rows) >= 10_000
    controls = [row for row in rows if any(unicodedata.category(c) == "Cc" for c in row["text"])]
    assert len(controls) >= 3
    mixed = [row["outcome"] for row in rows if len(_scripts(row["text"])) >= 3]
    assert mixed and set(mixed) == {"clarify"}
