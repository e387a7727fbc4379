"""The LLM port over the OpenAI-compatible chat API: `POST {base_url}/chat/completions`.

One client speaks to vLLM, SGLang, llama.cpp's servers, TGI's Messages API, `transformers serve`
or any other such server. The one engine-specific part is how the reply contract's JSON schema
is asked for (reply_contract.response_format), chosen by the configured engine; an endpoint that
refuses it is asked without it (llm_port.SchemaFallback). The body goes out as built here, with
httpx: huggingface_hub's InferenceClient rewrites a json_schema response_format into TGI's
grammar form, which vLLM and llama.cpp's servers do not take.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2

from socialcare.generate.llm_port import (
    Completion,
    LlmError,
    StructuredChat,
    completion_from_openai,
)


class OpenAICompatibleChat(StructuredChat):
    def __init__(
        self,
        base_url: str,
        model: str = "",
        api_key: Callable[[], str] = str,
        http: httpx2.Client | None = None,
        engine: str = "openai",
    ) -> None:
        """base_url ends in /v1 (http://127.0.0.1:8000/v1); model is what the server calls it
        (empty for servers of one model, like TGI); api_key gives the current key (a rotated
        secret reaches a warm container); http is the connection pool (None: its own); engine
        names the server (reply_contract.ENGINES), which says how to ask it for a schema."""
        super().__init__(model, engine)
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._http = http or httpx2.Client()

    def _post(self, body: dict[str, Any], timeout_s: float) -> Completion:
        key = self._api_key()
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            # The timeout is what is left of this reply's budget, for the whole exchange.
            response = self._http.post(self._url, json=body, headers=headers, timeout=timeout_s)
        except httpx2.TimeoutException:
            raise LlmError("timeout", f"no completion within {timeout_s:.1f} s") from None
        except httpx2.TransportError as error:
            raise LlmError("connection", type(error).__name__) from None
        if response.status_code >= 400:
            raise LlmError(f"http_{response.status_code}")
        try:
            return completion_from_openai(response.json())
        except (json.JSONDecodeError, httpx2.DecodingError):
            raise LlmError("bad_response", "not JSON") from None
