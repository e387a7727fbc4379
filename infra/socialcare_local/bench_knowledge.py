"""`make bench`, knowledge base: recall@1/@3 per language on the evaluation sets, search latency
at 10,000 and 100,000 chunks, ingestion throughput and index size per 10,000 chunks.

Evaluation sets (see socialcare_local.bitext):
- held-back Bitext utterances (the 20% of socialcare.understand.datasets.is_heldout, English)
  and those of our Chinese counterparts whose English row is held back, against the shipped
  help centre and against the held-out help centre of tests/data/heldout_helpcentre (never
  trained or tuned on);
- the 168 colloquial questions of tests/data/helpcentre_queries.jsonl against the shipped one.
Each set is ranked four ways (lexical only, dense only, hybrid, hybrid + topic expansion); the
figure is written to bench/knowledge_recall.png.

Latency uses a generated corpus: chunk texts drawn from the help centre's own words, with
random unit vectors as the dense part (embedding 100,000 chunks would take hours on this CPU);
each search embeds its query with the real model, as the worker does.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from socialcare.evaluation.articles import SHIPPED_ARTICLE
from socialcare.knowledge.chunking import Chunk
from socialcare.knowledge.documents import HELPCENTRE, Document, load_folder
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.knowledge.embeddings import DIM, E5Engine, packaged_engine, quantize
from socialcare.knowledge.fusion import fuse
from socialcare.knowledge.ingestion import ingest
from socialcare.knowledge.query import plan_query
from socialcare.knowledge.snapshots import FolderBlobs, IndexedChunk, Snapshot, SnapshotStore
from socialcare.knowledge.topics import Topics, packaged
from socialcare_local.bitext import HELDOUT_ARTICLE, chinese_held_back, utterances
from socialcare_local.cfn_template import ROOT

HELDOUT = ROOT / "tests" / "data" / "heldout_helpcentre"
COLLOQUIAL = ROOT / "tests" / "data" / "helpcentre_queries.jsonl"
FIGURE = ROOT / "bench" / "knowledge_recall.png"
METHODS = ("lexical", "dense", "hybrid", "hybrid+topics")
INGESTED_ARTICLES = 60
Query = tuple[str, str, str]  # text, language, expected document id


class CachedEmbedder:
    """The real model, each query embedded once (in batches) and reused by every method."""

    def __init__(self, engine: E5Engine) -> None:
        self.engine = engine
        self._vectors: dict[str, list[float]] = {}

    def prime(self, texts: Sequence[str]) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        for start in range(0, len(todo), 128):
            batch = todo[start : start + 128]
            self._vectors.update(zip(batch, self.engine.queries(batch), strict=True))
            _say(f"  embedded {min(start + 128, len(todo))}/{len(todo)} queries")

    def query(self, text: str) -> list[float]:
        if text not in self._vectors:
            self._vectors[text] = self.engine.query(text)
        return self._vectors[text]

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self.engine.passages(texts)


def bitext_queries(articles: dict[str, str]) -> list[Query]:
    english = [(u.text, "en", articles[u.intent]) for u in utterances("test")]
    return english + [(u.text, "zh", articles[u.intent]) for u in chinese_held_back()]


def colloquial_queries() -> list[Query]:
    records = [json.loads(line) for line in COLLOQUIAL.read_text().splitlines() if line]
    return [(r["query"], r["lang"], r["expected_id"]) for r in records]


def ranked_ids(
    index: EmbeddedIndex, embedder: CachedEmbedder, topics: Topics | None, method: str, query: Query
) -> list[str]:
    text, lang, _ = query
    plan = plan_query(text, lang, embedder, topics if method == "hybrid+topics" else None)
    if plan is None:
        return []
    selection = index.select(lang, ())
    lexical = index.lexical(plan, selection) if method != "dense" else {}
    dense = index.dense(plan, selection) if method != "lexical" else {}
    chunks = {c.key: c for c in index.snapshot.chunks}
    return list(dict.fromkeys(chunks[f.key].id for f in fuse(lexical, dense)))


def recall(index: EmbeddedIndex, embedder: CachedEmbedder, queries: list[Query]) -> dict[str, Any]:
    topics = packaged()
    out: dict[str, Any] = {}
    for method in METHODS:
        per_lang: dict[str, list[tuple[bool, bool]]] = {}
        for query in queries:
            ids = ranked_ids(index, embedder, topics, method, query)
            per_lang.setdefault(query[1], []).append((ids[:1] == [query[2]], query[2] in ids[:3]))
        out[method] = {
            lang: {
                "recall@1": round(sum(a for a, _ in hits) / len(hits), 3),
                "recall@3": round(sum(b for _, b in hits) / len(hits), 3),
                "queries": len(hits),
            }
            for lang, hits in sorted(per_lang.items())
        }
    return out


def bench_quality(results: dict[str, Any], embedder: CachedEmbedder) -> None:
    shipped = EmbeddedIndex.packaged(embedder, packaged())
    with tempfile.TemporaryDirectory() as folder:
        store = SnapshotStore(FolderBlobs(Path(folder)))
        _say("  ingesting the held-out help centre")
        ingest(HELDOUT, index="heldout", store=store, embedder=embedder.engine)
        snapshot = store.load("heldout")
        assert snapshot is not None
        heldout = EmbeddedIndex(snapshot, embedder, packaged())
    sets = {
        "bitext_heldback_on_shipped_helpcentre": (shipped, bitext_queries(SHIPPED_ARTICLE)),
        "bitext_heldback_on_heldout_helpcentre": (heldout, bitext_queries(HELDOUT_ARTICLE)),
        "colloquial_on_shipped_helpcentre": (shipped, colloquial_queries()),
    }
    embedder.prime([q[0] for _, queries in sets.values() for q in queries])
    quality = {}
    for name, (index, queries) in sets.items():
        _say(f"  ranking {name}")
        quality[name] = recall(index, embedder, queries)
    results["knowledge_recall"] = quality
    for name, by_lang in quality.items():
        for lang, got in by_lang["hybrid+topics"].items():
            met = got["recall@1"] >= 0.85 and got["recall@3"] >= 0.95
            results[f"kb_recall_{name}_{lang}"] = {
                "figure": f"R@1 {got['recall@1']:.3f}, R@3 {got['recall@3']:.3f} "
                f"({got['queries']} queries)",
                "target": f"R@1 ≥ 0.85, R@3 ≥ 0.95 {'✅' if met else '❌'}",
            }
    _plot(quality)


def bench_latency(results: dict[str, Any], engine: E5Engine) -> None:
    """Searches of customers' questions, query embedding included: with the engine on one thread
    (the default) and on every core of the machine (EMBEDDING_THREADS, for a process that has its
    cores to itself); then the same searches with each question's vector already known (the
    index's own share)."""
    documents = load_folder(HELPCENTRE)
    words = {
        lang: " ".join(d.text for d in documents if d.lang == lang).split() for lang in ("en", "zh")
    }
    questions = [q for q, _, _ in colloquial_queries()]
    cores = len(os.sched_getaffinity(0))
    threaded = E5Engine(packaged_engine()[1], threads=cores)
    for size in (10_000, 100_000):
        _say(f"  generating {size} chunks")
        snapshot = _generated(size, words)
        limit = 20.0 if size == 10_000 else 50.0
        variants = (
            ("", engine),
            (f"_{cores}_threads", threaded),
            ("_vector_known", CachedEmbedder(engine)),
        )
        for name, embedder in variants:
            index = EmbeddedIndex(snapshot, embedder, packaged())
            rng = random.Random(size)
            samples = []
            for n in range(70):
                question = rng.choice(questions)
                embedder.query(question)  # known from now on to the cache; paid again by the engine
                samples.append(
                    _timed(
                        lambda q=question, n=n, index=index: index.search(
                            q, k=5, lang=None if n % 2 else "en"
                        )
                    )
                )
            results[f"kb_search_{size}_chunks{name}"] = {
                **_summary(samples[10:]),
                "target": [limit, f"median ≤ {limit:.0f} ms"],
            }
        if size == 10_000:
            with tempfile.TemporaryDirectory() as folder:
                SnapshotStore(FolderBlobs(Path(folder))).publish(snapshot)
                on_disk = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
            results["kb_index_size_per_10000_chunks"] = {"figure": f"{on_disk / 2**20:.2f} MB"}
    results["baseline_query_embedding"] = _summary(
        [_timed(lambda q=q: engine.query(q)) for q in questions]
    )
    results[f"baseline_query_embedding_{cores}_threads"] = _summary(
        [_timed(lambda q=q: threaded.query(q)) for q in questions]
    )


def bench_ingestion(results: dict[str, Any], engine: E5Engine) -> None:
    """Real ingestion (read, chunk, embed, publish) of generated Markdown articles, every chunk's
    text unique (ingestion embeds a text the index already holds only once); beside it, in the
    same run, the engine embedding a sample of those chunks alone: the baseline ingestion cannot
    beat."""
    documents = load_folder(HELPCENTRE)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "docs"
        source.mkdir()
        rng = random.Random(7)
        for n in range(INGESTED_ARTICLES):
            doc = rng.choice(documents)
            text = "\n\n".join(f"{p} ({n}.{i})" for i, p in enumerate(doc.text.split("\n\n")))
            (source / f"doc-{n}.md").write_text(
                f"---\nid: doc-{n}\nlang: {doc.lang}\n---\n{text}\n"
            )
        store = SnapshotStore(FolderBlobs(Path(folder) / "store"))
        started = time.perf_counter()
        report = ingest(source, index="bench", store=store, embedder=engine)
        elapsed = time.perf_counter() - started
        snapshot = store.load("bench")
    assert snapshot is not None
    per_chunk = elapsed / report.embedded
    sample = [c.embedding_text for c in snapshot.chunks[:16]]
    started = time.perf_counter()
    engine.passages(sample)
    alone = (time.perf_counter() - started) / len(sample)
    results["kb_ingest_throughput"] = {
        "figure": f"{1 / per_chunk:.2f} chunks/s ({per_chunk * 10_000 / 60:.0f} min per 10,000 "
        f"chunks; read, chunk, embed, publish; {report.embedded} chunks measured)",
        "baseline": f"{1 / alone:.2f} chunks/s embedding alone (the same chunks' texts)",
    }


def _generated(size: int, words: dict[str, list[str]]) -> Snapshot:
    rng = random.Random(size)
    chunks, vectors = [], bytearray()
    for n in range(size):
        lang = "zh" if n % 3 == 0 else "en"
        text = " ".join(rng.choices(words[lang], k=60 if lang == "en" else 25))
        doc = Document(f"gen-{n}", " ".join(rng.choices(words[lang], k=4)), text, lang)
        chunks.append(IndexedChunk.of(Chunk(doc, 0, text)))
        vector = [rng.gauss(0, 1) for _ in range(DIM)]
        norm = sum(x * x for x in vector) ** 0.5
        vectors += quantize([x / norm for x in vector])
    return Snapshot("generated", 1, chunks, bytes(vectors), {c.doc_key: "" for c in chunks})


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 4),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 4),
        "runs": len(ordered),
    }


def _plot(quality: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(quality), figsize=(5 * len(quality), 4), sharey=True)
    for ax, (name, by_method) in zip(axes, quality.items(), strict=True):
        langs = sorted(next(iter(by_method.values())))
        width = 0.8 / len(METHODS)
        for i, method in enumerate(METHODS):
            values = [by_method[method][lang]["recall@1"] for lang in langs]
            positions = [x + i * width for x in range(len(langs))]
            ax.bar(positions, values, width, label=method)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(langs))], langs)
        ax.axhline(0.85, color="grey", linestyle="--", linewidth=1)
        ax.set_title(name.replace("_", " "), fontsize=9)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("recall@1")
    axes[-1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    FIGURE.parent.mkdir(exist_ok=True)
    fig.savefig(FIGURE, dpi=110)
    plt.close(fig)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_knowledge(results: dict[str, Any]) -> None:
    engine = E5Engine(packaged_engine()[1])
    _say("knowledge base: recall on the evaluation sets ...")
    bench_quality(results, CachedEmbedder(engine))
    _say("knowledge base: search latency ...")
    bench_latency(results, engine)
    _say("knowledge base: ingestion ...")
    bench_ingestion(results, engine)


def main() -> int:
    """Only the knowledge-base figures: python -m socialcare_local.bench_knowledge"""
    results: dict[str, Any] = {}
    bench_knowledge(results)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
