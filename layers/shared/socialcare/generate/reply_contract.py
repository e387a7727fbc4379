"""The reply contract: what the model is asked to return, and its output parsed into it.

The model is asked for JSON: {"text", "citations", "wants_human", "quick_replies"}, and engines
that decode to a JSON schema (vLLM, SGLang, llama.cpp, TGI) are given it as one, in the form each
understands: then the draft has the contract's shape by construction. Without a schema, small
models often write plain text instead; then the text is the reply, `[passage-id]` markers in it
are its citations and a `[handoff]` marker asks for a person. Either way the guards judge it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CONTRACT = (
    '{"text": "<the reply to the customer>", "citations": ["<passage id>", ...], '
    '"wants_human": false, "quick_replies": ["<short follow-up>", ...]}'
)
HANDOFF_MARKER = "handoff"
# The contract's own placeholders ("<the reply to the customer>"), which a small model decoding
# to the schema copies as its answer: read as nothing said.
PLACEHOLDERS = frozenset(re.findall(r"<[^<>]+>", CONTRACT))
# How each engine takes a JSON schema on the chat API (LLM_ENGINE): the OpenAI form, which
# llama.cpp's own server, vLLM and SGLang decode to; llama-cpp-python's server, which refuses
# that form with a validation error and takes the schema inside "json_object"; TGI's grammar;
# and none for `transformers serve`, which ignores response_format.
ENGINES: dict[str, str] = {
    "openai": "json_schema",
    "vllm": "json_schema",
    "sglang": "json_schema",
    "llama.cpp": "json_schema",
    "llama-cpp-python": "json_object",
    "tgi": "grammar",
    "transformers": "",
}
QUICK_REPLY_CHARS = 25

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
# A marker with the spaces before it; a match starts only where a run of spaces does (linear).
_MARKER = re.compile(r"(?<!\s)\s*\[([A-Za-z0-9][\w-]{0,63})\]")
_MARKDOWN = re.compile(r"\*\*|__|^#+\s*", re.MULTILINE)
_OPENED_CONTRACT = re.compile(r'(?<!\s)\s*\{\s*"text"\s*:\s*')  # the contract, begun (linear)
# Line breaks written as they are inside a string: schema grammars (llama.cpp's) allow them.
_LENIENT = json.JSONDecoder(strict=False)
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


def check_engine(engine: str) -> str:
    """The engine name, or ValueError naming the ones this knows (a typo must not silently
    turn structured output off)."""
    if engine not in ENGINES:
        raise ValueError(f"LLM_ENGINE={engine!r}: one of {', '.join(ENGINES)}")
    return engine


def reply_schema(passage_ids: Sequence[str]) -> dict[str, Any]:
    """The contract as a JSON schema; its citations can only name the passages shown."""
    cited: dict[str, Any] = {"type": "string"}
    if passage_ids:
        cited["enum"] = list(dict.fromkeys(passage_ids))
    return {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1},
            "citations": {"type": "array", "items": cited, "minItems": 1, "maxItems": 3},
            "wants_human": {"type": "boolean"},
            "quick_replies": {
                "type": "array",
                "items": {"type": "string", "maxLength": QUICK_REPLY_CHARS},
                "maxItems": 3,
            },
        },
        "required": ["text", "citations", "wants_human", "quick_replies"],
        "additionalProperties": False,
    }


def response_format(engine: str, schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """The chat API's `response_format` asking `engine` for `schema`; None where it has none."""
    form = ENGINES[check_engine(engine)]
    if schema is None or not form:
        return None
    if form == "json_object":
        return {"type": "json_object", "schema": schema}
    if form == "grammar":
        return {"type": "json", "value": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": "reply", "schema": schema, "strict": True},
    }


def parse_reply(raw: str, finish_reason: str = "stop") -> DraftReply:
    truncated = finish_reason == "length"
    data = _json_object(raw)
    if data is not None and isinstance(data.get("text"), str):
        text, marked = _strip_markers(data["text"])
        cited = [_bare_id(c) for c in _list(data.get("citations"))] + marked
        quick = (_clean(q) for q in _list(data.get("quick_replies")))
        return DraftReply(
            text=_said(text),
            citations=_unique(c for c in cited if c and c != HANDOFF_MARKER),
            wants_human=data.get("wants_human") is True or HANDOFF_MARKER in marked,
            quick_replies=tuple(q for q in quick if q and q not in PLACEHOLDERS),
            truncated=truncated,
            structured=True,
        )
    if _OPENED_CONTRACT.match(raw):
        return _broken_contract(raw)
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


def _broken_contract(raw: str) -> DraftReply:
    """The contract begun but not valid JSON (the engine stopped mid-object, or wrote it
    wrong): its text when that string is whole (the guards find what it draws on), else the
    output marked cut off, so that no half-object reaches a customer."""
    start = _OPENED_CONTRACT.match(raw)
    try:
        text, _ = _LENIENT.raw_decode(raw, start.end() if start else 0)
    except json.JSONDecodeError:
        text = None
    if not isinstance(text, str) or not text.strip():
        return DraftReply(text=raw.strip(), truncated=True)
    text, marked = _strip_markers(text)
    return DraftReply(
        text=_said(text),
        citations=_unique(c for c in marked if c != HANDOFF_MARKER),
        wants_human=HANDOFF_MARKER in marked,
    )


def _json_object(raw: str) -> dict[str, Any] | None:
    fenced = _FENCE.search(raw)
    candidate = fenced.group(1) if fenced else raw
    start, end = candidate.find("{"), candidate.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = _LENIENT.decode(candidate[start : end + 1])
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


def _said(text: str) -> str:
    """The contract's text, clean; empty when it is one of the contract's placeholders."""
    cleaned = _clean(text)
    return "" if cleaned in PLACEHOLDERS else cleaned


def _clean(text: str) -> str:
    """Plain text for chat apps: no Markdown emphasis or headings, no stray blank lines."""
    lines = [line.strip() for line in _MARKDOWN.sub("", text).strip().splitlines()]
    return "\n".join(line for line in lines if line)


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
