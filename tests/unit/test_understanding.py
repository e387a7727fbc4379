"""The understanding of one message: language, sentiment, intent, entities, toxicity, urgency,
and the shape `socialcare understand` prints."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcare.understand.entities import find_entities
from socialcare.understand.language import detect_language
from socialcare.understand.safety import is_toxic, is_urgent
from socialcare.understand.sentiment import sentiment
from socialcare.understand.understanding import understand


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want to cancel order 3707955617", "cancel_order"),
        ("how long until my parcel arrives?", "delivery_period"),
        ("I forgot my password", "recover_password"),
        ("帮我查一下订单到哪了", "track_order"),
        ("我要退款", "get_refund"),
        ("忘记密码了怎么办", "recover_password"),
        ("你们支持哪些付款方式", "check_payment_methods"),
        ("转人工", "contact_human_agent"),
        ("what's the weather like in Paris tomorrow?", "other"),
        ("讲个笑话吧", "other"),
    ],
)
def test_intent_in_english_and_chinese(text: str, intent: str) -> None:
    """GIVEN a customer message in English or Chinese WHEN understood THEN its intent is the
    customer-care intent it asks for, or `other` when it asks for none."""
    result = understand(text)
    assert result.intent.name == intent
    assert 0.0 <= result.intent.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cancel order 00123842 please", [("order_number", "00123842")]),
        ("tracking number 1Z999AA10123456784", [("tracking_number", "1Z999AA10123456784")]),
        ("I need invoice #12588", [("invoice_number", "#12588")]),
        ("refund $299 to jane@example.com", [("amount", "299"), ("email", "jane@example.com")]),
        (
            "call me on +44 20 7946 0958 tomorrow",
            [("phone", "+44 20 7946 0958"), ("date", "tomorrow")],
        ),
        (
            "ordered on 2024-05-01, my iPhone 15 Pro",
            [("date", "2024-05-01"), ("product", "iPhone 15 Pro")],
        ),
        ("switch to the Platinum account", [("account_type", "Platinum")]),
        ("get the bill from Ms. Hawkings", [("person_name", "Ms. Hawkings")]),
        ("do you ship to Munich or Japan?", [("city", "Munich"), ("country", "Japan")]),
        (
            "订单号 732201349959 的399元什么时候退",
            [("order_number", "732201349959"), ("amount", "399")],
        ),
        ("5月1日寄到上海", [("date", "5月1日"), ("city", "上海")]),
    ],
)
def test_entities_with_offsets(text: str, expected: list[tuple[str, str]]) -> None:
    """GIVEN details in a message WHEN entities are found THEN each has its type, its value, and
    offsets that point at that value in the customer's text."""
    found = find_entities(text)
    assert [(e.type, e.value) for e in found] == expected
    assert all(text[e.start : e.end] == e.value for e in found)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where is my order", "en"),
        ("ok", "en"),
        ("refund pls", "en"),
        ("我的order在哪里", "zh"),
        ("退款", "zh"),
        ("donde esta mi pedido", "es"),
        ("où est ma commande", "fr"),
        ("wo ist meine bestellung", "de"),
        ("注文はどこですか", "ja"),
        ("주문은 어디에 있나요", "ko"),
        ("где мой заказ", "ru"),
    ],
)
def test_language_of_short_messages(text: str, language: str) -> None:
    """GIVEN a message of a few words THEN its ISO 639-1 language is found; short Latin text is
    English unless it shows another language's words."""
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("my order is late AGAIN, this is ridiculous 😡", "negative"),
        ("great, another delay. thanks a lot", "negative"),  # sarcasm
        ("it doesn't work", "negative"),
        ("用了一天就坏了,真棒", "negative"),
        ("一点都不满意", "negative"),
        ("where is my order?", "neutral"),
        ("我想改一下收货地址", "neutral"),
        ("thanks, that solved it!", "positive"),
        ("服务很好,发货很快", "positive"),
    ],
)
def test_sentiment_of_customer_messages(text: str, label: str) -> None:
    """GIVEN complaints, sarcasm, questions and praise THEN the label is how the customer feels,
    with a score whose sign agrees."""
    result = sentiment(text)
    assert result.label == label
    assert (result.score < 0) == (label == "negative")


def test_toxicity_and_urgency() -> None:
    """GIVEN abuse, danger, fraud and legal threats THEN they are flagged; ordinary complaints
    and words that merely contain a flagged one are not."""
    assert is_toxic("you stupid idiots")
    assert is_toxic("傻逼客服")
    assert not is_toxic("this is so frustrating, where is my parcel")
    assert not is_toxic("滚筒洗衣机什么时候到")
    assert is_urgent("the charger caught fire and there is smoke")
    assert is_urgent("someone used my card, I did not authorize this")
    assert is_urgent("我的卡被盗刷了")
    assert is_urgent("I will contact my lawyer")
    assert is_urgent("再不处理我就去12315投诉")
    assert not is_urgent("where is my order")


def test_the_json_shape_of_one_message() -> None:
    """GIVEN a message with an order number, a phone and anger WHEN understood THEN the object
    `socialcare understand` prints has every field, and the phone is gone from `redacted`."""
    result = understand("order 3707955617 is late again, call +44 20 7946 0958 now!! 😡").to_dict()
    assert set(result) == {
        "language", "sentiment", "intent", "entities", "pii", "redacted", "toxic", "urgent"
    }  # fmt: skip
    assert result["language"] == "en"
    assert result["sentiment"]["label"] == "negative"
    assert {"type": "order_number", "value": "3707955617", "start": 6, "end": 16} in result[
        "entities"
    ]
    assert result["pii"] == [{"type": "phone", "start": 37, "end": 53}]
    assert result["redacted"] == "order 3707955617 is late again, call [PHONE] now!! 😡"
    assert result["toxic"] is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "😀👍🎉",
        "x" * 10_000,
        "where is my order " * 600,
        "bad \ud800 surrogate \udfff",
        "\x00\x01\x02 control \x1b[31m",
        "مرحبا أين طلبي order 12345678",
        "\u202eredro ym si erehw",
        "我的order 12345 在哪 где заказ 注文",
        None,
        42,
    ],
)
def test_hostile_input_gives_a_well_formed_result(text: object) -> None:
    """GIVEN empty, emoji-only, huge, broken, control, right-to-left or mixed-script input WHEN
    understood THEN a full result comes back that encodes as UTF-8 JSON."""
    result = understand(text).to_dict()
    json.dumps(result, ensure_ascii=False).encode("utf-8")
    assert result["intent"]["name"]
    assert len(result["redacted"]) >= (len(text) if isinstance(text, str) else 0) // 2


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=12), max_size=2))
def test_any_text_gives_a_well_formed_result(text: str, names: list[str]) -> None:
    """GIVEN any string at all (and any profile names) WHEN understood THEN nothing raises, the
    result encodes as UTF-8, and every offset points inside the text."""
    result = understand(text, names)
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")
    assert result.sentiment.label in {"negative", "neutral", "positive"}
    assert -1.0 <= result.sentiment.score <= 1.0
    for span in (*result.entities, *result.pii):
        assert 0 <= span.start < span.end <= len(text)
