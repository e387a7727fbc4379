"""The Bitext development data (../shared/data/bitext/train.csv, never copied into the repo),
split once, by socialcare.understand.datasets.is_heldout: the same split trains the intent model
and the topic model and judges every evaluation (`make eval`, `socialcare eval understanding`,
the knowledge bench). Chinese counterparts of held-back utterances are ours
(tests/data/bitext_counterparts_zh.jsonl; only those whose English row is held back count), as
are the Chinese training examples."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from socialcare.understand.datasets import HELDOUT_PERCENT, SPLIT_SEED, is_heldout
from socialcare_local.cfn_template import ROOT

TRAIN_CSV = ROOT.parent / "shared" / "data" / "bitext" / "train.csv"
ZH_HELD_BACK = ROOT / "tests" / "data" / "bitext_counterparts_zh.jsonl"
ZH_TRAINING = Path(__file__).parent / "data" / "topic_examples_zh.jsonl"


# What a model file records of the split it was trained on.
SPLIT = f"socialcare.understand.datasets.is_heldout({SPLIT_SEED!r}, {HELDOUT_PERCENT}% held out)"


@dataclass(frozen=True, slots=True)
class Utterance:
    row: int
    text: str
    intent: str
    lang: str = "en"


def split_of(text: str) -> str:
    """ "test" for the held-out rows every evaluation uses, "train" for the others."""
    return "test" if is_heldout(text) else "train"


def utterances(split: str, path: Path = TRAIN_CSV) -> list[Utterance]:
    return [u for u in _rows(path) if split_of(u.text) == split]


def chinese(path: Path) -> list[Utterance]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Utterance(r["row"], r["query"], r["intent"], "zh") for r in records]


def chinese_held_back(path: Path = ZH_HELD_BACK, csv_path: Path = TRAIN_CSV) -> list[Utterance]:
    """The Chinese counterparts of held-out rows only: a translation of a training row is not
    held out."""
    held = {u.row for u in utterances("test", csv_path)}
    return [u for u in chinese(path) if u.row in held]


def _rows(path: Path) -> list[Utterance]:
    with path.open(encoding="utf-8") as f:
        return [
            Utterance(n, r["instruction"], r["intent"]) for n, r in enumerate(csv.DictReader(f))
        ]


# Which article answers each intent in the held-out help centre (tests/data/heldout_helpcentre:
# written apart from the shipped one, never trained or tuned on); for the shipped help centre,
# see socialcare.evaluation.articles.SHIPPED_ARTICLE.
HELDOUT_ARTICLE = {
    "cancel_order": "cancel-order",
    "change_order": "change-order",
    "change_shipping_address": "change-shipping-address",
    "check_cancellation_fee": "cancellation-fees",
    "check_invoice": "view-invoices",
    "get_invoice": "download-invoice",
    "check_payment_methods": "payment-methods",
    "payment_issue": "payment-problems",
    "check_refund_policy": "refund-policy",
    "get_refund": "request-refund",
    "track_refund": "refund-status",
    "complaint": "complaints",
    "review": "reviews",
    "contact_customer_service": "customer-service",
    "contact_human_agent": "human-agent",
    "create_account": "open-account",
    "delete_account": "close-account",
    "edit_account": "edit-profile",
    "switch_account": "switch-plan",
    "recover_password": "reset-password",
    "registration_problems": "sign-up-problems",
    "delivery_options": "shipping-options",
    "delivery_period": "delivery-times",
    "track_order": "order-tracking",
    "place_order": "buying",
    "newsletter_subscription": "newsletter",
    "set_up_shipping_address": "add-address",
}
