"""`make demo`: signed webhooks on both channels, in English and Chinese, answered end to end
on the local stack, with the transcript printed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from socialcare_local.traffic import (
    Delivery,
    deliver,
    telegram_update,
    wait_for_sent,
    whatsapp_delivery,
    whatsapp_text,
)

# An LLM on a laptop CPU writes a reply in a few seconds, a batched delivery takes longer.
REPLY_WAIT_S = 60.0


@dataclass(frozen=True)
class Step:
    label: str
    delivery: Callable[[], Delivery]
    replies: int  # how many replies the step should produce
    redeliver: bool = False  # send the same delivery twice, as a platform retry would


SCRIPT: tuple[Step, ...] = (
    Step("hello", lambda: telegram_update(7001, {"text": "hi"}), 1),
    Step(
        "delivery time",
        lambda: telegram_update(7001, {"text": "how long does shipping take to Germany?"}),
        1,
    ),
    Step(
        "returns (zh)",
        lambda: telegram_update(7002, {"text": "你好,我想咨询一下产品的退货政策?"}),
        1,
    ),
    Step(
        "sticker",
        lambda: telegram_update(
            7002,
            {
                "sticker": {
                    "file_id": "CAACAgIAAxkBAAE",
                    "file_unique_id": "AgADAgAD",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            },
        ),
        1,
    ),
    Step(
        "password",
        lambda: whatsapp_delivery(
            "4915112345678", [whatsapp_text("I forgot my password, can you help?")]
        ),
        1,
    ),
    Step(
        "cancel (zh)",
        lambda: whatsapp_delivery("8613812345678", [whatsapp_text("我刚下的单能取消吗")]),
        1,
    ),
    Step(
        "batched",
        lambda: whatsapp_delivery(
            "447700900123",
            [
                whatsapp_text("which payment methods do you take?"),
                whatsapp_text("and do you ship to the UK?"),
            ],
        ),
        2,
    ),
    Step(
        "reaction",
        lambda: whatsapp_delivery(
            "447700900123",
            [{"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "❤️"}}],
        ),
        1,
    ),
    Step(
        "redelivered",
        lambda: whatsapp_delivery("4915112345678", [whatsapp_text("where is my refund?")]),
        1,
        redeliver=True,
    ),
)


@dataclass(frozen=True)
class Line:
    channel: str
    customer: str
    reply: str
    latency_ms: float


def replay(gateway_url: str, sandbox_url: str, script: tuple[Step, ...] = SCRIPT) -> list[Line]:
    lines: list[Line] = []
    seen = len(wait_for_sent(sandbox_url, 0))
    for step in script:
        delivery = step.delivery()
        started = time.perf_counter()
        status, _ = deliver(gateway_url, delivery)
        if step.redeliver:
            deliver(gateway_url, delivery)
        if status != 200:
            raise RuntimeError(f"{step.label}: the webhook answered {status}")
        replies = wait_for_sent(sandbox_url, seen + step.replies, timeout_s=REPLY_WAIT_S)[seen:]
        latency = (time.perf_counter() - started) * 1000
        if len(replies) < step.replies:
            raise RuntimeError(f"{step.label}: no reply reached the sandbox")
        seen += len(replies)
        for text, reply in zip(delivery.texts, replies, strict=False):
            lines.append(
                Line(delivery.channel, text or "(non-text message)", reply["text"], latency)
            )
    if step.redeliver:  # a redelivery must not have produced a second reply
        time.sleep(0.5)
        extra = wait_for_sent(sandbox_url, 0)[seen:]
        if extra:
            raise RuntimeError(f"a redelivered webhook was answered twice: {extra}")
    return lines


def print_transcript(lines: list[Line]) -> None:
    print(f"\n{'channel':<9} {'latency':>8}  conversation")
    print("-" * 100)
    for line in lines:
        print(f"{line.channel:<9} {line.latency_ms:>6.0f}ms  customer: {line.customer}")
        for i, reply_line in enumerate(line.reply.splitlines()):
            print(f"{'':<9} {'':>8}  {'agent:' if i == 0 else '':<9} {reply_line}")
    latencies = sorted(line.latency_ms for line in lines)
    print("-" * 100)
    print(
        f"{len(lines)} messages answered, median POST-to-reply "
        f"{latencies[len(latencies) // 2]:.0f} ms\n"
    )
