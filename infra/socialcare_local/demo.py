"""`make demo`: signed webhooks on every channel, in English and Chinese, answered end to end
on the local stack, with the transcript printed: each reply marked with what wrote it (the
agent turn's recorded source: "llm" for the model's reply that passed the guards, "knowledge"
for the help centre's extractive answer it fell back to, "handoff", "fallback" ...)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from socialcare_local.traffic import (
    Delivery,
    WebchatSession,
    deliver,
    line_events,
    line_text,
    meta_comment,
    meta_messages,
    telegram_update,
    wait_for_sent,
    webchat_message,
    webchat_replies,
    webchat_session,
    wechat_message,
    wechat_text,
    whatsapp_delivery,
    whatsapp_text,
    x_direct_message,
    x_mention,
)

# An LLM on a laptop CPU writes a reply in a few seconds, a batched delivery takes longer.
REPLY_WAIT_S = 60.0


@dataclass(frozen=True)
class Step:
    label: str
    delivery: Callable[[str], Delivery]  # given the gateway's URL (web chat opens a session)
    replies: int  # how many replies the step should produce
    redeliver: bool = False  # send the same delivery twice, as a platform retry would


SCRIPT: tuple[Step, ...] = (
    Step("hello", lambda _: telegram_update(7001, {"text": "hi"}), 1),
    Step(
        "delivery time",
        lambda _: telegram_update(7001, {"text": "how long does shipping take to Germany?"}),
        1,
    ),
    Step("a VIP by name", lambda _: telegram_update(4242, {"text": "hi"}), 1),
    Step("order, no number", lambda _: telegram_update(4242, {"text": "where is my order?"}), 1),
    Step("the number", lambda _: telegram_update(4242, {"text": "1234"}), 1),
    Step("a person", lambda _: telegram_update(4242, {"text": "I want to talk to a human"}), 1),
    Step("转人工 (zh)", lambda _: telegram_update(7003, {"text": "转人工"}), 1),
    Step(
        "returns (zh)",
        lambda _: telegram_update(7002, {"text": "你好,我想咨询一下产品的退货政策?"}),
        1,
    ),
    Step(
        "a sticker",
        lambda _: telegram_update(
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
        lambda _: whatsapp_delivery(
            "4915112345678", [whatsapp_text("I forgot my password, can you help?")]
        ),
        1,
    ),
    Step(
        "cancel (zh)",
        lambda _: whatsapp_delivery("8613812345678", [whatsapp_text("我刚下的单能取消吗")]),
        1,
    ),
    Step(
        "batched",
        lambda _: whatsapp_delivery(
            "447700900123",
            [
                whatsapp_text("which payment methods do you take?"),
                whatsapp_text("and do you ship to the UK?"),
            ],
        ),
        2,
    ),
    Step(
        "a reaction",
        lambda _: whatsapp_delivery(
            "447700900123",
            [{"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "❤️"}}],
        ),
        1,
    ),
    Step(
        "redelivered",
        lambda _: whatsapp_delivery("4915112345678", [whatsapp_text("where is my refund?")]),
        1,
        redeliver=True,
    ),
    Step(
        "messenger",
        lambda _: meta_messages(
            "messenger", "6789012345678901", [{"text": "how do I return an item?"}]
        ),
        1,
    ),
    Step(
        "page comment",
        lambda _: meta_comment("messenger", "5566778899001122", "do you ship to the UK?"),
        2,  # a public answer under the comment, and a private reply
    ),
    Step(
        "instagram (zh)",
        lambda _: meta_messages("instagram", "1254459154682919", [{"text": "我刚下的单能取消吗"}]),
        1,
    ),
    Step(
        "mentions the brand in a story",
        lambda _: meta_messages(
            "instagram",
            "1254459154682919",
            [
                {
                    "attachments": [
                        {"type": "story_mention", "payload": {"url": "https://lookaside.example/1"}}
                    ]
                }
            ],
        ),
        1,
    ),
    Step(
        "x dm",
        lambda _: x_direct_message("1205290247124217856", "how do I cancel my order?"),
        1,
    ),
    Step("x mention", lambda _: x_mention("1205290247124217856", "my parcel is late!"), 1),
    Step(
        "follows the account",
        lambda _: wechat_message(
            "oLumen0001", "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"
        ),
        1,
    ),
    Step("wechat (zh)", lambda _: wechat_text("oLumen0001", "配送需要多长时间?"), 1),
    Step(
        "adds the account as a friend",
        lambda _: line_events(
            "U206d25c2ea6bd87c17655609a1c37cb8",
            [{"type": "follow", "follow": {"isUnblocked": False}}],
        ),
        1,
    ),
    Step(
        "line batched",
        lambda _: line_events(
            "U206d25c2ea6bd87c17655609a1c37cb8",
            [line_text("how do I reset my password?"), line_text("怎么申请发票?")],
        ),
        2,
    ),
    Step(
        "web chat",
        lambda gateway: webchat_message(webchat_session(gateway), "how long does delivery take?"),
        1,
    ),
)


@dataclass(frozen=True)
class Line:
    channel: str
    customer: str
    reply: str
    latency_ms: float
    public: bool = False  # a reply everybody sees, under the customer's public post
    source: str = ""  # what wrote the reply, as its agent turn records it


def replay(gateway_url: str, sandbox_url: str, script: tuple[Step, ...] = SCRIPT) -> list[Line]:
    lines: list[Line] = []
    seen = len(wait_for_sent(sandbox_url, 0))
    for step in script:
        delivery = step.delivery(gateway_url)
        started = time.perf_counter()
        status, _ = deliver(gateway_url, delivery)
        if step.redeliver:
            deliver(gateway_url, delivery)
        if status != 200:
            raise RuntimeError(f"{step.label}: the webhook answered {status}")
        if delivery.channel == "webchat":  # the brand's own channel: the widget long-polls
            token = delivery.headers["Authorization"].removeprefix("Bearer ")
            session = WebchatSession(token, delivery.recipient)
            replies = webchat_replies(gateway_url, session, step.replies, timeout_s=REPLY_WAIT_S)
        else:
            replies = wait_for_sent(sandbox_url, seen + step.replies, timeout_s=REPLY_WAIT_S)[seen:]
            seen += len(replies)
        latency = (time.perf_counter() - started) * 1000
        if len(replies) < step.replies:
            raise RuntimeError(f"{step.label}: no reply reached the customer")
        texts = delivery.texts or ("",)
        for n, reply in enumerate(replies):
            customer = texts[n] if n < len(texts) else "(the same message)"
            public = reply.get("audience") == "public"
            buttons = " ".join(f"[{o}]" for o in reply.get("options", ()))
            text = f"{reply['text']}\n{buttons}" if buttons else reply["text"]
            lines.append(
                Line(delivery.channel, customer or f"({step.label})", text, latency, public)
            )
    if step.redeliver:  # a redelivery must not have produced a second reply
        time.sleep(0.5)
        extra = wait_for_sent(sandbox_url, 0)[seen:]
        if extra:
            raise RuntimeError(f"a redelivered webhook was answered twice: {extra}")
    return with_sources(lines, recorded_replies())


def recorded_replies() -> list[tuple[str, str]]:
    """(text, source) of every agent turn the stack's conversations table holds."""
    from socialcare import bootstrap

    return [
        (turn.text, turn.source)
        for conversation in bootstrap.conversations().scan()
        for turn in conversation.turns
        if turn.role == "agent"
    ]


def with_sources(lines: list[Line], recorded: Sequence[tuple[str, str]]) -> list[Line]:
    """Each line with the source of the agent turn that sent it, matched on the reply's first
    line (each turn once); "?" where none matches."""
    left = list(recorded)
    marked = []
    for line in lines:
        first = line.reply.strip().split("\n", 1)[0]
        found = next((r for r in left if r[0].strip().split("\n", 1)[0] == first), None)
        if found:
            left.remove(found)
        marked.append(replace(line, source=found[1] if found else "?"))
    return marked


def print_transcript(lines: list[Line]) -> None:
    print(f"\n{'channel':<9} {'latency':>8}  conversation")
    print("-" * 100)
    for line in lines:
        print(f"{line.channel:<9} {line.latency_ms:>6.0f}ms  customer: {line.customer}")
        label = f"{'public' if line.public else 'agent'} [{line.source}]:"
        for i, reply_line in enumerate(line.reply.splitlines()):
            print(f"{'':<9} {'':>8}  {label if i == 0 else '':<19} {reply_line}")
    latencies = sorted(line.latency_ms for line in lines)
    by_source = Counter(line.source for line in lines)
    print("-" * 100)
    print(
        f"{len(lines)} messages answered, median POST-to-reply "
        f"{latencies[len(latencies) // 2]:.0f} ms; written by: "
        + ", ".join(f"{source} {count}" for source, count in by_source.most_common())
        + "\n"
    )
