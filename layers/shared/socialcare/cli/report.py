"""`socialcare report outcomes --since 7d`: the outcome figures (insights.outcomes) recounted from
the conversations table: per channel and language, the shares resolved by the bot alone, handed
to a person and reopened within 7 days, and the satisfaction score. `--json` prints the figures
as the console's insights give them.

Reads CONVERSATIONS_TABLE (the stack's outputs name it), with the caller's AWS credentials."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

from socialcare import bootstrap
from socialcare.insights.outcomes import outcome_figures
from socialcare.model import StoreUnavailable
from socialcare.settings import SettingMissing

_SPAN = re.compile(r"^(\d{1,5})([mhd])$")
_UNIT_S = {"m": 60, "h": 3600, "d": 86400}
SHARES = ("resolved_by_bot", "handed_to_person", "reopened_7d")
COLUMNS = ("conversations", *SHARES, "csat")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help="outcome figures recounted from the tables")
    parser.add_argument("what", choices=["outcomes"])
    parser.add_argument("--since", default="7d", type=span_s, help="30m, 24h, 7d ... (7d)")
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.set_defaults(run=run)


def span_s(text: str) -> float:
    found = _SPAN.match(text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"{text!r}: a number and m, h or d, e.g. 7d")
    return int(found.group(1)) * _UNIT_S[found.group(2)]


def run(args: argparse.Namespace) -> int:
    try:
        conversations = bootstrap.conversations().scan()
    except (SettingMissing, StoreUnavailable) as error:
        print(f"socialcare report: {error}", file=sys.stderr)
        return 1
    figures = outcome_figures(conversations, since=time.time() - args.since)
    print(json.dumps(figures, indent=2) if args.json else table(figures))
    return 0


def table(figures: dict[str, Any]) -> str:
    rows = [("channel/language", *COLUMNS)]
    for key, row in [*figures["by_channel_language"].items(), ("all", figures["all"])]:
        rows.append((key, *(_cell(c, row[c]) for c in COLUMNS)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.0%}" if column in SHARES else str(value)
