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
    "help": {
        "en": "I answer questions about orders, delivery, returns, payments and your account, "
        "in English or Chinese, from our help centre. Type your question or pick a topic.",
        "zh": "我可以用中文或英文,根据帮助中心解答订单、配送、退货、支付和账户方面的问题。"
        "请直接输入问题,或选择一个主题。",
    },
    "mention": {
        "en": "Thanks for mentioning us in your story! Is there anything we can help you with?",
        "zh": "感谢您在快拍中提到我们!有什么可以帮您的吗?",
    },
    "go_private": {
        "en": "Thanks for reaching out! We've sent you a private message so we can help you "
        "there. If it hasn't arrived, please send us a direct message.",
        "zh": "感谢您的留言!我们已通过私信与您联系,如未收到,请直接私信我们。",
    },
    "no_answer": {
        "en": "Sorry, I couldn't find an answer to that in our help centre. A member of our team "
        "will follow up here.",
        "zh": "抱歉,我在帮助中心没有找到相关答案。我们的客服同事会在这里跟进您的问题。",
    },
}

# The topics a greeting offers as buttons; a chosen one comes back as the customer's question.
TOPICS: dict[str, tuple[str, ...]] = {
    "en": (
        "Track my order",
        "Delivery times",
        "Return an item",
        "Payment methods",
        "Reset my password",
    ),
    "zh": ("查询订单状态", "配送时间", "退货政策", "支付方式", "重置密码"),
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
