"""Trains the topic model of socialcare/knowledge/topics.py and writes topics.json.

    .venv/bin/python -m socialcare_local.train_topics

A multinomial logistic regression over e5 query vectors: the Bitext training split (English),
our Chinese training examples, and each topic's own questions. numpy here, at training time;
the model file is read without it. Takes a few minutes (embedding 2,300 messages); shows progress.
"""

from __future__ import annotations

import base64
import json
import sys

import numpy as np

from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.topics import MODEL
from socialcare_local.bitext import SPLIT, ZH_TRAINING, chinese, utterances

SCALE = 20.0  # logits are SCALE x cosine-like scores: e5's vectors are unit length
THRESHOLD = 0.7  # below this probability a message is not widened (held-back Bitext: 0.96+)
# Nor is a message whose e5 cosine to every topic's anchors (its questions and the mean vectors
# of its English and Chinese training messages) is below this. On this data: 99% of held-back
# Bitext messages and of our Chinese ones are above 0.89; of gibberish and off-topic chat
# ("asdkjh", "what's the capital of France", "讲个笑话") three quarters are below.
MIN_SIMILARITY = 0.89
L2 = 1e-3
EPOCHS = 300
ZH_WEIGHT = 5.0  # few Chinese examples: each counts as much as five English ones

# The plain question of each topic, in each language: what a help-centre article on it answers.
QUESTIONS = {
    "cancel_order": ("How do I cancel an order I placed?", "怎么取消已经下的订单？"),
    "change_order": ("How do I change the items in my order?", "怎么修改订单里的商品？"),
    "change_shipping_address": ("How do I change my shipping address?", "怎么修改收货地址？"),
    "check_cancellation_fee": (
        "Is there a cancellation fee or early termination charge?",
        "取消或提前解约要收手续费吗？",
    ),
    "check_invoice": ("Where can I see my invoices and bills?", "在哪里查看我的发票和账单？"),
    "get_invoice": ("How do I download an invoice for my purchase?", "怎么下载购买的发票？"),
    "check_payment_methods": ("Which payment methods do you accept?", "你们支持哪些付款方式？"),
    "payment_issue": (
        "My payment failed or was charged wrongly, how do I report it?",
        "付款失败或扣款出错怎么办？",
    ),
    "check_refund_policy": (
        "What is your refund policy and when can I get my money back?",
        "退款政策是什么，什么情况下可以退钱？",
    ),
    "get_refund": ("How do I request a refund?", "怎么申请退款？"),
    "track_refund": (
        "Where is my refund? How do I track its status?",
        "我的退款到哪了，怎么查询退款进度？",
    ),
    "complaint": ("How do I file a complaint?", "怎么投诉？"),
    "review": ("How do I leave a review or give feedback?", "怎么写评价或者提意见？"),
    "contact_customer_service": (
        "How do I contact customer service and when are you open?",
        "怎么联系客服，客服什么时间在线？",
    ),
    "contact_human_agent": (
        "How do I talk to a human agent instead of the bot?",
        "怎么转人工，跟真人客服说话？",
    ),
    "create_account": ("How do I create a new account?", "怎么注册一个新账户？"),
    "delete_account": ("How do I close or delete my account?", "怎么注销或删除我的账户？"),
    "edit_account": (
        "How do I edit my account details and profile information?",
        "怎么修改账户资料和个人信息？",
    ),
    "switch_account": (
        "How do I switch to another account or plan?",
        "怎么切换到另一个账户或套餐？",
    ),
    "recover_password": ("I forgot my password, how do I reset it?", "忘记密码了，怎么重置？"),
    "registration_problems": (
        "I have a problem signing up, registration does not work",
        "注册遇到问题，注册不了怎么办？",
    ),
    "delivery_options": (
        "Which shipping options do you offer and where do you deliver?",
        "你们有哪些配送方式，能送到哪些地方？",
    ),
    "delivery_period": (
        "How long does delivery take and when will my package arrive?",
        "配送需要多久，包裹什么时候能到？",
    ),
    "track_order": ("How do I track my order and see its status?", "怎么查询订单物流和状态？"),
    "place_order": ("How do I place an order and buy products?", "怎么下单购买商品？"),
    "newsletter_subscription": (
        "How do I subscribe to or unsubscribe from the newsletter?",
        "怎么订阅或退订新闻邮件？",
    ),
    "set_up_shipping_address": ("How do I add a new shipping address?", "怎么添加新的收货地址？"),
}


def train(
    vectors: np.ndarray, labels: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression by full-batch gradient descent (a few thousand rows: seconds)."""
    classes = len(QUESTIONS)
    w, b = np.zeros((vectors.shape[1], classes)), np.zeros(classes)
    onehot = np.eye(classes)[labels]
    total = weights.sum()
    for epoch in range(EPOCHS):
        logits = SCALE * vectors @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) * weights[:, None] / total
        w -= 2.0 * (SCALE * vectors.T @ grad + L2 * w)
        b -= 2.0 * grad.sum(axis=0)
        if epoch % 50 == 0:
            loss = -(np.log(p[np.arange(len(labels)), labels] + 1e-12) * weights).sum() / total
            print(f"epoch {epoch:3d}  loss {loss:.4f}", file=sys.stderr, flush=True)
    return w, b


def main() -> int:
    engine = E5Engine(packaged_engine()[1])
    names = sorted(QUESTIONS)
    messages = [*utterances("train"), *chinese(ZH_TRAINING)]
    examples = [(u.text, u.intent, 1.0 if u.lang == "en" else ZH_WEIGHT) for u in messages]
    examples += [(q, name, ZH_WEIGHT) for name in names for q in QUESTIONS[name]]
    rows: list[list[float]] = []
    for start in range(0, len(examples), 256):
        rows.extend(engine.queries([text for text, _, _ in examples[start : start + 256]]))
        print(f"embedded {len(rows)}/{len(examples)}", file=sys.stderr, flush=True)
    vectors = np.array(rows, dtype=np.float64)
    labels = np.array([names.index(intent) for _, intent, _ in examples])
    weights = np.array([w for _, _, w in examples])
    w, b = train(vectors, labels, weights)
    accuracy = float(((SCALE * vectors @ w + b).argmax(axis=1) == labels).mean())
    # The typical message of each topic and language: the mean of its training messages.
    languages = np.array([u.lang for u in messages] + [""] * (len(examples) - len(messages)))
    print(f"training accuracy {accuracy:.3f}", file=sys.stderr)
    topics = []
    for i, name in enumerate(names):
        en, zh = QUESTIONS[name]
        topics.append(
            {
                "name": name,
                "questions": {"en": en, "zh": zh},
                "vectors": {"en": _encode(engine.query(en)), "zh": _encode(engine.query(zh))},
                "centroids": {
                    lang: _encode(_unit(vectors[(labels == i) & (languages == lang)].mean(axis=0)))
                    for lang in ("en", "zh")
                },
                "weights": _encode(w[:, i]),
                "bias": round(float(b[i]), 6),
            }
        )
    model = {
        "about": "socialcare_local.train_topics: Bitext train split, Chinese examples, e5",
        "split": SPLIT,
        "scale": SCALE,
        "threshold": THRESHOLD,
        "min_similarity": MIN_SIMILARITY,
        "topics": topics,
    }
    MODEL.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL}", file=sys.stderr)
    return 0


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _encode(values: object) -> str:
    return base64.b64encode(np.asarray(values, dtype=np.float32).tobytes()).decode()


if __name__ == "__main__":
    sys.exit(main())
