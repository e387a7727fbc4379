"""The OpenSearch adapter against a loopback OpenSearch (tests/fakes/opensearch.py) that answers
in the documented response shapes: the requests it sends (index template and mappings, bulk
bodies, the alias switch, the hybrid _msearch) and the ranking it produces, which must be the
embedded index's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from opensearchpy.exceptions import OpenSearchException

from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.knowledge.embeddings import DIM, E5Engine, packaged_engine
from socialcare.knowledge.ingestion import ingest, remove
from socialcare.knowledge.opensearch_client import opensearch_client
from socialcare.knowledge.opensearch_index import OpenSearchIndex, OpenSearchPublisher
from socialcare.knowledge.port import KnowledgeUnavailable
from socialcare.knowledge.snapshots import FolderBlobs, SnapshotStore
from socialcare.knowledge.topics import packaged
from socialcare_local.http_server import LoopbackServer
from socialcare_local.moto_server import free_port
from tests.fakes.opensearch import FakeOpenSearch

QUESTIONS = [
    ("how long does shipping take to Germany?", "en"),
    ("I want to earn several articles, how could I do it?", "en"),
    ("rebatingg $12", "en"),
    ("my damn address has changed i need assistance to edit ti", "en"),
    ("刚下的单不想要了，能撤回吗", "zh"),
    ("我在等一笔1499美元的退款", "zh"),
    ("忘记密码了怎么办", None),
]


@pytest.fixture(scope="module")
def engine() -> E5Engine:
    return E5Engine(packaged_engine()[1])


@pytest.fixture(scope="module")
def shipped(engine: E5Engine) -> EmbeddedIndex:
    return EmbeddedIndex.packaged(engine, packaged())


@pytest.fixture
def cluster() -> Iterator[tuple[FakeOpenSearch, str]]:
    fake = FakeOpenSearch()
    server = LoopbackServer(fake, free_port()).start()
    yield fake, f"http://127.0.0.1:{server.port}"
    server.stop()


def test_publishing_creates_a_version_with_the_mappings_then_switches_the_alias(
    cluster: tuple[FakeOpenSearch, str], shipped: EmbeddedIndex
) -> None:
    """GIVEN the shipped help centre's snapshot WHEN published twice THEN each time a new
    version index is created with the k-NN and analyzer mappings, every chunk is bulk-indexed
    with its pre-cut terms and its vector, and only then the alias moves, in one request, from
    the old version to the new."""
    fake, url = cluster
    publisher = OpenSearchPublisher(opensearch_client(url))

    first = publisher.publish(shipped.snapshot)
    second = publisher.publish(shipped.snapshot)

    assert (first, second) == (
        "opensearch helpcentre-v0001 as helpcentre",
        "opensearch helpcentre-v0002 as helpcentre",
    )
    assert fake.templates["socialcare-kb-helpcentre"]["index_patterns"] == ["helpcentre-v*"]
    template = fake.templates["socialcare-kb-helpcentre"]["template"]
    vector = template["mappings"]["properties"]["vector"]
    assert (vector["type"], vector["dimension"], vector["method"]["space_type"]) == (
        "knn_vector",
        DIM,
        "innerproduct",
    )
    assert template["mappings"]["properties"]["terms"]["analyzer"] == "socialcare_terms"
    assert template["settings"]["index"]["knn"] is True
    created = [r for r in fake.requests if r.method == "PUT" and r.path.startswith("/helpcentre-v")]
    assert [r.path for r in created] == ["/helpcentre-v0001", "/helpcentre-v0002"]
    assert created[1].body["mappings"] == template["mappings"]

    bulk_docs = [line for r in fake.requests if r.path == "/_bulk" for line in r.body[1::2]]
    assert len(bulk_docs) == 2 * len(shipped)
    returns = next(d for d in bulk_docs if d["key"] == "zh/returns-policy#0")
    assert returns["lang"] == "zh" and returns["url"].endswith("/zh/returns-policy")
    assert "退货" in returns["terms"].split()
    assert len(returns["vector"]) == DIM

    alias_calls = [r for r in fake.requests if r.path == "/_aliases"]
    last_bulk = max(i for i, r in enumerate(fake.requests) if r.path == "/_bulk")
    assert fake.requests.index(alias_calls[-1]) > last_bulk
    assert alias_calls[-1].body["actions"] == [
        {"add": {"index": "helpcentre-v0002", "alias": "helpcentre"}},
        {"remove": {"index": "helpcentre-v0001", "alias": "helpcentre"}},
    ]
    assert fake.aliases["helpcentre"] == {"helpcentre-v0002"}


def test_search_ranks_exactly_as_the_embedded_index(
    cluster: tuple[FakeOpenSearch, str], shipped: EmbeddedIndex, engine: E5Engine
) -> None:
    """GIVEN the same help centre in OpenSearch and in the embedded index WHEN customers'
    questions are searched in both THEN both return the same articles in the same order with the
    same scores, and OpenSearch got one _msearch of a BM25 and a k-NN query, filtered by
    language."""
    fake, url = cluster
    client = opensearch_client(url)
    OpenSearchPublisher(client).publish(shipped.snapshot)
    remote = OpenSearchIndex(client, "helpcentre", engine, packaged())

    for question, lang in QUESTIONS:
        here = shipped.search(question, k=3, lang=lang)
        there = remote.search(question, k=3, lang=lang)
        assert [(p.id, p.lang) for p in there] == [(p.id, p.lang) for p in here], question
        assert [p.score for p in there] == pytest.approx([p.score for p in here], abs=2e-3)

    msearch = next(r for r in fake.requests if r.path == "/_msearch").body
    header, lexical, _, dense = msearch
    assert header == {"index": "helpcentre"}
    assert lexical["query"]["bool"]["filter"] == [{"term": {"lang": "en"}}]
    assert "germany" in lexical["query"]["bool"]["must"]["match"]["terms"].split()
    knn = dense["query"]["knn"]["vector"]
    assert len(knn["vector"]) == DIM and knn["k"] == 50
    assert knn["filter"] == {"bool": {"filter": [{"term": {"lang": "en"}}]}}


def test_search_of_a_missing_index_is_a_knowledge_error(
    cluster: tuple[FakeOpenSearch, str], engine: E5Engine
) -> None:
    """GIVEN an alias nobody published WHEN searched THEN the adapter raises the domain's error."""
    _, url = cluster
    remote = OpenSearchIndex(opensearch_client(url), "nothing", engine, packaged())

    with pytest.raises(KnowledgeUnavailable):
        remote.search("where is my order?")


def test_empty_and_punctuation_queries_never_reach_the_cluster(
    cluster: tuple[FakeOpenSearch, str], engine: E5Engine
) -> None:
    """GIVEN an empty, a punctuation-only and a whitespace query WHEN searched THEN each returns
    nothing and sends no request."""
    fake, url = cluster
    remote = OpenSearchIndex(opensearch_client(url), "helpcentre", engine, packaged())

    assert [remote.search(q) for q in ("", "?!…。", "   ")] == [[], [], []]
    assert fake.requests == []


def test_a_removed_file_leaves_the_live_opensearch_index(
    cluster: tuple[FakeOpenSearch, str], engine: E5Engine, tmp_path: Path
) -> None:
    """GIVEN two uploaded files ingested into OpenSearch (through the snapshot store, as
    KbIngestFunction does) WHEN one file is removed THEN a third version index goes live behind
    the alias without any chunk of the removed file's document, and the other stays."""
    fake, url = cluster
    store = SnapshotStore(FolderBlobs(tmp_path / "store"))
    publishers = [OpenSearchPublisher(opensearch_client(url))]
    for name, text in (("warranty", "Two years of warranty."), ("returns", "30 days to return.")):
        (tmp_path / f"{name}.md").write_text(f"---\nid: {name}\nlang: en\n---\n{text}\n")
        ingest(
            tmp_path / f"{name}.md",
            index="helpcentre",
            store=store,
            embedder=engine,
            publishers=publishers,
            source=f"documents/{name}.md",
        )

    report = remove("documents/warranty.md", index="helpcentre", store=store, publishers=publishers)

    assert (report.removed, report.published) == (
        ["en/warranty"],
        ["opensearch helpcentre-v0003 as helpcentre"],
    )
    assert fake.aliases["helpcentre"] == {"helpcentre-v0003"}
    assert {d["doc_key"] for d in fake.live_docs("helpcentre").values()} == {"en/returns"}


@pytest.fixture
def serverless() -> Iterator[tuple[FakeOpenSearch, str]]:
    fake = FakeOpenSearch(serverless=True)
    server = LoopbackServer(fake, free_port()).start()
    yield fake, f"http://127.0.0.1:{server.port}"
    server.stop()


def test_the_serverless_stand_in_refuses_what_serverless_refuses(
    serverless: tuple[FakeOpenSearch, str],
) -> None:
    """GIVEN the loopback server in Serverless mode WHEN a bulk request names a document id, or
    someone asks for a refresh THEN both are refused, as a vector search collection does."""
    _, url = serverless
    client = opensearch_client(url)
    client.indices.create(index="kb-v0001", body={"mappings": {}})

    named = '{"index": {"_index": "kb-v0001", "_id": "a#0"}}\n{"key": "a#0"}\n'
    assert client.bulk(body=named)["errors"] is True
    with pytest.raises(OpenSearchException):
        client.indices.refresh(index="kb-v0001")


def test_publishing_to_serverless_keys_chunks_in_a_field_and_waits_until_searchable(
    serverless: tuple[FakeOpenSearch, str], shipped: EmbeddedIndex, engine: E5Engine
) -> None:
    """GIVEN an OpenSearch Serverless collection (no custom ids, no refresh, documents visible a
    while after indexing) WHEN the help centre is published twice and searched THEN every chunk
    went in without an id, the alias moved only once the new index counted every chunk, no
    refresh was asked for, and search ranks as the embedded index does."""
    fake, url = serverless
    client = opensearch_client(url)
    waits: list[float] = []
    publisher = OpenSearchPublisher(client, sleep=waits.append)

    publisher.publish(shipped.snapshot)
    publisher.publish(shipped.snapshot)

    actions = [line for r in fake.requests if r.path == "/_bulk" for line in r.body[::2]]
    assert actions and not [a for a in actions if "_id" in a["index"]]
    assert not [r for r in fake.requests if "_refresh" in r.path]
    assert len(waits) == 2  # each new index counted too few once, then all
    alias_at = max(i for i, r in enumerate(fake.requests) if r.path == "/_aliases")
    counted = max(i for i, r in enumerate(fake.requests) if r.path == "/helpcentre-v0002/_count")
    assert counted < alias_at
    remote = OpenSearchIndex(client, "helpcentre", engine, packaged())
    for question, lang in QUESTIONS[:3]:
        here = [p.id for p in shipped.search(question, k=3, lang=lang)]
        assert [p.id for p in remote.search(question, k=3, lang=lang)] == here, question
