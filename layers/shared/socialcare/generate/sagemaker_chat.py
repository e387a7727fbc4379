"""The LLM port over a SageMaker endpoint running the Hugging Face TGI container.

TGI on SageMaker takes the Messages API body on `InvokeEndpoint` (its /invocations route) and
answers with an OpenAI chat completion. boto3 signs each call with SigV4. A body's `model` names
one of the LoRA adapters TGI loaded (LORA_ADAPTERS); without it TGI answers with its base model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from socialcare.generate.llm_port import ChatMessage, Completion, LlmError, completion_from_openai


class SageMakerChat:
    def __init__(
        self,
        endpoint_name: str,
        session: boto3.session.Session | None = None,
        model: str = "",
    ) -> None:
        """session: where clients come from (credentials, region, endpoint overrides such as
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME); None uses the default one. model: the LoRA adapter
        to answer with; empty for the endpoint's base model."""
        self._endpoint = endpoint_name
        self._model = model
        self._session = session or boto3.session.Session()

    def _client(self, timeout_s: float) -> Any:
        # botocore fixes the read timeout per client, and the timeout is what is left of this
        # reply's budget, so each call gets its own client (the session caches the service
        # model, so this takes milliseconds). No retries: the generation may still be running.
        return self._session.client(
            "sagemaker-runtime",
            config=Config(
                connect_timeout=min(2.0, timeout_s),
                read_timeout=timeout_s,
                retries={"total_max_attempts": 1},
            ),
        )

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float,
        timeout_s: float,
    ) -> Completion:
        body: dict[str, Any] = {
            "messages": [m.as_dict() for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }
        if self._model:
            body["model"] = self._model
        try:
            response = self._client(timeout_s).invoke_endpoint(
                EndpointName=self._endpoint,
                ContentType="application/json",
                Accept="application/json",
                Body=json.dumps(body, ensure_ascii=False).encode(),
            )
            raw = response["Body"].read()
        except (ReadTimeoutError, ConnectTimeoutError):
            raise LlmError("timeout", f"no completion within {timeout_s:.1f} s") from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "ClientError")
            raise LlmError(f"sagemaker_{code}") from None
        except BotoCoreError as error:
            raise LlmError("connection", type(error).__name__) from None
        try:
            return completion_from_openai(json.loads(raw))
        except json.JSONDecodeError:
            raise LlmError("bad_response", "not JSON") from None
