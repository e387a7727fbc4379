"""The `socialcare` command, run the way a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SOCIALCARE = Path(sys.executable).with_name("socialcare")


def test_answer_prints_the_reply_the_agent_would_send() -> None:
    """GIVEN the Chinese returns question WHEN `socialcare answer` runs THEN it prints, as JSON,
    a Chinese answer on the 30-day return window with the Chinese page it cites."""
    out = subprocess.run(
        [str(SOCIALCARE), "answer", "你好,我想咨询一下产品的退货政策?"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    reply = json.loads(out)
    assert reply["language"] == "zh"
    assert "30 天" in reply["text"]
    assert reply["citations"][0]["url"].endswith(f"/zh/{reply['citations'][0]['id']}")
    assert reply["citations"][0]["id"] in ("returns-policy", "refund-policy")


def test_unknown_command_fails_with_usage() -> None:
    result = subprocess.run([str(SOCIALCARE), "fly"], capture_output=True, text=True, check=False)

    assert result.returncode == 2
    assert "answer" in result.stderr


def _kb(*args: str, store: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOCIALCARE), "kb", *args],
        capture_output=True,
        text=True,
        check=False,
        input=stdin,
        env={**os.environ, "KB_STORE": str(store)},
    )


def test_kb_ingest_then_search_a_new_index(tmp_path: Path) -> None:
    """GIVEN a folder of articles, one of them unreadable WHEN `socialcare kb ingest --index`
    and then `socialcare kb search --index --json` run THEN the ingest shows progress and names
    the bad file, and the search prints the best article as [{id, title, score, snippet, url}]."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "warranty.md").write_text(
        "---\nid: warranty\ntitle: Warranty\nurl: https://x.example/warranty\n---\n"
        "Every lamp has a two-year warranty against defects.\n"
    )
    (docs / "broken.jsonl").write_text("{not json\n")

    ingested = _kb("ingest", str(docs), "--index", "brand", store=tmp_path / "store")
    searched = _kb(
        "search", "is my lamp covered?", "--index", "brand", "--json", store=tmp_path / "store"
    )

    assert ingested.returncode == 0, ingested.stderr
    assert "embedding [" in ingested.stderr
    assert "brand v1: 1 added" in ingested.stdout
    assert "broken.jsonl:line 1: not JSON" in ingested.stdout
    (result,) = json.loads(searched.stdout)
    assert set(result) == {"id", "title", "score", "snippet", "url"}
    assert (result["id"], result["url"]) == ("warranty", "https://x.example/warranty")


def test_kb_search_reads_queries_from_stdin_one_array_per_line(tmp_path: Path) -> None:
    """GIVEN three JSON lines on stdin, one of them broken and one pure punctuation WHEN
    `socialcare kb search` runs without a query THEN it prints one JSON array per line: the
    shipped help centre's answer, an empty one, and the Chinese answer."""
    lines = '{"query": "how do I reset my password?", "k": 2}\n{"query": "?!"}\nnonsense\n'
    lines += '{"query": "怎么取消订单", "lang": "zh", "k": 1}\n'

    out = _kb("search", store=tmp_path / "empty-store", stdin=lines)

    arrays = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 0
    assert [len(a) for a in arrays] == [2, 0, 0, 1]
    assert arrays[0][0]["id"] == "recover-password"
    assert arrays[3][0]["url"].endswith("/zh/cancel-order")
    assert "line 3" in out.stderr


def test_kb_ingest_of_a_missing_path_fails_with_a_message(tmp_path: Path) -> None:
    """GIVEN a path that does not exist WHEN ingested THEN the command exits 2 and says so."""
    out = _kb("ingest", str(tmp_path / "nowhere"), store=tmp_path / "store")

    assert out.returncode == 2
    assert "does not exist" in out.stderr
