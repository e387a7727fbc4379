"""Typed settings, read once from the environment. Names and URLs only: secrets come from
Secrets Manager, by the names given here."""

from __future__ import annotations

import os
from dataclasses import dataclass


class SettingMissing(RuntimeError):
    """A setting the running function needs is not in its environment."""


@dataclass(frozen=True, slots=True)
class Settings:
    inbound_queue_url: str
    idempotency_table: str
    conversations_table: str
    telegram_secret_name: str
    whatsapp_secret_name: str
    telegram_api_base: str
    whatsapp_api_base: str
    retention_days: int
    llm_endpoint_url: str  # an OpenAI-compatible base URL ending in /v1; empty: no LLM
    llm_sagemaker_endpoint: str  # a SageMaker endpoint running TGI (takes precedence)
    llm_model: str  # the model name the endpoint expects, if it serves several
    llm_api_key: str  # outside AWS only; in AWS the key comes from the secret below
    llm_secret_name: str  # Secrets Manager secret {"api_key": ...} for the endpoint
    llm_timeout_s: float  # one completion
    llm_budget_s: float  # one reply, repair included: the customer waits no longer for the LLM
    llm_max_tokens: int
    llm_temperature: float
    llm_max_input_tokens: int  # the prompt's budget: passages and history are trimmed to it
    brand_policy_file: str  # empty: the packaged Lumen & Co. policy

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            inbound_queue_url=env.get("INBOUND_QUEUE_URL", ""),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", ""),
            conversations_table=env.get("CONVERSATIONS_TABLE", ""),
            telegram_secret_name=env.get("TELEGRAM_SECRET_NAME", ""),
            whatsapp_secret_name=env.get("WHATSAPP_SECRET_NAME", ""),
            telegram_api_base=env.get("TELEGRAM_API_BASE", "https://api.telegram.org"),
            whatsapp_api_base=env.get("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0"),
            retention_days=int(env.get("RETENTION_DAYS", "30")),
            llm_endpoint_url=env.get("LLM_ENDPOINT_URL", ""),
            llm_sagemaker_endpoint=env.get("LLM_SAGEMAKER_ENDPOINT", ""),
            llm_model=env.get("LLM_MODEL", ""),
            llm_api_key=env.get("LLM_API_KEY", ""),
            llm_secret_name=env.get("LLM_SECRET_NAME", ""),
            llm_timeout_s=float(env.get("LLM_TIMEOUT_S", "5")),
            llm_budget_s=float(env.get("LLM_BUDGET_S", "6")),
            llm_max_tokens=int(env.get("LLM_MAX_TOKENS", "300")),
            llm_temperature=float(env.get("LLM_TEMPERATURE", "0.2")),
            llm_max_input_tokens=int(env.get("LLM_MAX_INPUT_TOKENS", "2048")),
            brand_policy_file=env.get("BRAND_POLICY_FILE", ""),
        )

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            raise SettingMissing(f"{name.upper()} is not set")
        return str(value)
