"""The composition root: builds each adapter from settings on first use and keeps it for the
warm container. Imports of boto3 and friends happen here, lazily, never at import time.
Tests call `reset()` between cases."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from socialcare.channels.outbound import Outbound
from socialcare.model import Channel
from socialcare.pipeline import TurnHandler
from socialcare.settings import Settings
from socialcare.webhook import InboundChannel

if TYPE_CHECKING:
    from socialcare.generate.llm_port import ChatModel
    from socialcare.generate.llm_writer import LlmWriter
    from socialcare.generate.powertools_metrics import PowertoolsMetrics
    from socialcare.store.idempotency import OncePerMessage

SECRET_MAX_AGE = 300  # seconds a secret is cached: rotation reaches warm containers within it


@cache
def settings() -> Settings:
    return Settings.from_env()


def secret(name: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(name, transform="json", max_age=SECRET_MAX_AGE)
    return value if isinstance(value, dict) else {}


def inbound_channel(channel: Channel) -> InboundChannel:
    match channel:
        case Channel.TELEGRAM:
            from socialcare.channels.telegram import TelegramInbound

            creds = secret(settings().require("telegram_secret_name"))
            return TelegramInbound(creds.get("secret_token", ""))
        case Channel.WHATSAPP:
            from socialcare.channels.whatsapp import WhatsAppInbound

            creds = secret(settings().require("whatsapp_secret_name"))
            return WhatsAppInbound(creds.get("app_secret", ""), creds.get("verify_token", ""))


@cache
def enqueue() -> OncePerMessage:
    from socialcare.store.idempotency import OncePerMessage
    from socialcare.store.sqs_inbound import SqsInbound

    queue = SqsInbound(settings().require("inbound_queue_url"))
    return OncePerMessage(queue.enqueue, settings().require("idempotency_table"))


def outbound(channel: Channel) -> Outbound:
    match channel:
        case Channel.TELEGRAM:
            from socialcare.channels.telegram import TelegramOutbound

            creds = secret(settings().require("telegram_secret_name"))
            return TelegramOutbound(
                _platform_http(), settings().telegram_api_base, creds.get("bot_token", "")
            )
        case Channel.WHATSAPP:
            from socialcare.channels.whatsapp import WhatsAppOutbound

            creds = secret(settings().require("whatsapp_secret_name"))
            return WhatsAppOutbound(
                _platform_http(), settings().whatsapp_api_base, creds.get("access_token", "")
            )


@cache
def _platform_http() -> Any:
    from socialcare.channels.outbound_http import PlatformHttp

    return PlatformHttp()


@cache
def turn_handler() -> TurnHandler:
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.store.dynamodb_conversations import DynamoDBConversations

    store = DynamoDBConversations(
        settings().require("conversations_table"), settings().retention_days
    )
    return TurnHandler(store, EmbeddedIndex.from_folder(), outbound, writer=reply_writer())


@cache
def reply_writer() -> LlmWriter | None:
    """The LLM reply writer, or None when no endpoint is configured (extractive answers)."""
    config = settings()
    if not (config.llm_endpoint_url or config.llm_sagemaker_endpoint):
        return None
    from socialcare.generate.brand import load_brand_policy
    from socialcare.generate.llm_writer import LlmWriter, WriterSettings

    return LlmWriter(
        _chat_model(),
        load_brand_policy(config.brand_policy_file),
        metrics(),
        settings=WriterSettings(
            max_tokens=config.llm_max_tokens,
            temperature=config.llm_temperature,
            timeout_s=config.llm_timeout_s,
            budget_s=config.llm_budget_s,
            max_input_tokens=config.llm_max_input_tokens,
        ),
    )


def _chat_model() -> ChatModel:
    config = settings()
    if config.llm_sagemaker_endpoint:
        from socialcare.generate.sagemaker_chat import SageMakerChat

        return SageMakerChat(config.llm_sagemaker_endpoint)
    from socialcare.generate.openai_compatible import OpenAICompatibleChat

    return OpenAICompatibleChat(config.llm_endpoint_url, config.llm_model, _llm_api_key)


def _llm_api_key() -> str:
    config = settings()
    if config.llm_api_key or not config.llm_secret_name:
        return config.llm_api_key
    return str(secret(config.llm_secret_name).get("api_key", ""))


@cache
def metrics() -> PowertoolsMetrics:
    from socialcare.generate.powertools_metrics import PowertoolsMetrics

    return PowertoolsMetrics()


def reset() -> None:
    """Forget every built adapter and cached secret (tests, or a changed environment)."""
    from aws_lambda_powertools.utilities import parameters

    for built in (settings, enqueue, _platform_http, turn_handler, reply_writer, metrics):
        built.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]
