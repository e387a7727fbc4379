"""Generation figures for `make bench`: what the guards add to a reply, beside the prompt
building and the reply parsing of the same replies, in the same run.

The replies are the ones an LLM would be judged on: for each held-back customer question
(tests/data/helpcentre_queries.jsonl and generation_questions.jsonl), the best passage's answer
as a grounded reply, and the same with a changed number as an ungrounded one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from socialcare_local.cfn_template import ROOT

DATA = ROOT / "tests" / "data"


def run(results: dict[str, Any]) -> None:
    from socialcare.generate.brand import load_brand_policy
    from socialcare.generate.guards import GuardContext, check_reply
    from socialcare.generate.prompt import build_prompt
    from socialcare.generate.reply_contract import DraftReply, parse_reply
    from socialcare.generate.reply_style import reply_style
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.pipeline import PASSAGES
    from socialcare_local.bench import summary, timed

    brand = load_brand_policy()
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine
    from socialcare.knowledge.topics import packaged

    index = EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
    style = reply_style("telegram", brand_max=brand.max_reply_chars)
    cases = []
    for name in ("helpcentre_queries.jsonl", "generation_questions.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            question = json.loads(line)
            text, lang = question["query"], question["lang"]
            passages = index.search(text, k=PASSAGES, lang=lang)
            if not passages:
                continue
            prompt = build_prompt(text, lang, passages, (), style=style, brand=brand)
            context = GuardContext(lang, text, prompt.passages, style, brand, prompt.instructions)
            lead = passages[0].lead
            raw = json.dumps({"text": lead, "citations": [passages[0].id]}, ensure_ascii=False)
            cases.append((text, lang, passages, context, DraftReply(lead, (passages[0].id,)), raw))
            wrong = re.sub(r"\d+", "97", lead, count=1)
            cases.append((text, lang, passages, context, DraftReply(wrong, (passages[0].id,)), raw))

    def each(work: Any) -> list[float]:
        samples: list[float] = []
        for case in cases:
            samples += timed(lambda case=case: work(*case), runs=20, warmup=2)
        return samples

    results["generation_guards"] = summary(
        each(lambda _t, _l, _p, context, draft, _r: check_reply(draft, context))
    )
    results["baseline_generation_prompt_build"] = summary(
        each(
            lambda text, lang, passages, _c, _d, _r: build_prompt(
                text, lang, passages, (), style=style, brand=brand
            )
        )
    )
    results["baseline_generation_reply_parse"] = summary(
        each(lambda _t, _l, _p, _c, _d, raw: parse_reply(raw))
    )
    results["generation_guard_cases"] = len(cases)
    # The guards on drafts written for the purpose (tests/data/bad_drafts.jsonl, good_drafts):
    # the share of bad drafts stopped, of good ones passed, and the precision of the refusals.
    from socialcare.generate.draft_sets import guard_figures

    figures = guard_figures(brand).summary()
    results["guard_draft_sets"] = figures
    results["guards_bad_drafts_stopped_by_their_guard"] = {
        "value": figures["bad_stopped_by_its_guard"],
        "target": 1.0,
    }
    results["guards_good_drafts_passed"] = {"value": figures["good_passed"], "target": 0.95}
