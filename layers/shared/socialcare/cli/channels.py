"""`socialcare channels [CHANNEL] [--text TEXT]`: what each channel can carry, and how a reply
would be rendered there (split, buttons or numbered options, public answer, window)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from typing import Any

from socialcare.channels.capabilities import CAPABILITIES
from socialcare.channels.outbound import render
from socialcare.dialogue.messages import say
from socialcare.dialogue.replies import greeting
from socialcare.model import Channel, InboundMessage, Kind, Reply, Visibility


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "channels", help="print each channel's capabilities, or how a reply renders on one"
    )
    parser.add_argument("channel", nargs="?", choices=[c.value for c in Channel])
    parser.add_argument("--text", help="a reply to render (default: the greeting with topics)")
    parser.add_argument("--public", action="store_true", help="as the answer to a public post")
    parser.add_argument(
        "--window-closed", action="store_true", help="as if the message window had closed"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.channel is None:
        table = {channel.value: asdict(caps) for channel, caps in CAPABILITIES.items()}
        print(json.dumps(table, indent=2))
        return 0
    channel = Channel(args.channel)
    from socialcare import bootstrap

    reply = (
        Reply(args.text, "en", "cli")
        if args.text
        else greeting("en", bootstrap.brand_policy().name)
    )
    visibility = Visibility.PUBLIC if args.public else Visibility.PRIVATE
    message = InboundMessage(channel, "cli", "cli", "cli", "cli", Kind.TEXT, visibility=visibility)
    if args.public:
        reply = replace(reply, public=say("go_private", "en"))
    outgoing = render(reply, message, CAPABILITIES[channel], window_open=not args.window_closed)
    print(json.dumps([asdict(o) for o in outgoing], ensure_ascii=False, indent=2))
    return 0
