"""What the agent says when it does not answer from the knowledge base, in each language."""

from __future__ import annotations

import re

MESSAGES: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hi! I'm the {brand} assistant. Ask me about orders, delivery, returns, "
        "payments or your account.",
        "zh": "您好!我是 {brand} 的智能客服,可以为您解答订单、配送、退货、支付和账户方面的问题。",
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
        "en": "Sorry, I couldn't find an answer to that in our help centre. Could you put it "
        "another way? If I still can't help, I'll pass you to our team.",
        "zh": "抱歉,我在帮助中心没有找到相关答案。能换个说法再问一次吗?"
        "如果还是不行,我会为您转接人工客服。",
    },
    "greeting_named": {
        "en": "Hi {name}! I'm the {brand} assistant. Ask me about orders, delivery, returns, "
        "payments or your account.",
        "zh": "{name}您好!我是 {brand} 的智能客服,"
        "可以为您解答订单、配送、退货、支付和账户方面的问题。",
    },
    "ask_order_number": {
        "en": "Sure, I can help with that. What is your order number?",
        "zh": "好的,我来帮您处理。请告诉我您的订单号。",
    },
    "offer_order_check": {
        "en": "If you send me your order number, I can check that order for you.",
        "zh": "如果您告诉我订单号,我可以帮您查询这笔订单。",
    },
    "order_unknown": {
        "en": "I couldn't find an order with the number {number}. Could you check it and send "
        "it again?",
        "zh": "没有找到订单号为 {number} 的订单,请核对后再发给我。",
    },
    "handoff": {
        "en": "I'm passing you to a member of our team. The expected wait is about {minutes} "
        "minutes, and they will reply right here in this chat.",
        "zh": "正在为您转接人工客服,预计等待约 {minutes} 分钟,客服会直接在这里回复您。",
    },
    "llm_handoff": {  # the LLM asked for a person (the dialogue then hands the conversation over)
        "en": "I'll pass this to a member of our team, who will follow up here as soon as they "
        "can.",
        "zh": "我会把您的问题转给我们的客服同事,他们会尽快在这里跟进。",
    },
    "handback": {
        "en": "Our team has finished here. I'm the assistant again: ask me anything else.",
        "zh": "人工客服已处理完毕,接下来由智能客服继续为您服务,还有其他问题随时问我。",
    },
}

# The topics a greeting offers as buttons; a chosen one comes back as the customer's question.
TOPICS: dict[str, tuple[str, ...]] = {
    "en": (
        "Track my order",
        "Delivery times",
        "Return my item",
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
