"""Fine-tuning data from the real Bitext development CSV: the prompts are the ones the running
pipeline sends to the LLM, the targets are the reply contract it parses, the held-out rows are
never in it, and intent and sentiment come as auxiliary labelling examples."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from socialcare.evaluation.articles import SHIPPED_ARTICLE
from socialcare.generate.brand import BrandPolicy
from socialcare.generate.guards import GuardContext, check_reply
from socialcare.generate.llm_writer import LlmWriter, WriterSettings
from socialcare.generate.prompt import build_prompt
from socialcare.generate.reply_contract import parse_reply
from socialcare.generate.reply_style import reply_style
from socialcare.knowledge.embedded_index import EmbeddedIndex
from socialcare.learning.datasets import ExampleBuilder, bitext_sources
from socialcare.model import Channel, InboundMessage, Kind
from socialcare.pipeline import PASSAGES, compose
from socialcare.understand.datasets import is_heldout
from socialcare.understand.intents import shipped_model
from tests.fakes.ports import RecordingMetrics, ScriptedChatModel

SOCIALCARE = Path(sys.executable).with_name("socialcare")
ROOT = Path(__file__).resolve().parents[2]
BITEXT = ROOT.parent / "shared" / "data" / "bitext" / "train.csv"
ROWS = 120  # real rows of the CSV, spread over it (it is sorted by intent)


@pytest.fixture(scope="module")
def bitext_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GIVEN a sample of real rows of the Bitext development CSV, held-out ones among them."""
    with BITEXT.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = reader.fieldnames or []
    step = len(rows) // ROWS
    path = tmp_path_factory.mktemp("bitext") / "sample.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows[::step][:ROWS])
    return path


@pytest.fixture(scope="module")
def examples(
    bitext_sample: Path, shipped_index: EmbeddedIndex, brand: BrandPolicy
) -> list[dict[str, Any]]:
    builder = ExampleBuilder(shipped_index, brand, shipped_model().labels, max_input_tokens=1000)
    return list(builder.examples(bitext_sources(bitext_sample, builder), "bitext"))


def _dataset_bitext(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    command = [str(SOCIALCARE), "dataset", "bitext", "--bitext", str(source), "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _questions(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["instruction"]: row for row in csv.DictReader(handle)}


def _customer_text(example: dict[str, Any]) -> str:
    user = example["messages"][1]["content"]
    return user.split("<customer_message>\n")[1].split("\n</customer_message>")[0]


def test_held_out_rows_are_never_in_the_training_data(
    bitext_sample: Path, examples: list[dict[str, Any]]
) -> None:
    """GIVEN real rows, some of them in the held-out fifth WHEN the dataset is built THEN every
    development row gives examples and no held-out utterance appears in any of them."""
    rows = _questions(bitext_sample)
    heldout = [text for text in rows if is_heldout(text)]
    assert heldout, "the sample must contain held-out rows for this test to mean anything"
    used = {_customer_text(e) for e in examples}
    assert not used & set(heldout)
    assert len(used) == len(rows) - len(heldout)


def test_reply_prompts_are_what_the_pipeline_sends_to_the_llm(
    examples: list[dict[str, Any]], shipped_index: EmbeddedIndex, brand: BrandPolicy
) -> None:
    """GIVEN reply examples WHEN the pipeline composes a reply to the same customer message with
    an LLM writer (the worker's prompt budget) THEN, whenever the decision lets the LLM write
    (most of them; the others are declined or asked back), the model receives exactly the
    example's system and user messages."""
    replies = [e for e in examples if e["task"] == "reply"]
    assert len(replies) > ROWS // 2
    sampled = list(islice(replies, 0, None, 10))
    written = 0
    for example in sampled:
        model = ScriptedChatModel(["{}"] * 2)
        writer = LlmWriter(
            model, brand, RecordingMetrics(), settings=WriterSettings(max_input_tokens=1000)
        )
        message = InboundMessage(
            Channel.TELEGRAM, "c", "c", "m", "c", Kind.TEXT, _customer_text(example)
        )
        compose(message, example["language"], shipped_index, writer=writer)

        if model.calls:
            written += 1
            sent = [m.as_dict() for m in model.calls[0]]
            assert sent == example["messages"][:2]
    assert written > len(sampled) // 2


def test_reply_targets_are_the_cited_articles_answer_and_pass_every_guard(
    bitext_sample: Path,
    examples: list[dict[str, Any]],
    shipped_index: EmbeddedIndex,
    brand: BrandPolicy,
) -> None:
    """GIVEN reply examples WHEN their targets go through the pipeline's own parser and guards,
    against the passages their prompt showed, THEN each follows the contract, cites the article
    of its row's intent, and states nothing that article does not (every guard passes); a
    person is asked for exactly when the customer asked."""
    rows = _questions(bitext_sample)
    style = reply_style("telegram", brand_max=brand.max_reply_chars)
    replies = [e for e in examples if e["task"] == "reply"]
    assert len(replies) > ROWS // 2
    for example in replies:
        question, language = _customer_text(example), example["language"]
        passages = shipped_index.search(question, k=PASSAGES, lang=language)
        prompt = build_prompt(
            question, language, passages, (), style=style, brand=brand, max_input_tokens=1000
        )
        assert [m.as_dict() for m in prompt.messages] == example["messages"][:2]
        context = GuardContext(
            language, question, prompt.passages, style, brand, prompt.instructions
        )
        draft = parse_reply(example["messages"][2]["content"])
        row = rows[question]
        assert draft.structured and 0 < len(draft.text) <= 600
        assert draft.citations == (SHIPPED_ARTICLE[row["intent"]],)
        assert check_reply(draft, context) == ()
        assert draft.wants_human == (row["intent"] == "contact_human_agent")


def test_bitext_answers_never_become_targets(
    bitext_sample: Path, examples: list[dict[str, Any]]
) -> None:
    """GIVEN Bitext rows whose answers carry "{{Website Name}}" and invented steps WHEN the
    dataset is built THEN no target contains any of them: no placeholder, no reference text."""
    rows = _questions(bitext_sample)
    templated = [r for r in rows.values() if "{{" in r["response"]]
    assert templated, "the sample must contain templated answers for this test to mean anything"
    targets = [e["messages"][2]["content"] for e in examples if e["task"] == "reply"]
    assert not any("{{" in t for t in targets)
    references = {" ".join(r["response"].split()[:6]) for r in rows.values()}
    assert not any(" ".join(parse_reply(t).text.split()[:6]) in references for t in targets)


def test_intent_and_sentiment_come_as_auxiliary_labelling_examples(
    bitext_sample: Path, examples: list[dict[str, Any]]
) -> None:
    """GIVEN the built examples THEN each development row also gives one labelling example
    whose target is the row's intent and the message's sentiment, and every reply example
    carries the same labels as fields."""
    rows = _questions(bitext_sample)
    labels = [e for e in examples if e["task"] == "understand"]
    assert len(labels) == len({_customer_text(e) for e in examples})
    for example in labels:
        target = json.loads(example["messages"][2]["content"])
        assert target["intent"] == rows[_customer_text(example)]["intent"]
        assert target["sentiment"] in ("negative", "neutral", "positive")
        assert target["intent"] in example["messages"][0]["content"]
    for example in (e for e in examples if e["task"] == "reply"):
        assert example["intent"] == rows[_customer_text(example)]["intent"]


def test_the_cli_writes_the_dataset_and_says_what_it_left_out(
    bitext_sample: Path, tmp_path: Path
) -> None:
    """GIVEN the sample WHEN `socialcare dataset bitext` runs THEN it writes JSON lines and
    reports how many replies and labels it wrote and how many held-out rows it left out."""
    out = tmp_path / "sft.jsonl"
    result = _dataset_bitext(bitext_sample, out)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    heldout = sum(1 for text in _questions(bitext_sample) if is_heldout(text))
    assert f"left out {heldout} held-out rows" in result.stderr
    replies = sum(1 for line in lines if line["task"] == "reply")
    assert f"{replies} replies" in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"instruction,intent\nhello,greeting\n", "missing column(s) response"),
        (b"instruction,intent,response\ncaf\xe9 ok,x,y\n", "not UTF-8"),
        (b"instruction,intent,response\nwhere is my order?,track_order,\n", "row 2"),
    ],
)
def test_a_bad_csv_gets_a_clear_error_and_no_file(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    """GIVEN a CSV without a column, not in UTF-8, or with an empty reference WHEN the CLI
    runs THEN it fails naming the problem, and writes no dataset."""
    source, out = tmp_path / "bad.csv", tmp_path / "sft.jsonl"
    source.write_bytes(content)
    result = _dataset_bitext(source, out)
    assert result.returncode == 1
    assert expected in result.stderr
    assert str(source) in result.stderr
    assert list(tmp_path.iterdir()) == [source]
