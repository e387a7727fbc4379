"""`socialcare kb ingest PATH` and `socialcare kb search [QUERY]`: the knowledge base by hand.

The backend, the default index and the store come from the environment (KB_BACKEND, KB_INDEX,
KB_STORE, OPENSEARCH_ENDPOINT ...); `--index NAME` works on another index.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from socialcare.knowledge.port import Passage

BAR = 30


def register(subparsers: Any) -> None:
    kb = subparsers.add_parser("kb", help="ingest documents into the knowledge base, search it")
    commands = kb.add_subparsers(dest="kb_command", required=True)

    ingest = commands.add_parser("ingest", help="add or update the documents under PATH")
    ingest.add_argument("path", type=Path, help="a folder or file: .md .html .csv .jsonl")
    ingest.add_argument("--index", default="", help="the index to build (default: KB_INDEX)")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.set_defaults(run=run_ingest)

    search = commands.add_parser(
        "search", help="the best passages for QUERY; without QUERY, JSON lines from stdin"
    )
    search.add_argument("query", nargs="?", help='what to look for (else stdin: {"query": ...})')
    search.add_argument("--k", type=int, default=5, help="how many results (default 5)")
    search.add_argument("--lang", default=None, help="only documents in this language (en, zh)")
    search.add_argument("--tags", default="", help="only documents with all these tags (a,b)")
    search.add_argument("--index", default="", help="the index to search (default: KB_INDEX)")
    search.add_argument("--json", action="store_true", help="print JSON (batch mode always does)")
    search.set_defaults(run=run_search)


def run_ingest(args: argparse.Namespace) -> int:
    from socialcare import bootstrap
    from socialcare.knowledge.ingestion import ingest

    if not args.path.exists():
        print(f"socialcare kb ingest: {args.path} does not exist", file=sys.stderr)
        return 2
    name = args.index or bootstrap.settings().kb_index
    report = ingest(
        args.path,
        index=name,
        store=bootstrap.snapshot_store(),
        embedder=bootstrap.embedder(),
        publishers=bootstrap.publishers(),
        progress=_progress_bar(sys.stderr),
    )
    if args.json:
        print(json.dumps(_report_json(report), ensure_ascii=False, indent=2))
    else:
        print(
            f"{name} v{report.version}: {len(report.added)} added, "
            f"{len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
            f"{report.embedded} chunks embedded, "
            f"{report.chunks} chunks live"
        )
        for where in report.published:
            print(f"published: {where}")
        for problem in report.problems:
            print(f"skipped {problem.source}: {problem.reason}")
    read = report.added or report.replaced or report.unchanged
    return 0 if read or not report.problems else 1


def run_search(args: argparse.Namespace) -> int:
    from socialcare import bootstrap

    retriever = bootstrap.retriever(args.index)
    tags = tuple(t.strip() for t in args.tags.split(",") if t.strip())
    if args.query is not None:
        passages = retriever.search(args.query, k=args.k, lang=args.lang, tags=tags)
        if args.json:
            print(json.dumps(_results(passages), ensure_ascii=False))
        else:
            for n, p in enumerate(passages, start=1):
                print(f"{n}. [{p.score:.3f}] {p.title} ({p.id}, {p.lang}) {p.url}\n   {p.snippet}")
        return 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            query = str(request["query"])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            print(f'line {number}: not a {{"query": ...}} object ({error})', file=sys.stderr)
            print("[]", flush=True)
            continue
        passages = retriever.search(
            query,
            k=int(request.get("k", args.k)),
            lang=request.get("lang", args.lang),
            tags=tuple(request.get("tags", tags)),
        )
        print(json.dumps(_results(passages), ensure_ascii=False), flush=True)
    return 0


def _results(passages: list[Passage]) -> list[dict[str, Any]]:
    return [
        {"id": p.id, "title": p.title, "score": p.score, "snippet": p.snippet, "url": p.url}
        for p in passages
    ]


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "index": report.index,
        "version": report.version,
        "added": report.added,
        "replaced": report.replaced,
        "unchanged": report.unchanged,
        "embedded": report.embedded,
        "chunks": report.chunks,
        "published": report.published,
        "problems": [{"source": p.source, "reason": p.reason} for p in report.problems],
    }


def _progress_bar(out: TextIO) -> Any:
    def show(done: int, total: int) -> None:
        filled = BAR * done // max(total, 1)
        out.write(f"\rembedding [{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} chunks")
        if done >= total:
            out.write("\n")
        out.flush()

    return show
