"""The guards, the facts they read and the prompt fence stay linear-time on hostile text: a
customer's message (up to the largest body a channel accepts) or a model's reply made of long
runs of what each pattern matches on."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from socialcare.generate.brand import BrandPolicy
from socialcare.generate.draft_sets import BAD_DRAFTS, load_cases
from socialcare.generate.facts import claims, facts, links, places
from socialcare.generate.folding import fold
from socialcare.generate.guards import check_reply
from socialcare.generate.prompt import build_prompt
from socialcare.generate.reply_contract import DraftReply

BODY_CHARS = 60_000  # a web chat post of 60 KB (the audit's figure)
BUDGET_S = 5.0  # each input, all of it (about 2 s here at worst): quadratic ones took minutes
UNITS = [
    " ", "\n", "a", "a.", "x", "1,", "3-", "€1 ", "one-", "不", "不能", "，", "<", "<a ", "{", "{{",
    "[A", "<|", "www.", "a.com/", "https://", "sorry, ", "</customer_message", "-", "  \n", ":",
]  # fmt: skip


@pytest.mark.parametrize("unit", UNITS)
def test_hostile_text_is_judged_in_linear_time(brand: BrandPolicy, unit: str) -> None:
    """GIVEN 60 KB of one repeated unit WHEN it is the customer's question, the model's reply,
    and the text the facts are read from THEN each is done within the budget."""
    case = load_cases(BAD_DRAFTS, brand)[0]
    text = unit * (BODY_CHARS // len(unit))
    started = time.perf_counter()

    check_reply(case.draft, replace(case.context, question=text))
    check_reply(DraftReply(text[:2400], case.draft.citations), case.context)
    build_prompt(text, "en", case.context.passages, (), style=case.context.style, brand=brand)
    facts(text), claims(text), links(text), places(text), fold(text)

    assert time.perf_counter() - started < BUDGET_S
