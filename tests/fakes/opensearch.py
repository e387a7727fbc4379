"""A loopback stand-in for an OpenSearch cluster: the REST endpoints the adapter calls, answered
in OpenSearch's documented response shapes, scoring like OpenSearch does (Lucene BM25 on the
`terms` field, k-NN innerproduct scores), and every request kept for the test to inspect.

Shapes follow the OpenSearch API reference: create index, index templates, _bulk, _aliases,
get index, _count, _refresh, _msearch, and the k-NN plugin's `knn` query with `filter`.

`serverless=True` behaves as an OpenSearch Serverless vector search collection does: a bulk
action that names a document id is refused (the engine makes the ids), there is no _refresh,
and new documents are searchable only a while after they were indexed (here: from the second
_count of their index on).
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import math
from dataclasses import dataclass, field
from typing import Any

from socialcare_local.http_server import Request, Response

K1, B = 1.2, 0.75
SERVERLESS_NO_ID = "Document ID is not supported in create/index operation request"


@dataclass
class Seen:
    method: str
    path: str
    body: Any


@dataclass
class FakeOpenSearch:
    requests: list[Seen] = field(default_factory=list)
    templates: dict[str, Any] = field(default_factory=dict)
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"mappings", "docs"}
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias -> indexes
    serverless: bool = False
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # not searchable yet
    _ids: itertools.count[int] = field(default_factory=itertools.count)

    def __call__(self, request: Request) -> Response:
        text = request.body.decode() if request.body else ""
        ndjson = request.path.endswith(("/_bulk", "/_msearch"))
        body = (
            [json.loads(line) for line in text.splitlines() if line]
            if ndjson
            else (json.loads(text) if text else None)
        )
        self.requests.append(Seen(request.method, request.path, body))
        parts = [p for p in request.path.split("/") if p]
        match request.method, parts:
            case "PUT", ["_index_template", name]:
                self.templates[name] = body
                return Response.json(200, {"acknowledged": True})
            case "PUT", [index]:
                if index in self.indexes:
                    return _error(400, "resource_already_exists_exception", index)
                self.indexes[index] = {"mappings": body["mappings"], "docs": {}}
                return Response.json(
                    200, {"acknowledged": True, "shards_acknowledged": True, "index": index}
                )
            case "GET", [pattern]:
                found = {
                    i: {"aliases": {}, "mappings": v["mappings"], "settings": {}}
                    for i, v in self.indexes.items()
                    if fnmatch.fnmatch(i, pattern)
                }
                return Response.json(200, found)
            case "GET" | "POST", [index, "_count"]:
                return Response.json(200, {"count": self._count(index)})
            case "POST", [index, "_refresh"] if not self.serverless:
                self._make_visible(index)
                return Response.json(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
            case "DELETE", [index]:
                self.indexes.pop(index, None)
                return Response.json(200, {"acknowledged": True})
            case "POST", ["_bulk"]:
                return Response.json(200, self._bulk(body))
            case "POST", ["_aliases"]:
                for action in body["actions"]:
                    ((verb, spec),) = action.items()
                    members = self.aliases.setdefault(spec["alias"], set())
                    (members.add if verb == "add" else members.discard)(spec["index"])
                return Response.json(200, {"acknowledged": True})
            case "POST" | "GET", ["_msearch"]:
                pairs = zip(body[::2], body[1::2], strict=True)
                return Response.json(
                    200, {"took": 3, "responses": [self._search(h, q) for h, q in pairs]}
                )
        return _error(400, "illegal_argument_exception", f"{request.method} {request.path}")

    def live_docs(self, alias: str) -> dict[str, dict[str, Any]]:
        (index,) = self.aliases[alias]
        return self.indexes[index]["docs"]

    def _bulk(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        items = [
            self._index_one(action["index"], doc)
            for action, doc in zip(lines[::2], lines[1::2], strict=True)
        ]
        return {"took": 5, "errors": any("error" in i["index"] for i in items), "items": items}

    def _index_one(self, meta: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
        if self.serverless and "_id" in meta:
            error = {"type": "illegal_argument_exception", "reason": SERVERLESS_NO_ID}
            return {"index": {"_index": meta["_index"], "status": 400, "error": error}}
        doc_id = meta.get("_id") or f"auto{next(self._ids):08d}"
        if self.serverless:  # searchable a while later
            self.pending.setdefault(meta["_index"], {})[doc_id] = doc
        else:
            self.indexes[meta["_index"]]["docs"][doc_id] = doc
        return {
            "index": {
                "_index": meta["_index"],
                "_id": doc_id,
                "_version": 1,
                "result": "created",
                "status": 201,
            }
        }

    def _count(self, index: str) -> int:
        """What a search sees now; what waits becomes searchable after this look."""
        seen = len(self.indexes[index]["docs"])
        self._make_visible(index)
        return seen

    def _make_visible(self, index: str) -> None:
        self.indexes[index]["docs"].update(self.pending.pop(index, {}))

    def _search(self, header: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
        target = header["index"]
        indexes = self.aliases.get(target) or ({target} if target in self.indexes else set())
        if not indexes:
            return {
                "error": {
                    "type": "index_not_found_exception",
                    "reason": f"no such index [{target}]",
                },
                "status": 404,
            }
        docs = {k: v for i in indexes for k, v in self.indexes[i]["docs"].items()}
        if "knn" in query["query"]:
            spec = query["query"]["knn"]["vector"]
            allowed = _filtered(docs, spec.get("filter", {}).get("bool", {}).get("filter", []))
            scored = {k: _innerproduct_score(spec["vector"], docs[k]["vector"]) for k in allowed}
            top = sorted(scored.items(), key=lambda kv: -kv[1])[: spec["k"]]
        else:
            boolean = query["query"]["bool"]
            allowed = _filtered(docs, boolean["filter"])
            scored = _bm25(docs, boolean["must"]["match"]["terms"].split(), allowed)
            top = sorted(scored.items(), key=lambda kv: -kv[1])
        top = top[: query["size"]]
        hits = [
            {
                "_index": next(iter(indexes)),
                "_id": k,
                "_score": s,
                "_source": {f: docs[k][f] for f in query["_source"]},
            }
            for k, s in top
        ]
        return {
            "took": 1,
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {
                "total": {"value": len(hits), "relation": "eq"},
                "max_score": hits[0]["_score"] if hits else None,
                "hits": hits,
            },
            "status": 200,
        }


def _filtered(docs: dict[str, dict[str, Any]], filters: list[dict[str, Any]]) -> list[str]:
    def keep(doc: dict[str, Any]) -> bool:
        for f in filters:
            ((fieldname, value),) = f["term"].items()
            have = doc[fieldname]
            if (value not in have) if isinstance(have, list) else (have != value):
                return False
        return True

    return [k for k, d in docs.items() if keep(d)]


def _bm25(
    docs: dict[str, dict[str, Any]], terms: list[str], allowed: list[str]
) -> dict[str, float]:
    """Lucene's BM25 (no k1 + 1 factor), statistics over the whole index as one shard has them."""
    tokens = {k: d["terms"].split() for k, d in docs.items()}
    average = sum(map(len, tokens.values())) / len(tokens)
    scores: dict[str, float] = {}
    for term in terms:
        df = sum(term in t for t in tokens.values())
        if not df:
            continue
        idf = math.log(1 + (len(tokens) - df + 0.5) / (df + 0.5))
        for k in allowed:
            tf = tokens[k].count(term)
            if tf:
                norm = K1 * (1 - B + B * len(tokens[k]) / average)
                scores[k] = scores.get(k, 0.0) + idf * tf / (tf + norm)
    return scores


def _innerproduct_score(query: list[float], vector: list[float]) -> float:
    dot = sum(a * b for a, b in zip(query, vector, strict=True))
    return 1 + dot if dot >= 0 else 1 / (1 - dot)


def _error(status: int, kind: str, reason: str) -> Response:
    return Response.json(
        status,
        {
            "error": {
                "root_cause": [{"type": kind, "reason": reason}],
                "type": kind,
                "reason": reason,
            },
            "status": status,
        },
    )
