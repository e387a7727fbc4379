"""The `socialcare` command, run the way a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SOCIALCARE = Path(sys.executable).with_name("socialcare")
ROOT = Path(__file__).resolve().parents[2]  # the Bitext CSV is at ../shared/ from here


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


def test_answer_greets_with_the_name_of_the_brand_policy_in_use(tmp_path: Path) -> None:
    """GIVEN BRAND_POLICY_FILE naming another brand WHEN a customer's "hi" is answered THEN the
    greeting introduces that brand's assistant, in English and in Chinese."""
    packaged = ROOT / "layers/shared/socialcare/generate/brands/lumen-co.toml"
    policy = tmp_path / "acme.toml"
    policy.write_text(packaged.read_text().replace('name = "Lumen & Co."', 'name = "Acme"'))
    env = {**os.environ, "BRAND_POLICY_FILE": str(policy)}

    replies = [
        json.loads(
            subprocess.run(
                [str(SOCIALCARE), "answer", text],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout
        )["text"]
        for text in ("hi", "你好")
    ]

    assert replies[0].startswith("Hi! I'm the Acme assistant.")
    assert replies[1].startswith("您好!我是 Acme 的智能客服")


def test_unknown_command_fails_with_usage() -> None:
    result = subprocess.run([str(SOCIALCARE), "fly"], capture_output=True, text=True, check=False)

    assert result.returncode == 2
    assert "answer" in result.stderr


def test_understand_reads_and_writes_json_lines() -> None:
    """GIVEN JSON lines on stdin (one with the customer's profile name, one not JSON) WHEN
    `socialcare understand` runs THEN each line gets one JSON object, personal data redacted, and
    the bad line an error (with a failing exit status) without stopping the others."""
    lines = [
        {"text": "Hi, Ada Lovelace here, where is order 3707955617?", "names": ["Ada Lovelace"]},
        {"text": "我的快递到哪了?手机13812345678"},
    ]
    stdin = "\n".join([json.dumps(lines[0]), "not json", json.dumps(lines[1], ensure_ascii=False)])
    result = subprocess.run(
        [str(SOCIALCARE), "understand"], input=stdin, capture_output=True, text=True, check=False
    )

    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1
    assert len(out) == 3
    assert out[0]["redacted"] == "Hi, [NAME] here, where is order 3707955617?"
    assert out[0]["intent"]["name"] == "track_order"
    assert out[0]["entities"] == [
        {"type": "order_number", "value": "3707955617", "start": 38, "end": 48}
    ]
    assert "error" in out[1]
    assert out[2]["language"] == "zh"
    assert out[2]["redacted"] == "我的快递到哪了?手机[PHONE]"
    assert out[2]["pii"] == [{"type": "phone", "start": 10, "end": 21}]


def test_eval_understanding_prints_every_part_and_plots_intents(tmp_path: Path) -> None:
    """GIVEN the shipped evaluation sets and our held-out Bitext part WHEN `socialcare eval
    understanding` runs THEN it prints a figure per part, each meeting the issue's target, and
    writes the intent confusion matrix as a PNG."""
    plot = tmp_path / "confusion.png"
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [str(SOCIALCARE), "eval", "understanding", "--plot", str(plot), "--json", str(figures)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )

    assert "intent_chinese" in result.stdout
    assert "❌" not in result.stdout
    assert plot.read_bytes().startswith(b"\x89PNG")
    values = {k: v["value"] for k, v in json.loads(figures.read_text()).items()}
    assert values["intent_english_bitext"] >= 0.99
    assert values["intent_chinese"] >= 0.90
    assert values["intent_out_of_scope"] >= 0.90
    assert values["entities_f1_bitext"] >= 0.90
    assert values["pii_recall"] == 1.0
    assert values["pii_false_positives_on_references"] == 0
    assert values["pii_hard_recall"] >= 0.95
    assert values["pii_hard_false_positives_on_references"] == 0
    assert values["language_short_messages"] >= 0.98
    assert values["sentiment_agreement"] >= 0.85


def test_train_intents_is_reproducible(tmp_path: Path) -> None:
    """GIVEN the same data and seed WHEN `socialcare train-intents` runs twice THEN it shows its
    progress and writes byte-identical models that tell intents apart."""
    from socialcare.understand.intents import IntentModel

    outputs = []
    for name in ("a.bin", "b.bin"):
        run = subprocess.run(
            [str(SOCIALCARE), "train-intents", "--epochs", "3", "--out", str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        assert "epoch   3/3" in run.stderr
        outputs.append((tmp_path / name).read_bytes())

    assert outputs[0] == outputs[1]
    model = IntentModel.from_bytes(outputs[0])
    assert model.classify("I want to cancel my order").name == "cancel_order"
    assert model.classify("我想取消订单").name == "cancel_order"


def _socialcare(*args: str) -> Any:
    out = subprocess.run(
        [str(SOCIALCARE), *args], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_channels_lists_every_channels_capabilities() -> None:
    table = _socialcare("channels")
    assert isinstance(table, dict)
    assert table["instagram"]["max_text"] == 1000
    assert table["x"]["max_public_text"] == 280
    assert len(table) == 8


def test_channels_shows_how_a_greeting_renders_on_whatsapp() -> None:
    """GIVEN the greeting's five topics WHEN rendered for WhatsApp (three buttons at most) THEN
    the user sees them as numbered lines; after the window, only the template."""
    [message] = _socialcare("channels", "whatsapp")
    assert message["options"] == [] and "\n5. Reset my password" in message["text"]
    [template] = _socialcare("channels", "whatsapp", "--window-closed")
    assert template["audience"] == "template"


def test_channels_shows_the_public_answer_on_x() -> None:
    [public] = _socialcare("channels", "x", "--public", "--text", "A long answer. " * 40)
    assert public["audience"] == "public" and len(public["text"]) <= 280


def _kb(
    *args: str, store: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOCIALCARE), "kb", *args],
        capture_output=True,
        text=True,
        check=False,
        input=stdin,
        env={**os.environ, "KB_STORE": str(store), **env},
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


def test_kb_search_on_two_embedding_threads_ranks_and_scores_as_on_one(tmp_path: Path) -> None:
    """GIVEN an English and a Chinese question WHEN `socialcare kb search` runs with
    EMBEDDING_THREADS=2 and with the default (one) THEN both print the same results, scores
    included: the threads split the engine's work, not its arithmetic."""
    lines = '{"query": "my parcel never arrived"}\n{"query": "我想换一个尺码", "k": 3}\n'

    default = _kb("search", store=tmp_path / "store", stdin=lines)
    threaded = _kb("search", store=tmp_path / "store", stdin=lines, EMBEDDING_THREADS="2")

    assert default.returncode == threaded.returncode == 0
    assert [len(json.loads(line)) for line in default.stdout.splitlines()] == [5, 3]
    assert threaded.stdout == default.stdout


def test_kb_ingest_of_a_missing_path_fails_with_a_message(tmp_path: Path) -> None:
    """GIVEN a path that does not exist WHEN ingested THEN the command exits 2 and says so."""
    out = _kb("ingest", str(tmp_path / "nowhere"), store=tmp_path / "store")

    assert out.returncode == 2
    assert "does not exist" in out.stderr


def test_answer_as_a_public_reply_on_x_fits_280_characters() -> None:
    """GIVEN no LLM WHEN asked for a public reply on X THEN the extractive answer is cut at a
    sentence to fit 280 characters, its link kept."""
    out = subprocess.run(
        [str(SOCIALCARE), "answer", "--channel", "x", "--public", "how do I get a refund?"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    reply = json.loads(out)
    assert reply["source"] == "knowledge"
    assert len(reply["text"]) <= 280
    assert reply["text"].endswith(reply["citations"][0]["url"])
