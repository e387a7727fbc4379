"""The LLM port: what reply writing asks of any chat endpoint, and the one error it may raise.

Adapters (an OpenAI-compatible HTTP endpoint, a SageMaker endpoint) translate their own failures
into `LlmError`, so that the domain never sees an HTTP or AWS exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: str  # "system", "user" or "assistant"
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    finish_reason: str  # "stop", "length" (cut at max_tokens) ...
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LlmError(Exception):
    """The endpoint did not give a usable completion. `reason` is a short, stable code for logs
    and metrics: "timeout", "connection", "http_503", "bad_response" ..."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class ChatModel(Protocol):
    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
    ) -> Completion:
        """One chat completion within timeout_s seconds; raises LlmError otherwise."""


class Metrics(Protocol):
    def add(self, name: str, value: float, unit: str) -> None:
        """Record one value; unit is "Count" or "Milliseconds"."""


def completion_from_openai(body: object) -> Completion:
    """The first choice of an OpenAI chat completion body (a dict), or LlmError("bad_response")."""
    if not isinstance(body, dict):
        raise LlmError("bad_response", "not a JSON object")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LlmError("bad_response", "no choices")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise LlmError("bad_response", "no message content")
    usage = body.get("usage")
    if not isinstance(usage, dict):
        usage = {}
    return Completion(
        text=content,
        finish_reason=str(choices[0].get("finish_reason") or ""),
        prompt_tokens=_int(usage.get("prompt_tokens")),
        completion_tokens=_int(usage.get("completion_tokens")),
    )


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
