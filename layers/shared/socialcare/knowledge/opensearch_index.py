"""The OpenSearch adapter: search (one _msearch: a BM25 query on the pre-cut terms and a k-NN
query on the int8-valued vectors, fused here exactly as the embedded index fuses) and publishing
(a new versioned index per snapshot, then one atomic alias switch).

It speaks the subset OpenSearch Serverless accepts, which a managed domain accepts too: a chunk's
id travels in its `key` field, never as a document id (a vector search collection refuses
custom ids); nothing calls _refresh (Serverless has none): the alias moves once the new index
counts every chunk, which Serverless reaches some seconds after the bulk requests."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from socialcare.knowledge.embeddings import DIM, Embedder, dequantize
from socialcare.knowledge.fusion import CANDIDATES
from socialcare.knowledge.hybrid import Candidates, HybridSearch
from socialcare.knowledge.port import KnowledgeUnavailable, Passage
from socialcare.knowledge.query import QueryPlan
from socialcare.knowledge.snapshots import Snapshot
from socialcare.knowledge.topics import Topics

BULK_CHUNKS = 200
KEEP_VERSIONS = 2  # indexes kept behind the live one
VISIBLE_WITHIN_S = 120.0  # the longest wait for a new index to count every chunk
_FIELDS = ["key", "doc_key", "id", "title", "text", "lang", "url", "tags", "lead"]

# Every version index gets these: given when it is created, and kept as the index template
# `socialcare-kb-<name>` for `<name>-v*` (so an index made by hand gets them too). template.yaml
# declares the same on KnowledgeCollection (Metadata.IndexTemplate); a unit test keeps them equal.
SETTINGS: dict[str, Any] = {
    "index": {"knn": True},
    "analysis": {"analyzer": {"socialcare_terms": {"type": "custom", "tokenizer": "whitespace"}}},
}
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "key": {"type": "keyword"},
        "doc_key": {"type": "keyword"},
        "id": {"type": "keyword"},
        # Display fields; "cjk" indexes Chinese as bigrams and other text as words, for ad hoc
        # queries in Dashboards. Ranking uses `terms`, cut by socialcare's own tokenizer.
        "title": {"type": "text", "analyzer": "cjk"},
        "text": {"type": "text", "analyzer": "cjk"},
        "lang": {"type": "keyword"},
        "url": {"type": "keyword", "index": False},
        "lead": {"type": "text", "index": False},
        "tags": {"type": "keyword"},
        "terms": {"type": "text", "analyzer": "socialcare_terms", "similarity": "BM25"},
        "vector": {
            "type": "knn_vector",
            "dimension": DIM,
            "method": {"name": "hnsw", "engine": "faiss", "space_type": "innerproduct"},
        },
    },
}


class OpenSearchIndex(HybridSearch):
    def __init__(self, client: Any, alias: str, embedder: Embedder, topics: Topics | None) -> None:
        super().__init__(embedder, topics)
        self._client, self._alias = client, alias

    def candidates(self, plan: QueryPlan, lang: str | None, tags: Sequence[str]) -> Candidates:
        lexical_hits, dense_hits = self._msearch(plan, lang, tags)
        # The chunk's key from its source: document ids are the engine's own.
        sources = {h["_source"]["key"]: h["_source"] for h in (*lexical_hits, *dense_hits)}
        return Candidates(
            {h["_source"]["key"]: float(h["_score"]) for h in lexical_hits},
            {h["_source"]["key"]: _cosine(float(h["_score"])) for h in dense_hits},
            lambda key: str(sources[key]["doc_key"]),
            lambda key, score: _passage(sources[key], score),
        )

    def _msearch(
        self, plan: QueryPlan, lang: str | None, tags: Sequence[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        filters: list[dict[str, Any]] = [{"term": {"tags": t}} for t in tags]
        if lang:
            filters.append({"term": {"lang": lang}})
        lexical = {
            "size": CANDIDATES,
            "_source": _FIELDS,
            "query": {
                "bool": {"must": {"match": {"terms": " ".join(plan.terms)}}, "filter": filters}
            },
        }
        knn: dict[str, Any] = {"vector": dequantize(plan.vector), "k": CANDIDATES}
        if filters:
            knn["filter"] = {"bool": {"filter": filters}}
        dense = {"size": CANDIDATES, "_source": _FIELDS, "query": {"knn": {"vector": knn}}}
        header = json.dumps({"index": self._alias})
        body = "\n".join((header, json.dumps(lexical), header, json.dumps(dense))) + "\n"
        response = _call(self._client.msearch, body=body)
        results = []
        for item in response["responses"]:
            if "error" in item:
                raise KnowledgeUnavailable(f"OpenSearch {self._alias}: {item['error']}")
            results.append(item["hits"]["hits"])
        return results[0], results[1]


class OpenSearchPublisher:
    """Publishes a snapshot as `<name>-v<N>`, then moves the alias `<name>` onto it at once."""

    def __init__(
        self,
        client: Any,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client, self._sleep, self._clock = client, sleep, clock

    def publish(self, snapshot: Snapshot) -> str:
        _call(
            self._client.indices.put_index_template,
            name=f"socialcare-kb-{snapshot.name}",
            body={
                "index_patterns": [f"{snapshot.name}-v*"],
                "template": {"settings": SETTINGS, "mappings": MAPPINGS},
            },
        )
        existing = self._versions(snapshot.name)
        index = f"{snapshot.name}-v{max(existing, default=0) + 1:04d}"
        _call(
            self._client.indices.create,
            index=index,
            body={"settings": SETTINGS, "mappings": MAPPINGS},
        )
        for start in range(0, len(snapshot.chunks), BULK_CHUNKS):
            self._bulk(
                index, snapshot, range(start, min(start + BULK_CHUNKS, len(snapshot.chunks)))
            )
        self._wait_until_searchable(index, len(snapshot.chunks))
        actions: list[dict[str, Any]] = [{"add": {"index": index, "alias": snapshot.name}}]
        actions += [
            {"remove": {"index": f"{snapshot.name}-v{v:04d}", "alias": snapshot.name}}
            for v in existing
        ]
        _call(self._client.indices.update_aliases, body={"actions": actions})
        for old in sorted(existing)[:-KEEP_VERSIONS] if len(existing) > KEEP_VERSIONS else []:
            _call(self._client.indices.delete, index=f"{snapshot.name}-v{old:04d}")
        return f"opensearch {index} as {snapshot.name}"

    def _bulk(self, index: str, snapshot: Snapshot, rows: range) -> None:
        lines = []
        for row in rows:
            chunk = snapshot.chunks[row]
            lines.append(json.dumps({"index": {"_index": index}}))
            document = {
                "key": chunk.key,
                "doc_key": chunk.doc_key,
                "id": chunk.id,
                "title": chunk.title,
                "text": chunk.text,
                "lang": chunk.lang,
                "url": chunk.url,
                "tags": list(chunk.tags),
                "lead": chunk.lead,
                "terms": " ".join(t for t, n in sorted(chunk.terms.items()) for _ in range(n)),
                "vector": dequantize(snapshot.vector(row)),
            }
            lines.append(json.dumps(document, ensure_ascii=False))
        response = _call(self._client.bulk, body="\n".join(lines) + "\n")
        if response.get("errors"):
            failed = [i for i in response["items"] if i.get("index", {}).get("error")]
            raise KnowledgeUnavailable(
                f"OpenSearch refused {len(failed)} chunks: {failed[0]['index']['error']}"
            )

    def _wait_until_searchable(self, index: str, chunks: int) -> None:
        """Until `index` counts every chunk: Serverless shows new documents some seconds after
        indexing them and takes no _refresh, so the alias must not move before."""
        deadline, pause = self._clock() + VISIBLE_WITHIN_S, 0.5
        while _call(self._client.count, index=index)["count"] < chunks:
            if self._clock() >= deadline:
                raise KnowledgeUnavailable(f"OpenSearch {index}: not searchable in time")
            self._sleep(pause)
            pause = min(pause * 2, 5.0)

    def _versions(self, name: str) -> list[int]:
        pattern = re.compile(rf"^{re.escape(name)}-v(\d+)$")
        response = _call(
            self._client.indices.get, index=f"{name}-v*", params={"ignore_unavailable": "true"}
        )
        return sorted(int(m.group(1)) for i in response if (m := pattern.match(i)))


def _passage(source: dict[str, Any], score: float) -> Passage:
    return Passage(
        source["id"],
        source["title"],
        source["text"],
        source["lang"],
        source.get("url", ""),
        round(score, 4),
        tuple(source.get("tags", ())),
        source.get("lead", ""),
    )


def _cosine(score: float) -> float:
    """Undoes k-NN's innerproduct score (1 + dot, or 1 / (1 - dot) below zero)."""
    return score - 1.0 if score >= 1.0 else 1.0 - 1.0 / score


def _call(method: Any, **kwargs: Any) -> Any:
    from opensearchpy.exceptions import OpenSearchException

    try:
        return method(**kwargs)
    except OpenSearchException as error:
        raise KnowledgeUnavailable(f"OpenSearch: {error}") from error
