"""An estimate of what 1,000 conversations cost, from a committed price table (prices.json) and
what the run measured: the worker's time, the LLM's tokens and its time per reply."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRICES = Path(__file__).with_name("prices.json")
MILLION = 1_000_000


@dataclass(frozen=True, slots=True)
class Usage:
    """Means per conversation."""

    worker_s: float
    llm_s: float  # the LLM's own time (0: no LLM)
    prompt_tokens: float
    completion_tokens: float


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    prices: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return prices


def per_thousand(usage: Usage, prices: dict[str, Any]) -> dict[str, float]:
    """USD per 1,000 conversations: the AWS stack, and the LLM priced two ways (per token by an
    API provider, or a SageMaker instance's hour over the replies it serves in that hour)."""
    each = prices["per_conversation"]
    gb_s = each["webhook_memory_gb"] * each["webhook_seconds"]
    gb_s += each["worker_memory_gb"] * usage.worker_s
    aws = (
        gb_s * prices["lambda"]["per_gb_second"]
        + each["lambda_invocations"] * prices["lambda"]["per_million_requests"] / MILLION
        + each["api_requests"] * prices["api_gateway_http"]["per_million_requests"] / MILLION
        + each["sqs_requests"] * prices["sqs_fifo"]["per_million_requests"] / MILLION
        + each["dynamodb_write_units"]
        * prices["dynamodb_on_demand"]["per_million_write_units"]
        / MILLION
        + each["dynamodb_read_units"]
        * prices["dynamodb_on_demand"]["per_million_read_units"]
        / MILLION
    )
    api = (
        usage.prompt_tokens * prices["llm_api"]["per_million_input_tokens"]
        + usage.completion_tokens * prices["llm_api"]["per_million_output_tokens"]
    ) / MILLION
    sagemaker = prices["sagemaker"]["per_hour"] * usage.llm_s / 3600
    return {
        "aws_stack": round(aws * 1000, 4),
        "llm_per_token_api": round(api * 1000, 4),
        "llm_sagemaker_instance": round(sagemaker * 1000, 4),
        "total_with_api": round((aws + api) * 1000, 4),
        "total_with_sagemaker": round((aws + sagemaker) * 1000, 4),
    }
