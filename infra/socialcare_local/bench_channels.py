"""Webhook latency on every channel: verify, parse, normalise and redact in-process (the queue
call left out), and the whole handler against moto (idempotency record + SQS send).

Writes bench/channels.png: each channel's median and p95 beside the 2 ms target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from socialcare_local.bench import RESULTS, summary, timed

QUESTION = "where is my order 12345?"


def deliveries() -> dict[str, Callable[[], Any]]:
    """A fresh signed delivery of one question for each channel (a new message id each call)."""
    from socialcare import bootstrap
    from socialcare_local.traffic import (
        WebchatSession,
        line_events,
        line_text,
        meta_messages,
        telegram_update,
        webchat_message,
        wechat_text,
        whatsapp_delivery,
        whatsapp_text,
        x_direct_message,
    )

    issued = bootstrap.webchat_sessions().issue()
    session = WebchatSession(issued.token, issued.session_id)
    return {
        "messenger": lambda: meta_messages("messenger", "6789012345678901", [{"text": QUESTION}]),
        "instagram": lambda: meta_messages("instagram", "1254459154682919", [{"text": QUESTION}]),
        "whatsapp": lambda: whatsapp_delivery("4915112345678", [whatsapp_text(QUESTION)]),
        "x": lambda: x_direct_message("1205290247124217856", QUESTION),
        "telegram": lambda: telegram_update(5001, {"text": QUESTION}),
        "wechat": lambda: wechat_text("oLumenBench0001", QUESTION),
        "line": lambda: line_events("U206d25c2ea6bd87c17655609a1c37cb8", [line_text(QUESTION)]),
        "webchat": lambda: webchat_message(session, QUESTION),
    }


def run(results: dict[str, Any], functions_by_id: dict[str, Any]) -> None:
    from socialcare import bootstrap
    from socialcare.model import Channel
    from socialcare.webhook import WebhookRequest, receive
    from socialcare_local.gateway import Route, http_api_event
    from socialcare_local.http_server import Request

    by_path = {route: fn for fn in functions_by_id.values() for _, route in fn.spec.routes}
    for channel, make in deliveries().items():
        sample = make()
        path, _, query = sample.path.partition("?")
        request = WebhookRequest(
            "POST",
            {k.lower(): v for k, v in sample.headers.items()},
            dict(parse_qsl(query)),
            sample.body,
        )
        inbound = bootstrap.inbound_channel(Channel(channel))
        results[f"webhook_{channel}_in_process"] = summary(
            timed(lambda r=request, i=inbound: receive(r, i, _drop), runs=2000)
        )
        fn = by_path[path]

        def whole_handler(make: Callable[[], Any] = make, fn: Any = fn) -> None:
            delivery = make()  # a new message id each time: every call really enqueues
            route, _, raw_query = delivery.path.partition("?")
            req = Request(
                "POST",
                route,
                raw_query,
                {k.lower(): v for k, v in delivery.headers.items()},
                delivery.body,
            )
            response = fn.invoke(http_api_event(Route("POST", route, fn), {}, req))
            assert response["statusCode"] == 200, response

        results[f"webhook_{channel}_handler_with_moto"] = summary(timed(whole_handler, runs=100))
    results["webhook_wechat_safe_mode_in_process"] = _wechat_safe_mode()
    body = deliveries()["whatsapp"]().body
    results["baseline_json_loads"] = summary(timed(lambda: json.loads(body), runs=2000))
    plot(results)


def _wechat_safe_mode() -> dict[str, float]:
    """The same WeChat message in safe mode: AES-CBC decryption (pure Python) on top."""
    from socialcare import bootstrap
    from socialcare.channels.wechat import WeChatInbound
    from socialcare.channels.wechat_crypto import WeChatCrypto
    from socialcare.store.dynamodb_nonces import DynamoDBNonces
    from socialcare.webhook import WebhookRequest, receive
    from socialcare_local.credentials import credential
    from socialcare_local.traffic import wechat_text

    key = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # wechatpy's test EncodingAESKey
    sample = wechat_text("oLumenBench0001", QUESTION, aes_key=key)
    request = WebhookRequest(
        "POST", {}, dict(parse_qsl(sample.path.partition("?")[2])), sample.body
    )
    inbound = WeChatInbound(
        credential("WECHAT_TOKEN"),
        WeChatCrypto(key, credential("WECHAT_APP_ID")),
        nonces=DynamoDBNonces(bootstrap.settings().require("idempotency_table")),
    )
    return summary(timed(lambda: receive(request, inbound, _drop), runs=2000))


def _drop(_message: Any) -> None:
    """The enqueue of the in-process figure: the SQS call is measured separately."""


def plot(results: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [k for k in results if k.startswith("webhook_") and k.endswith("_in_process")]
    # Each bar names its channel ("wechat_safe_mode": the same message, AES-encrypted).
    channels = [n.removeprefix("webhook_").removesuffix("_in_process") for n in names]
    medians = [results[n]["median_ms"] for n in names]
    p95s = [results[n]["p95_ms"] for n in names]
    figure, axes = plt.subplots(figsize=(8, 4))
    positions = range(len(names))
    axes.bar([p - 0.2 for p in positions], medians, width=0.4, label="median")
    axes.bar([p + 0.2 for p in positions], p95s, width=0.4, label="p95")
    axes.axhline(2.0, color="red", linestyle="--", label="target: median ≤ 2 ms")
    axes.set_xticks(list(positions), channels, rotation=30, ha="right")
    axes.set_ylabel("ms per delivery (verify, parse, redact)")
    axes.set_title("Webhook latency in-process, per channel")
    axes.legend()
    figure.tight_layout()
    figure.savefig(RESULTS.parent / "channels.png", dpi=120)
    plt.close(figure)
