"""The reply contract: what the model is asked to return, and its output parsed into it.

The model is asked for JSON: {"text", "citations", "wants_human", "quick_replies"}. Small models
often write plain text instead; then the text is the reply, `[passage-id]` markers in it are its
citations and a `[handoff]` marker asks for a person. Either way the guards judge the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

CONTRACT = (
    '{"text": "<the reply to the customer>", "citations": ["<passage id>", ...], '
    '"wants_human": false, "quick_replies": ["<short follow-up>", ...]}'
)
HANDOFF_MARKER = "handoff"

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
# A marker with the spaces before it; a match starts only where a run of spaces does (linear).
_MARKER = re.compile(r"(?<!\s)\s*\[([A-Za-z0-9][\w-]{0,63})\]")
_MARKDOWN = re.compile(r"\*\*|__|^#+\s*", re.MULTILINE)
_WHOLE_SENTENCES = re.compile(r"^.*[.!?。！？](?=\s|$)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class DraftReply:
    """A model's reply before the guards: what it says, which passages it cites."""

    text: str
    citations: tuple[str, ...] = ()
    wants_human: bool = False
    quick_replies: tuple[str, ...] = ()
    truncated: bool = False  # the model hit max_tokens: the reply may stop mid-sentence
    structured: bool = False  # it followed the JSON contract


def parse_reply(raw: str, finish_reason: str = "stop") -> DraftReply:
    truncated = finish_reason == "length"
    data = _json_object(raw)
    if data is not None and isinstance(data.get("text"), str):
        text, marked = _strip_markers(data["text"])
        cited = [_bare_id(c) for c in _list(data.get("citations"))] + marked
        return DraftReply(
            text=_clean(text),
            citations=_unique(c for c in cited if c and c != HANDOFF_MARKER),
            wants_human=data.get("wants_human") is True or HANDOFF_MARKER in marked,
            quick_replies=tuple(_clean(q) for q in _list(data.get("quick_replies")) if q.strip()),
            truncated=truncated,
            structured=True,
        )
    text, marked = _strip_markers(raw)
    text = _clean(text)
    if truncated and not text.lstrip().startswith("{"):
        # Plain text cut at max_tokens: its whole sentences may still be a complete reply.
        whole = _WHOLE_SENTENCES.match(text)
        if whole:
            text, truncated = whole.group().strip(), False
    return DraftReply(
        text=text,
        citations=_unique(c for c in marked if c != HANDOFF_MARKER),
        wants_human=HANDOFF_MARKER in marked,
        truncated=truncated,
    )


def _json_object(raw: str) -> dict[str, Any] | None:
    fenced = _FENCE.search(raw)
    candidate = fenced.group(1) if fenced else raw
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(candidate[start : end + 1])
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def _strip_markers(text: str) -> tuple[str, list[str]]:
    marked = [m.lower() for m in _MARKER.findall(text)]
    return _MARKER.sub("", text), marked


def _bare_id(value: str) -> str:
    return value.strip().strip("[]").strip().lower()


def _list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _clean(text: str) -> str:
    """Plain text for chat apps: no Markdown emphasis or headings, no stray blank lines."""
    lines = [line.strip() for line in _MARKDOWN.sub("", text).strip().splitlines()]
    return "\n".join(line for line in lines if line)


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
