"""The composition root: builds each adapter from settings on first use and keeps it for the
warm container. Imports of boto3 and friends happen here, lazily, never at import time.
Tests call `reset()` between cases."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialcare.channels.outbound import Outbound
from socialcare.model import Channel
from socialcare.pipeline import TurnHandler
from socialcare.settings import Settings
from socialcare.webhook import InboundChannel

if TYPE_CHECKING:
    from socialcare.knowledge.embeddings import Embedder
    from socialcare.knowledge.ingestion import Publisher
    from socialcare.knowledge.port import Retriever
    from socialcare.knowledge.snapshots import SnapshotStore
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
    from socialcare.store.dynamodb_conversations import DynamoDBConversations

    store = DynamoDBConversations(
        settings().require("conversations_table"), settings().retention_days
    )
    return TurnHandler(store, retriever(), outbound)


@cache
def embedder() -> Embedder:
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine

    model = settings().embedding_model
    if model.startswith("s3://"):
        from socialcare.store.s3_blobs import fetch_once

        return E5Engine(fetch_once(model))
    return E5Engine(Path(model) if model else packaged_engine()[1])


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


def uploaded_documents(event: dict[str, Any]) -> list[AbstractContextManager[Path]]:
    """Each S3 object of an ObjectCreated event, as a local file while the context is open."""
    from socialcare.store.s3_blobs import uploaded_objects

    return uploaded_objects(event)


@cache
def _opensearch() -> Any:
    from socialcare.knowledge.opensearch_client import opensearch_client

    config = settings()
    return opensearch_client(
        config.require("opensearch_endpoint"), config.opensearch_service, config.aws_region
    )


def reset() -> None:
    """Forget every built adapter and cached secret (tests, or a changed environment)."""
    from aws_lambda_powertools.utilities import parameters

    for built in (
        settings,
        enqueue,
        _platform_http,
        turn_handler,
        embedder,
        snapshot_store,
        retriever,
        _opensearch,
    ):
        built.cache_clear()
    parameters.clear_caches()  # type: ignore[no-untyped-call]
