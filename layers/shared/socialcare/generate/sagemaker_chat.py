"""The LLM port over a SageMaker endpoint running vLLM (AWS's vLLM container for SageMaker) or
the Hugging Face TGI container.

Both take the OpenAI chat completions body on `InvokeEndpoint` (their /invocations route) and
answer with an OpenAI chat completion. boto3 signs each call with SigV4. A body's `model` names
one of the LoRA adapters the engine loaded; without it the endpoint answers with its base model.
The reply contract's JSON schema goes in the form the engine takes (vLLM: json_schema, TGI: its
grammar); a container that refuses it is asked without it (llm_port.SchemaFallback).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from socialcare.generate.llm_port import (
    Completion,
    LlmError,
    StructuredChat,
    completion_from_openai,
)


class SageMakerChat(StructuredChat):
    def __init__(
        self,
        endpoint_name: str,
        session: boto3.session.Session | None = None,
        model: str = "",
        engine: str = "vllm",
    ) -> None:
        """session: where clients come from (credentials, region, endpoint overrides such as
        AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME); None uses the default one. model: the LoRA adapter
        to answer with; empty for the endpoint's base model. engine: the container's engine
        (reply_contract.ENGINES)."""
        super().__init__(model, engine)
        self._endpoint = endpoint_name
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

    def _post(self, body: dict[str, Any], timeout_s: float) -> Completion:
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
            # ModelError: the container answered with an error status, kept in the reason (a
            # 400/422 is the request's form refused; a 5xx the model failing).
            status = error.response.get("OriginalStatusCode")
            raise LlmError(f"sagemaker_{code}" + (f"_{status}" if status else "")) from None
        except BotoCoreError as error:
            raise LlmError("connection", type(error).__name__) from None
        try:
            return completion_from_openai(json.loads(raw))
        except json.JSONDecodeError:
            raise LlmError("bad_response", "not JSON") from None
