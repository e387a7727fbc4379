"""`socialcare erase CONVERSATION_ID --actor NAME`: erase one customer's data from every table
and record who did it, when and how much (never the data). Prints the audit record as JSON.

Reads the table names from CONVERSATIONS_TABLE, WEBCHAT_OUTBOX_TABLE and ERASURE_AUDIT_TABLE
(the stack's outputs name them), with the caller's AWS credentials."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from socialcare import bootstrap
from socialcare.model import StoreUnavailable
from socialcare.settings import SettingMissing


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "erase", help="erase one customer's data from every table, audited"
    )
    parser.add_argument("conversation_id", help='the customer\'s conversation, e.g. "telegram:42"')
    parser.add_argument("--actor", required=True, help="who asks for the erasure (audited)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        record = bootstrap.erasure().erase(args.conversation_id, args.actor)
    except (SettingMissing, StoreUnavailable, ValueError) as error:
        print(f"socialcare erase: {error}", file=sys.stderr)
        return 1
    print(json.dumps(record.to_json(), indent=2))
    if not record.complete:
        left = sum(record.remaining.values())
        print(f"socialcare erase: incomplete, {left} item(s) remain: run it again", file=sys.stderr)
        return 1
    return 0
