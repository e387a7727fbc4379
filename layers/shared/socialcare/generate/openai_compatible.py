"""The LLM port over the OpenAI-compatible chat API, through huggingface_hub's InferenceClient.

One client speaks to TGI's Messages API, vLLM, `transformers serve` or any other server of
`POST {base_url}/chat/completions`; nothing here depends on one server's own features.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import httpx2
from huggingface_hub import InferenceClient
from huggingface_hub.errors import HfHubHTTPError, InferenceTimeoutError

from socialcare.generate.llm_port import ChatMessage, Completion, LlmError, completion_from_openai

ClientFactory = Callable[..., InferenceClient]


class OpenAICompatibleChat:
    def __init__(
        self,
        base_url: str,
        model: str = "",
        api_key: Callable[[], str] = str,
        client: ClientFactory = InferenceClient,
    ) -> None:
        """base_url ends in /v1 (http://127.0.0.1:8000/v1); model is what the server calls it
        (empty for servers of one model, like TGI); api_key gives the current key (a rotated
        secret reaches a warm container); client builds an InferenceClient."""
        self._base_url = base_url.rstrip("/")
        self._model = model or None
        self._api_key = api_key
        self._client = client

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
    ) -> Completion:
        # A client per call: its timeout is the time left in this reply's budget. The HTTP
        # connection pool underneath is huggingface_hub's shared one, so this costs nothing.
        client = self._client(
            base_url=self._base_url, api_key=self._api_key() or None, timeout=timeout_s
        )
        try:
            output: Any = client.chat_completion(
                messages=[m.as_dict() for m in messages],
                model=self._model,
                max_tokens=max_tokens,
                temperature=temperature,
            )
        except InferenceTimeoutError:
            raise LlmError("timeout", f"no completion within {timeout_s:.1f} s") from None
        except HfHubHTTPError as error:
            raise LlmError(f"http_{error.response.status_code}") from None
        except httpx2.TransportError as error:
            raise LlmError("connection", type(error).__name__) from None
        except (json.JSONDecodeError, httpx2.DecodingError):
            raise LlmError("bad_response", "not JSON") from None
        return completion_from_openai(output)
