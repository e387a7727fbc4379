"""Decoding a webhook body into JSON objects, with the errors a platform should see."""

from __future__ import annotations

import json
import math
from typing import Any

from socialcare.webhook import MalformedPayload


def json_object(body: bytes) -> dict[str, Any]:
    try:
        # Strict UTF-8 (json.loads of bytes would let surrogates through), and no escaped lone
        # surrogate ("\ud800"): valid JSON, but no queue or table can carry it onwards.
        data = json.loads(body.decode("utf-8"))
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, huge numbers, deep nesting
        raise MalformedPayload(f"body is not JSON we accept: {type(error).__name__}") from None
    if not isinstance(data, dict):
        raise MalformedPayload("body is not a JSON object")
    return data


def field(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        raise MalformedPayload(f"{name!r} missing or not a {kind.__name__}")
    return value


def as_dict(value: Any) -> dict[str, Any]:
    """An optional nested object: anything else counts as absent."""
    return value if isinstance(value, dict) else {}


def as_int(value: Any) -> int:
    """An optional number the platforms send as int or string; garbage counts as 0."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's 1e999 is infinity
        return 0


def as_text(value: Any) -> str:
    """An optional string field; null, numbers and objects count as no text."""
    return value if isinstance(value, str) else ""


def as_float(value: Any) -> float:
    """An optional coordinate the platforms send as number or string; garbage counts as 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) else 0.0
