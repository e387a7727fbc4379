"""`socialcare answer TEXT`: what the agent would reply, without any channel or AWS.

With an LLM endpoint (`--llm-endpoint`, or LLM_ENDPOINT_URL as the worker reads it) the reply
is written by the model and guarded, exactly as in the worker; without, it is extractive.
"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import asdict
from typing import Any

from socialcare.generate.prompt import CustomerProfile
from socialcare.generate.reply_style import ReplyStyle, reply_style
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import ReplyWriter, compose
from socialcare.understand.pii import redact
from socialcare.understand.understanding import understand


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("answer", help="print the reply the agent would send")
    parser.add_argument("text", help="what the customer wrote")
    parser.add_argument("--name", default="", help="the customer's name, for the LLM")
    add_llm_options(parser)
    parser.set_defaults(run=run)


def add_llm_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--llm-endpoint",
        default=None,
        help="OpenAI-compatible base URL ending in /v1 (default: LLM_ENDPOINT_URL)",
    )
    parser.add_argument("--llm-model", default=None, help="model name (default: LLM_MODEL)")
    parser.add_argument(
        "--channel", default=None, help="channel whose limits apply (telegram, x, ...)"
    )
    parser.add_argument(
        "--public", action="store_true", help="a public reply (280 characters on X)"
    )


def writer_and_style(args: argparse.Namespace) -> tuple[ReplyWriter | None, ReplyStyle]:
    """The LLM writer the settings describe (None without an endpoint), and the reply style."""
    from socialcare import bootstrap

    for variable, value in (("LLM_ENDPOINT_URL", args.llm_endpoint), ("LLM_MODEL", args.llm_model)):
        if value is not None:
            os.environ[variable] = value
    bootstrap.reset()
    writer = bootstrap.reply_writer()
    brand = writer.brand if writer else bootstrap.brand_policy()
    channel = args.channel or "telegram"
    return writer, reply_style(channel, public=args.public, brand_max=brand.max_reply_chars)


def run(args: argparse.Namespace) -> int:
    text = redact(args.text)
    message = InboundMessage(Channel.TELEGRAM, "cli", "cli", "cli", "cli", Kind.TEXT, text)
    from socialcare import bootstrap

    writer, style = writer_and_style(args)
    brand = bootstrap.brand_policy().name
    understood = understand(text)  # the worker's decision weighs the intent model's reading
    if writer is None and args.channel is None and not args.public:
        # extractive: the worker's answer without an LLM
        reply = compose(
            message,
            understood.language,
            bootstrap.retriever(),
            brand=brand,
            intent=understood.intent.name,
        )
    else:
        reply = compose(
            message,
            understood.language,
            bootstrap.retriever(),
            writer=writer,
            style=style,
            profile=CustomerProfile(args.name) if args.name else None,
            brand=brand,
            intent=understood.intent.name,
        )
    print(json.dumps(asdict(reply), ensure_ascii=False, indent=2))
    return 0
