"""Understanding a message: which language to answer in, and which personal data to hide."""

from __future__ import annotations

import pytest

from socialcare.understand.language import DEFAULT, detect_language
from socialcare.understand.pii import luhn_valid, redact

# --- detect_language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How long does delivery take?", "en"),
        ("where is my order", "en"),
        ("你好,我想咨询一下产品的退货政策?", "zh"),
        ("退货", "zh"),
        ("我的order在哪里", "zh"),
        ("我的 order number 在哪里?", "zh"),
        ("注文はどこですか", "ja"),
        ("주문은 어디에 있나요", "ko"),
    ],
)
def test_language_of_a_message(text: str, language: str) -> None:
    """GIVEN a customer's message WHEN its language is detected THEN the agent answers in it;
    Chinese mixed with an English word is still Chinese."""
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "😀👍🎉", "12345 !!!", "?"])
def test_no_letters_gives_the_default(text: str) -> None:
    """GIVEN a message with no letters (empty, emoji, digits) THEN the default language is used,
    e.g. the language the customer last wrote in."""
    assert detect_language(text) == DEFAULT == "en"
    assert detect_language(text, default="zh") == "zh"


def test_one_english_word_in_a_long_chinese_sentence_is_chinese() -> None:
    """GIVEN mostly Chinese text with a brand name in Latin letters THEN it is Chinese."""
    assert detect_language("请问Lumen的退货政策是什么") == "zh"


def test_one_chinese_word_in_a_long_english_sentence_is_english() -> None:
    """GIVEN mostly English text with one Chinese word THEN it is English."""
    assert detect_language("Hello, I would like to ask about the returns policy 谢谢") == "en"


# --- redact -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("email me at jane.doe@example.com", "email me at [EMAIL]"),
        ("JANE_DOE+orders@mail.example.co.uk is mine", "[EMAIL] is mine"),
        ("call +44 20 7946 0958", "call [PHONE]"),
        ("call +1 415-555-0132 today", "call [PHONE] today"),
        ("call (555) 123-4567", "call [PHONE]"),
        ("call 555.123.4567", "call [PHONE]"),
        ("我的手机号是13812345678", "我的手机号是[PHONE]"),
        ("手机 15912345678,谢谢", "手机 [PHONE],谢谢"),
        ("card 4111 1111 1111 1111", "card [CARD]"),
        ("card 4111-1111-1111-1111", "card [CARD]"),
        ("card 4111111111111111", "card [CARD]"),
        ("amex 378282246310005", "amex [CARD]"),
    ],
)
def test_personal_data_is_replaced_by_placeholders(text: str, redacted: str) -> None:
    """GIVEN emails, phone numbers or card numbers WHEN redacted THEN typed placeholders remain."""
    assert redact(text) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "where is order 12345678?",
        "order #A-998877 please",
        "tracking 1Z999AA10123456784",
        "card 1234 5678 9012 3456",
        "1234567890123456",
        "it costs 1999 yuan, weighs 5.5 kg, size 42",
        "my order from 2024-05-01 has not arrived",
        "",
        "你好,我想咨询一下产品的退货政策?",
    ],
)
def test_what_is_not_personal_data_is_kept(text: str) -> None:
    """GIVEN order numbers, tracking numbers, non-Luhn 16-digit numbers, prices and dates WHEN
    redacted THEN they stay, so the agent (and a human) can still look the order up."""
    assert redact(text) == text


def test_the_kept_16_digit_number_really_fails_luhn() -> None:
    """GIVEN the number kept above THEN it is indeed not a valid card number (sanity)."""
    assert not luhn_valid("1234567890123456")
    assert luhn_valid("4111111111111111")


def test_redaction_is_idempotent() -> None:
    """GIVEN already redacted text WHEN redacted again THEN it does not change."""
    once = redact("mail a@b.com, call +44 20 7946 0958, card 4111 1111 1111 1111")
    assert redact(once) == once == "mail [EMAIL], call [PHONE], card [CARD]"


def test_international_chinese_mobile_is_a_phone_not_a_card() -> None:
    """GIVEN "+86 138 1234 5678" (a Chinese mobile in international form, whose 13 digits
    happen to pass the Luhn check) WHEN redacted THEN it is a [PHONE], not a card."""
    assert redact("call +86 138 1234 5678") == "call [PHONE]"
