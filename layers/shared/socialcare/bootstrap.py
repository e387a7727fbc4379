"""The composition root: builds each adapter from settings on first use and keeps it for the
warm container. Imports of boto3 and friends happen here, lazily, never at import time.
Tests call `reset()` between cases."""

from __future__ import annotations

import logging
import os
from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialcare.model import Channel
from socialcare.settings import SettingMissing, Settings

if TYPE_CHECKING:
    from socialcare.agents.desk import AgentDesk

    # Types only: the webhook functions never load the worker's pipeline or channel senders.
    from socialcare.channels.outbound import Outbound
    from socialcare.channels.webchat import WebchatSessions
    from socialcare.generate.brand import BrandPolicy
    from socialcare.generate.llm_port import ChatModel, Metrics
    from socialcare.generate.llm_writer import LlmWriter
    from socialcare.generate.powertools_metrics import PowertoolsMetrics
    from socialcare.knowledge.embeddings import Embedder
    from socialcare.knowledge.ingestion import Publisher
    from socialcare.knowledge.port import Retriever
    from socialcare.knowledge.snapshots import SnapshotStore
    from socialcare.pipeline import TurnHandler
    from socialcare.pseudonyms import Pseudonyms
    from socialcare.store.dynamodb_conversations import DynamoDBConversations
    from socialcare.store.dynamodb_customers import DynamoDBCustomers
    from socialcare.store.dynamodb_erasure import DynamoDBErasure
    from socialcare.store.dynamodb_insights import DynamoDBInsights
    from socialcare.store.dynamodb_webchat_outbox import DynamoDBWebchatOutbox
    from socialcare.store.idempotency import OncePerMessage
    from socialcare.webhook import InboundChannel

SECRET_MAX_AGE = 300  # seconds a secret is cached: rotation reaches warm containers within it


@cache
def settings() -> Settings:
    return Settings.from_env()


def secret(name: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(name, transform="json", max_age=SECRET_MAX_AGE)
    return value if isinstance(value, dict) else {}


def inbound_channel(channel: Channel) -> InboundChannel:
    creds = secret(settings().secret_name(channel))
    match channel:
        case Channel.MESSENGER | Channel.INSTAGRAM:
            from socialcare.channels.meta_messaging import MetaMessagingInbound

            return MetaMessagingInbound(
                channel, creds.get("app_secret", ""), creds.get("verify_token", "")
            )
        case Channel.WHATSAPP:
            from socialcare.channels.whatsapp import WhatsAppInbound

            return WhatsAppInbound(creds.get("app_secret", ""), creds.get("verify_token", ""))
        case Channel.X:
            from socialcare.channels.x import XInbound

            return XInbound(creds.get("consumer_secret", ""))
        case Channel.TELEGRAM:
            from socialcare.channels.telegram import TelegramInbound

            return TelegramInbound(creds.get("secret_token", ""))
        case Channel.WECHAT:
            return _wechat_inbound(creds)
        case Channel.LINE:
            from socialcare.channels.line import LineInbound

            return LineInbound(creds.get("channel_secret", ""))
        case Channel.WEBCHAT:
            from socialcare.channels.webchat import WebchatInbound

            return WebchatInbound(webchat_sessions())


def _wechat_inbound(creds: dict[str, Any]) -> InboundChannel:
    """Safe mode, or plain mode only when WECHAT_PLAIN_MODE=true says so: a secret without its
    EncodingAESKey stops the function rather than accepting bodies nobody signed."""
    from socialcare.channels.wechat import WeChatInbound
    from socialcare.channels.wechat_crypto import WeChatCrypto
    from socialcare.store.dynamodb_nonces import DynamoDBNonces

    config = settings()
    nonces = DynamoDBNonces(config.require("idempotency_table"))
    token, aes_key = creds.get("token", ""), creds.get("encoding_aes_key", "")
    if aes_key:
        crypto = WeChatCrypto(aes_key, creds.get("app_id", ""))
        return WeChatInbound(token, crypto, nonces=nonces)
    if not config.wechat_plain_mode:
        raise SettingMissing(
            f'the WeChat secret {config.secret_name(Channel.WECHAT)} has no "encoding_aes_key"'
            " (WECHAT_ENCODING_AES_KEY locally): WeChat's safe mode needs it. Plain mode signs"
            " no message body; to accept that anyway, set WECHAT_PLAIN_MODE=true"
        )
    logging.getLogger(__name__).warning(
        "WECHAT_PLAIN_MODE=true: WeChat message bodies are not signed, anyone who saw one "
        "signed request can post messages under it within its replay window; use safe mode",
        extra={"security_event": True},
    )
    return WeChatInbound(token, None, nonces=nonces, plain=True)


def webchat_sessions() -> WebchatSessions:
    from socialcare.channels.webchat import WebchatSessions

    creds = secret(settings().secret_name(Channel.WEBCHAT))
    return WebchatSessions(creds.get("signing_key", ""))


@cache
def webchat_outbox() -> DynamoDBWebchatOutbox:
    from socialcare.store.dynamodb_webchat_outbox import DynamoDBWebchatOutbox

    return DynamoDBWebchatOutbox(settings().require("webchat_outbox_table"))


@cache
def enqueue() -> OncePerMessage:
    from socialcare.store.idempotency import OncePerMessage
    from socialcare.store.sqs_inbound import SqsInbound

    queue = SqsInbound(settings().require("inbound_queue_url"))
    return OncePerMessage(queue.enqueue, settings().require("idempotency_table"))


def outbound(channel: Channel) -> Outbound:
    """The channel's sender, cached with the secret it was built from (see `_outbound`)."""
    if channel is Channel.WEBCHAT:
        from socialcare.channels.webchat import WebchatOutbound

        return WebchatOutbound(webchat_outbox())
    creds = secret(settings().secret_name(channel))
    return _outbound(channel, tuple(sorted(creds.items())))


@cache
def _outbound(channel: Channel, creds_items: tuple[tuple[str, Any], ...]) -> Outbound:
    # Keyed by the credentials, so a rotated secret builds a new sender; WeChat's keeps its
    # access token between messages.
    creds = dict(creds_items)
    http, base = _platform_http(), settings().api_bases[channel]
    match channel:
        case Channel.MESSENGER | Channel.INSTAGRAM:
            from socialcare.channels.meta_messaging import MetaMessagingOutbound

            token = creds.get("page_token") or creds.get("access_token", "")
            return MetaMessagingOutbound(channel, http, base, token)
        case Channel.WHATSAPP:
            from socialcare.channels.whatsapp import WhatsAppOutbound

            return WhatsAppOutbound(
                http, base, creds.get("access_token", ""), settings().whatsapp_template_name
            )
        case Channel.X:
            from socialcare.channels.x import XOutbound

            return XOutbound(http, base, creds.get("access_token", ""))
        case Channel.TELEGRAM:
            from socialcare.channels.telegram import TelegramOutbound

            return TelegramOutbound(http, base, creds.get("bot_token", ""))
        case Channel.WECHAT:
            from socialcare.channels.wechat import WeChatOutbound

            return WeChatOutbound(http, base, creds.get("app_id", ""), creds.get("app_secret", ""))
        case Channel.LINE:
            from socialcare.channels.line import LineOutbound

            return LineOutbound(http, base, creds.get("channel_access_token", ""))
    raise ValueError(f"no sender for {channel}")


@cache
def _platform_http() -> Any:
    from socialcare.channels.outbound_http import PlatformHttp

    return PlatformHttp()


@cache
def conversations() -> DynamoDBConversations:
    from socialcare.store.dynamodb_conversations import DynamoDBConversations

    return DynamoDBConversations(
        settings().require("conversations_table"), settings().retention_days
    )


@cache
def customers() -> DynamoDBCustomers:
    from socialcare.store.dynamodb_customers import DynamoDBCustomers

    return DynamoDBCustomers(settings().require("customers_table"))


@cache
def turn_handler() -> TurnHandler:
    from socialcare.dialogue.linking import Linking
    from socialcare.insights.metrics import AllMetrics
    from socialcare.pipeline import DialogueSettings, TurnHandler
    from socialcare.store.dynamodb_link_codes import DynamoDBLinkCodes
    from socialcare.store.dynamodb_orders import DynamoDBOrders
    from socialcare.telemetry.emf_metrics import EmfMetrics

    return TurnHandler(
        conversations(),
        retriever(),
        outbound,
        profiles=customers(),
        orders=DynamoDBOrders(settings().require("orders_table")),
        metrics=AllMetrics(EmfMetrics(), *filter(None, [insight_counts()])),
        dialogue=DialogueSettings(
            handback_after_s=settings().handback_after_s,
            expected_wait_minutes=settings().expected_wait_minutes,
            brand=brand_policy().name,
        ),
        lease_s=settings().answer_lease_s,
        writer=reply_writer(),
        pseudonym=pseudonyms(),
        erasure=erasure,  # issue 19: "forget me" from the customer
        linking=Linking(
            DynamoDBLinkCodes(settings().require("customers_table")), customers(), pseudonyms()
        ),
    )


@cache
def pseudonyms() -> Pseudonyms:
    """Log pseudonyms keyed by PSEUDONYM_SECRET_NAME's {"key": ...} (at least 32 characters),
    or by a random key of this process's when none is configured (see socialcare.pseudonyms)."""
    from socialcare.pseudonyms import Pseudonyms, per_process

    name = settings().pseudonym_secret_name
    if not name:
        return Pseudonyms(per_process())
    key = str(secret(name).get("key", ""))
    if len(key) < 32:
        raise SettingMissing(f'{name} holds no "key" of at least 32 characters')
    return Pseudonyms(key.encode())


def erasure() -> DynamoDBErasure:
    from socialcare.store.dynamodb_erasure import DynamoDBErasure

    return DynamoDBErasure(
        settings().require("conversations_table"),
        settings().require("webchat_outbox_table"),
        settings().require("erasure_audit_table"),
        customers_table=settings().customers_table,
        orders_table=settings().orders_table,
        pseudonym=pseudonyms(),
    )


@cache
def agent_desk() -> AgentDesk:
    from socialcare.agents.desk import AgentDesk

    return AgentDesk(conversations(), customers(), outbound, erasure, counts=insight_counts())


@cache
def insight_counts() -> DynamoDBInsights | None:
    """The insights' hourly counts, where the stack has their table."""
    from socialcare.store.dynamodb_insights import DynamoDBInsights

    table = settings().insights_table
    return DynamoDBInsights(table, settings().retention_days) if table else None


@cache
def embedder() -> Embedder:
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine

    model, threads = settings().embedding_model, settings().embedding_threads
    if model.startswith("s3://"):
        from socialcare.store.s3_blobs import fetch_once

        return E5Engine(fetch_once(model), threads=threads)
    return E5Engine(Path(model) if model else packaged_engine()[1], threads=threads)


@cache
def snapshot_store() -> SnapshotStore:
    """KB_STORE, or a folder in the user's cache for the CLI's own indexes."""
    from socialcare.knowledge.snapshots import FolderBlobs, SnapshotStore

    where = settings().kb_store
    if where.startswith("s3://"):
        from socialcare.store.s3_blobs import S3Blobs

        return SnapshotStore(S3Blobs(where))
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return SnapshotStore(FolderBlobs(Path(where or Path(cache_home) / "socialcare" / "kb")))


@cache
def retriever(index: str = "") -> Retriever:
    """The configured backend's index `index` (default KB_INDEX)."""
    from socialcare.knowledge.topics import packaged

    name = index or settings().kb_index
    if settings().kb_backend == "opensearch":
        from socialcare.knowledge.opensearch_index import OpenSearchIndex

        return OpenSearchIndex(_opensearch(), name, embedder(), packaged())
    from socialcare.knowledge.live_index import LiveIndex

    return LiveIndex(snapshot_store(), name, embedder, packaged())


def publishers() -> list[Publisher]:
    """Where an ingested snapshot goes live besides the snapshot store."""
    if settings().kb_backend != "opensearch":
        return []
    from socialcare.knowledge.opensearch_index import OpenSearchPublisher

    return [OpenSearchPublisher(_opensearch())]


def downloaded_document(bucket: str, key: str) -> AbstractContextManager[Path]:
    """The S3 object as a local file while the context is open."""
    from socialcare.store.s3_blobs import downloaded

    return downloaded(bucket, key)


@cache
def _opensearch() -> Any:
    from socialcare.knowledge.opensearch_client import opensearch_client

    config = settings()
    return opensearch_client(
        config.require("opensearch_endpoint"), config.opensearch_service, config.aws_region
    )


@cache
def brand_policy() -> BrandPolicy:
    """BRAND_POLICY_FILE's policy (a path, or s3://bucket/key as the stack's BrandPolicyKey
    sets it), or the packaged one: the LLM's persona and rules, and the name the greetings give."""
    from socialcare.generate.brand import load_brand_policy

    source = settings().brand_policy_file
    if source.startswith("s3://"):
        from socialcare.store.s3_blobs import fetch_once

        source = str(fetch_once(source))
    return load_brand_policy(source)


@cache
def reply_writer() -> LlmWriter | None:
    """The LLM reply writer, or None when no endpoint is configured (extractive answers)."""
    config = settings()
    if not (config.llm_endpoint_url or config.llm_sagemaker_endpoint):
        return None
    return llm_writer(_chat_model(), metrics())


def llm_writer(model: ChatModel, recorder: Metrics) -> LlmWriter:
    """A reply writer over `model` with the settings' brand, budget and limits, recording its
    calls to `recorder` (the evaluation writes with several models in one run)."""
    from socialcare.generate.circuit_breaker import CircuitBreaker
    from socialcare.generate.llm_writer import LlmWriter, WriterSettings

    config = settings()
    return LlmWriter(
        model,
        brand_policy(),
        recorder,
        settings=WriterSettings(
            max_tokens=config.llm_max_tokens,
            temperature=config.llm_temperature,
            timeout_s=config.llm_timeout_s,
            budget_s=config.llm_budget_s,
            max_input_tokens=config.llm_max_input_tokens,
        ),
        breaker=CircuitBreaker(config.llm_breaker_failures, config.llm_breaker_cooldown_s),
    )


def _chat_model() -> ChatModel:
    config = settings()
    if config.llm_sagemaker_endpoint:
        from socialcare.generate.sagemaker_chat import SageMakerChat

        return SageMakerChat(
            config.llm_sagemaker_endpoint, model=config.llm_model, engine=config.llm_engine
        )
    return openai_compatible_chat(config.llm_endpoint_url, config.llm_model)


def openai_compatible_chat(base_url: str, model: str) -> ChatModel:
    """The chat model at an OpenAI-compatible base URL (ending in /v1), with the settings' key
    and engine (LLM_ENGINE, validated: a ValueError names the engines known)."""
    from socialcare.generate.openai_compatible import OpenAICompatibleChat

    return OpenAICompatibleChat(base_url, model, _llm_api_key, engine=settings().llm_engine)


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

    for built in (
        settings,
        enqueue,
        webchat_outbox,
        _outbound,
        _platform_http,
        conversations,
        customers,
        turn_handler,
        agent_desk,
        insight_counts,
        brand_policy,
        embedder,
        snapshot_store,
        retriever,
        _opensearch,
        reply_writer,
        metrics,
        pseudonyms,
    ):
        built.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]
