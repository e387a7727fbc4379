"""One split of the Bitext data for every model and evaluation: the intent model, the topic model
the search uses, the `make eval` gate, `socialcare eval understanding` and the knowledge bench."""

from __future__ import annotations

import json
import struct

from socialcare.evaluation.dataset import load
from socialcare.knowledge.examples import MODEL as EXAMPLES_MODEL
from socialcare.knowledge.topics import MODEL as TOPIC_MODEL
from socialcare.understand import datasets
from socialcare.understand.intents import MAGIC, MODEL_FILE
from socialcare_local.bitext import SPLIT, TRAIN_CSV, chinese_held_back, utterances
from socialcare_local.train_examples import examples
from tests.unit.test_decisions import DEV_SET


def test_no_evaluation_row_is_a_training_row() -> None:
    """GIVEN the Bitext CSV WHEN the trainers and the evaluations take their parts THEN no text
    that any evaluation judges was trained on, by the intent model or by the topic model."""
    rows = datasets.bitext(TRAIN_CSV)
    intent_training = {e.text for e in datasets.bitext_part(rows, heldout=False)}
    topic_training = {u.text for u in utterances("train")}
    evaluated = (
        {e.text for e in datasets.bitext_part(rows, heldout=True)}  # eval understanding
        | {u.text for u in utterances("test")}  # the knowledge bench
        | {c.text for c in load(TRAIN_CSV)}  # eval responses and the `make eval` gate
    )

    assert evaluated
    assert not evaluated & intent_training
    assert not evaluated & topic_training
    assert topic_training == intent_training


def test_chinese_evaluation_rows_translate_held_out_rows_only() -> None:
    """GIVEN the Chinese counterparts of Bitext rows WHEN the knowledge bench evaluates on them
    THEN each translates a held-out English row, never a training one."""
    held_out = {u.row for u in utterances("test")}
    counterparts = chinese_held_back()

    assert counterparts
    assert {u.row for u in counterparts} <= held_out


def test_shipped_models_say_they_were_trained_on_this_split() -> None:
    """GIVEN the shipped intent and topic models WHEN their files are read THEN both record the
    one split (its seed and held-out share)."""
    data = MODEL_FILE.read_bytes()
    (size,) = struct.unpack_from("<I", data, len(MAGIC))
    header = json.loads(data[len(MAGIC) + 4 : len(MAGIC) + 4 + size])
    topics = json.loads(TOPIC_MODEL.read_text(encoding="utf-8"))

    assert header["metadata"]["split_seed"] == datasets.SPLIT_SEED
    assert header["metadata"]["heldout_percent"] == datasets.HELDOUT_PERCENT
    assert topics["split"] == SPLIT


def test_the_decisions_labelled_examples_are_training_data_only() -> None:
    """GIVEN the labelled examples the decision reads (knowledge/examples.json) WHEN their texts
    are listed THEN none is a held-out Bitext row or a message of the decision development set,
    and the file records the one split."""
    texts = {text for text, _ in examples()}
    held_out = {u.text for u in utterances("test")}
    dev = {json.loads(line)["text"] for line in DEV_SET.read_text(encoding="utf-8").splitlines()}

    assert len(texts) > 4000
    assert not texts & (held_out | dev)
    assert json.loads(EXAMPLES_MODEL.read_text(encoding="utf-8"))["split"] == SPLIT
