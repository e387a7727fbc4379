"""`socialcare answer TEXT`: what the agent would reply, without any channel or AWS."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import compose
from socialcare.understand.language import detect_language
from socialcare.understand.pii import redact


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("answer", help="print the reply the agent would send")
    parser.add_argument("text", help="what the customer wrote")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = redact(args.text)
    message = InboundMessage(Channel.TELEGRAM, "cli", "cli", "cli", "cli", Kind.TEXT, text)
    from socialcare import bootstrap

    reply = compose(message, detect_language(text), bootstrap.retriever())
    print(json.dumps(asdict(reply), ensure_ascii=False, indent=2))
    return 0
