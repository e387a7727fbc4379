"""The LLM port: what reply writing asks of any chat endpoint, and the one error it may raise.

Adapters (an OpenAI-compatible HTTP endpoint, a SageMaker endpoint) translate their own failures
into `LlmError`, so that the domain never sees an HTTP or AWS exception.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from socialcare.generate.reply_contract import check_engine, response_format


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


logger = logging.getLogger(__name__)
# Statuses with which a server refuses a request's form (a response_format it does not take).
REFUSED_STATUSES = ("400", "422")


class ChatModel(Protocol):
    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        """One chat completion within timeout_s seconds; raises LlmError otherwise. With a
        schema (a JSON schema), an engine that can decodes to it; one that cannot is asked
        without it and its text is parsed as it comes."""


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


class SchemaFallback:
    """Structured output where the endpoint takes it: a call with the engine's response_format
    that the endpoint refuses (HTTP 400/422) is made once more without it, and when that works
    the endpoint is asked without it from then on (its text parsed as it comes). A refusal of
    the plain request too is the request's own failure, and nothing is remembered."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.refused = False
        self._clock = clock

    def call(
        self,
        send: Callable[[dict[str, Any] | None, float], Completion],
        response_format: dict[str, Any] | None,
        timeout_s: float,
    ) -> Completion:
        """send(response_format or None, timeout_s) makes one call."""
        if response_format is None or self.refused:
            return send(None, timeout_s)
        started = self._clock()
        try:
            return send(response_format, timeout_s)
        except LlmError as error:
            if error.reason.rsplit("_", 1)[-1] not in REFUSED_STATUSES:
                raise
            refusal = error.reason
        completion = send(None, max(0.1, timeout_s - (self._clock() - started)))
        self.refused = True
        logger.warning(
            "llm endpoint refused the reply schema: its text is parsed instead",
            extra={"reason": refusal, "response_format": response_format.get("type")},
        )
        return completion


class StructuredChat(ABC):
    """What every transport (OpenAI's API, SageMaker's) shares: the chat-completions body with the
    engine's form of the reply schema, asked without it once the endpoint refuses it. A
    transport implements `_post`, one exchange within `timeout_s`."""

    def __init__(self, model: str, engine: str) -> None:
        """model: the served model or LoRA adapter to name (empty: the one it serves); engine:
        the server (reply_contract.ENGINES), which says how to ask it for a schema."""
        self._model = model
        self._engine = check_engine(engine)
        self._fallback = SchemaFallback()

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
        schema: dict[str, Any] | None = None,
    ) -> Completion:
        def send(form: dict[str, Any] | None, timeout: float) -> Completion:
            body: dict[str, Any] = {
                "messages": [m.as_dict() for m in messages],
                "max_tokens": max_tokens,
                "temperature": temperature,
            }
            if self._model:  # servers of one model answer with it
                body["model"] = self._model
            if form:
                body["response_format"] = form
            return self._post(body, timeout)

        return self._fallback.call(send, response_format(self._engine, schema), timeout_s)

    @abstractmethod
    def _post(self, body: dict[str, Any], timeout_s: float) -> Completion:
        """One exchange with the endpoint, its failures as LlmError."""
