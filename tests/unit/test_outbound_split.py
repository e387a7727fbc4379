"""Long replies are split into several messages at sentence ends, losing nothing."""

from __future__ import annotations

import re

import pytest

from socialcare.channels.outbound import split_text

ENGLISH = (
    "Standard delivery takes 3-5 business days and express delivery 1-2 business days, counted "
    "from dispatch. Orders are usually dispatched within 1 business day! Most standard orders "
    "arrive within a week. Do you need it sooner? Choose express at checkout. Parcels over 5.5 kg "
    "ship by courier, and the courier calls ahead. You can track every parcel from your account. "
    "If a parcel is late by more than 3 days, write to us and we will look into it right away."
)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _words(parts: list[str]) -> list[str]:
    return " ".join(parts).split()


def test_short_text_is_sent_unchanged() -> None:
    """GIVEN a reply that fits in one message THEN it is sent as is, line breaks included."""
    text = "Hello!\nYour order ships tomorrow.\n\nMore: https://help.example/en/x?a=1"
    assert split_text(text, 4096) == [text]


def test_text_exactly_at_the_limit_is_one_part() -> None:
    """GIVEN a reply of exactly the limit's length THEN it is one message."""
    text = "a" * 50
    assert split_text(text, 50) == [text]


@pytest.mark.parametrize("limit", [110, 150, 250, 400])
def test_long_english_text_is_split_at_sentence_ends(limit: int) -> None:
    """GIVEN a reply longer than the platform allows (its longest sentence still fits) WHEN split
    THEN every message fits, each ends at a sentence end, and every word arrives in order."""
    assert max(len(s) for s in _sentences(ENGLISH)) <= limit < len(ENGLISH)
    parts = split_text(ENGLISH, limit)
    assert len(parts) > 1
    assert all(0 < len(part) <= limit for part in parts)
    assert all(part.endswith((".", "!", "?")) for part in parts), parts
    assert _words(parts) == ENGLISH.split()


def test_parts_are_packed_with_whole_sentences() -> None:
    """GIVEN short sentences WHEN split THEN several sentences share a message (no message per
    sentence), and no part could have taken the next sentence too."""
    text = "One. Two. Three. Four. Five. Six."
    parts = split_text(text, 10)
    assert parts == ["One. Two.", "Three.", "Four.", "Five. Six."]


def test_decimal_point_is_not_a_sentence_end() -> None:
    """GIVEN "5.5 kg" in a long reply WHEN split THEN the number is never torn apart."""
    parts = split_text(ENGLISH, 110)
    assert any("5.5 kg" in part for part in parts), parts
    assert not any(part.endswith("5.") for part in parts)
    decimal = "The parcel weighs 5.5 kg in total. " * 3
    assert all("5.5 kg" in part for part in split_text(decimal.strip(), 40))


def test_chinese_text_is_split_after_the_full_stop() -> None:
    """GIVEN a long Chinese reply WHEN split THEN messages end after 。 and nothing is lost (no
    spaces are added between Chinese sentences)."""
    text = (
        "所有商品在签收后30天内都可以退货。"
        "商品需未使用且保留原包装。"
        "退货免费。"
        "请在账户的我的订单中发起退货申请。"
        "用我们发到您邮箱的预付面单寄回即可。"
    )
    parts = split_text(text, 20)
    assert len(parts) > 1
    assert all(len(part) <= 20 for part in parts)
    assert all(part.endswith("。") for part in parts), parts
    assert "".join(parts) == text


def test_sentence_longer_than_the_limit_is_cut_hard() -> None:
    """GIVEN one sentence longer than a whole message WHEN split THEN it is cut into messages of
    at most the limit, and their concatenation is the sentence."""
    sentence = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 5
    parts = split_text(sentence, 40)
    assert all(len(part) <= 40 for part in parts)
    assert len(parts) == -(-len(sentence) // 40)
    assert "".join(parts) == sentence


def test_long_sentence_between_short_ones_keeps_order() -> None:
    """GIVEN a very long sentence between short ones THEN the short ones are sent before and
    after it, in order, and every part fits."""
    long = "x" * 45 + "."
    text = f"Hello there. {long} Bye now."
    parts = split_text(text, 20)
    assert all(len(part) <= 20 for part in parts)
    assert parts[0] == "Hello there."
    assert parts[-1].endswith("Bye now.")
    assert "".join(parts[1:]).replace(" ", "").startswith("x" * 45 + ".")
    assert _words(parts)[:2] == ["Hello", "there."]


def test_url_with_a_query_string_is_not_torn_apart() -> None:
    """GIVEN a long reply containing a link with "?" WHEN split THEN the link reaches the
    customer intact, and "What?!" stays one word."""
    text = ENGLISH + " More: https://help.lumen.example/en/track?order=1&lang=en. What?! Thanks."
    parts = split_text(text, 120)
    assert any("https://help.lumen.example/en/track?order=1&lang=en" in p for p in parts), parts
    assert _words(parts) == text.split()


def test_chinese_full_width_question_and_exclamation_marks_end_sentences() -> None:
    """GIVEN a Chinese reply whose sentences end with full-width ！ or ？ WHEN split
    THEN messages end at those marks, never in the middle of a sentence."""
    text = "您的订单已经发货！预计三天内送达。需要修改地址吗？请在账户中修改。"
    parts = split_text(text, 12)
    assert "".join(parts) == text
    assert all(part.endswith(("。", "！", "？")) for part in parts), parts
