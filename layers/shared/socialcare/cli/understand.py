"""`socialcare understand`: JSON lines {"text": ...} in (optionally "names": the customer's names
from the platform profile), one JSON object per line out with language, sentiment, intent,
entities, personal data, the redacted text, and the toxic and urgent flags."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from socialcare.understand.understanding import understand


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "understand", help='understand JSON lines {"text": ...} from stdin', description=__doc__
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    failed = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            failed += 1
            _write({"error": f"line {number}: not JSON ({error.msg})"})
            continue
        if not isinstance(item, dict) or "text" not in item:
            failed += 1
            _write({"error": f'line {number}: expected an object with a "text"'})
            continue
        names = item.get("names")
        names = [n for n in names if isinstance(n, str)] if isinstance(names, list) else []
        _write(understand(item["text"], names).to_dict())
    return 1 if failed else 0


def _write(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
