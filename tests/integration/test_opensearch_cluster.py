"""Opt-in: the OpenSearch adapter against a real cluster, when OPENSEARCH_URL names one
(http://localhost:9200 for a local OpenSearch with the k-NN plugin; an https endpoint is signed
with SigV4 for OPENSEARCH_SERVICE "aoss" or "es" and the AWS credentials of the environment)."""

from __future__ import annotations

import os
import uuid

import pytest

from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.knowledge.embeddings import E5Engine, packaged_engine
from socialcare.knowledge.opensearch_client import opensearch_client
from socialcare.knowledge.opensearch_index import OpenSearchIndex, OpenSearchPublisher
from socialcare.knowledge.snapshots import Snapshot
from socialcare.knowledge.topics import packaged

URL = os.environ.get("OPENSEARCH_URL", "")

pytestmark = pytest.mark.skipif(
    not URL, reason="OPENSEARCH_URL is not set: no cluster to test against"
)


def test_a_real_cluster_ranks_the_help_centre_like_the_embedded_index() -> None:
    """GIVEN the shipped help centre published to the cluster under a fresh alias WHEN customers'
    questions are searched THEN the cluster's first answer is the embedded index's first answer."""
    engine = E5Engine(packaged_engine()[1])
    shipped = EmbeddedIndex.packaged(engine, packaged())
    client = opensearch_client(
        URL, os.environ.get("OPENSEARCH_SERVICE", "aoss"), os.environ.get("AWS_REGION", "us-east-1")
    )
    alias = f"socialcare-test-{uuid.uuid4().hex[:8]}"
    snapshot = Snapshot(alias, 1, shipped.snapshot.chunks, shipped.snapshot.vectors, {})
    OpenSearchPublisher(client).publish(snapshot)
    try:
        client.indices.refresh(index=alias)
        remote = OpenSearchIndex(client, alias, engine, packaged())
        for question, lang in [
            ("how long does shipping take to Germany?", "en"),
            ("I want to earn several articles, how could I do it?", "en"),
            ("刚下的单不想要了，能撤回吗", "zh"),
        ]:
            assert (
                remote.search(question, k=1, lang=lang)[0].id
                == shipped.search(question, k=1, lang=lang)[0].id
            )
    finally:
        client.indices.delete(index=f"{alias}-v*")
