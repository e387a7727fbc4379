"""What the agent says when it does not answer from the knowledge base, in each language."""

from __future__ import annotations

import re

MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi! I'm the Lumen & Co. assistant. Ask me about orders, delivery, returns, "
        "payments or your account.",
        "zh": "您好!我是 Lumen & Co. 的智能客服,"
        "可以为您解答订单、配送、退货、支付和账户方面的问题。",
    },
    "unsupported": {
        "en": "Thanks! I can only read text messages for now. Could you type your question?",
        "zh": "谢谢!我目前只能读取文字消息,请用文字描述您的问题。",
    },
    "handoff": {
        "en": "I'll pass this to a member of our team, who will follow up here as soon as they "
        "can.",
        "zh": "我会把您的问题转给我们的客服同事,他们会尽快在这里跟进。",
    },
    "no_answer": {
        "en": "Sorry, I couldn't find an answer to that in our help centre. A member of our team "
        "will follow up here.",
        "zh": "抱歉,我在帮助中心没有找到相关答案。我们的客服同事会在这里跟进您的问题。",
    },
}

_GREETING = re.compile(
    r"^\W*(hi|hello|hey|good (morning|afternoon|evening)|start|/start|你好|您好|嗨|哈喽|在吗)\W*$",
    re.IGNORECASE,
)


def say(key: str, language: str) -> str:
    texts = MESSAGES[key]
    return texts.get(language, texts["en"])


def is_greeting(text: str) -> bool:
    return bool(_GREETING.match(text.strip()))
