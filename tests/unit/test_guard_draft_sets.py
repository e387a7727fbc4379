"""The guards on drafts written for the purpose: every bad draft (what `make demo` and the
held-out run sent: contradictions, repetition, echoes, markup, cut-off lists, empty apologies,
placeholders, off-topic answers, paraphrased promises and leaks) is stopped by the guard named
for it, and the correct paraphrases pass, so a guard that refuses everything would fail here."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from socialcare.generate.brand import BrandPolicy
from socialcare.generate.draft_sets import BAD_DRAFTS, GOOD_DRAFTS, DraftCase, judge, load_cases
from socialcare.generate.guards import check_reply

MIN_GOOD_PASSED = 0.95  # docs/guards.md reports the measured figure


@pytest.fixture(scope="module")
def bad(brand: BrandPolicy) -> list[DraftCase]:
    return load_cases(BAD_DRAFTS, brand)


@pytest.fixture(scope="module")
def good(brand: BrandPolicy) -> list[DraftCase]:
    return load_cases(GOOD_DRAFTS, brand)


def test_the_sets_are_large_enough_in_both_languages(
    bad: list[DraftCase], good: list[DraftCase]
) -> None:
    """GIVEN the shipped sets THEN at least 60 bad and 40 good drafts, in English and Chinese,
    and every guard the issue names has bad drafts of its own."""
    assert len(bad) >= 60 and len(good) >= 40
    assert {c.lang for c in bad} == {c.lang for c in good} == {"en", "zh"}
    per_guard = Counter(c.guard for c in bad)
    named = [
        "contradiction",
        "grounded",
        "repetition",
        "echo",
        "markup",
        "cut_off",
        "apology",
        "placeholder",
        "off_topic",
        "commitment",
        "leak",
    ]
    assert all(per_guard[g] >= 2 for g in named), per_guard


def test_every_bad_draft_is_stopped_by_its_guard(bad: list[DraftCase]) -> None:
    """GIVEN each bad draft with its question and passages WHEN guarded THEN the guard named
    for it refuses it: none of them reaches a customer."""
    figures, _ = judge(bad)
    assert figures.missed == []
    assert figures.bad_stopped == figures.bad == len(bad)


def test_the_correct_paraphrases_pass(good: list[DraftCase]) -> None:
    """GIVEN correct paraphrases of their passages (English, Simplified and Traditional
    Chinese) WHEN guarded THEN they are sent: the guards' precision is measured, not assumed."""
    figures, _ = judge(good)
    assert figures.good_passed / figures.good >= MIN_GOOD_PASSED, figures.refused


def test_the_demos_uk_reply_is_stopped_and_the_true_one_sent(bad: list[DraftCase]) -> None:
    """GIVEN `make demo`'s question "do you ship to the UK?" and the delivery-options article
    WHEN the reply says the UK is not served THEN it is stopped; the true reply is sent."""
    case = next(c for c in bad if c.draft.text == "You can't ship to the UK.")
    true = replace(case.draft, text="Yes, both delivery options are available in the UK.")
    assert "contradiction" in {v.guard for v in check_reply(case.draft, case.context)}
    assert check_reply(true, case.context) == ()
