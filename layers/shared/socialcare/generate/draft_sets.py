"""The guards judged on drafts written for the purpose: bad drafts (each with the guard that must
stop it) and good drafts (correct paraphrases of their passages, which must pass). A guard that
refuses everything stops every bad draft; the good drafts show what it costs.

One JSON line per draft: `id`, `lang`, `question`, `articles` (help-centre ids, best first:
the passages the model was shown), `draft`, `citations`, and `guard` for a bad draft.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from socialcare.generate.brand import BrandPolicy
from socialcare.generate.guards import GuardContext, Violation, check_reply
from socialcare.generate.prompt import build_prompt
from socialcare.generate.reply_contract import DraftReply
from socialcare.generate.reply_style import reply_style
from socialcare.knowledge.documents import HELPCENTRE, Document, load_folder
from socialcare.knowledge.port import Passage

DATA = Path(__file__).resolve().parents[4] / "tests" / "data"
BAD_DRAFTS = DATA / "bad_drafts.jsonl"
GOOD_DRAFTS = DATA / "good_drafts.jsonl"


@dataclass(frozen=True, slots=True)
class DraftCase:
    id: str
    lang: str
    context: GuardContext
    draft: DraftReply
    guard: str  # the guard that must stop it; "" for a good draft


@dataclass
class GuardFigures:
    bad: int = 0
    bad_stopped: int = 0  # by any guard
    bad_stopped_by_its_guard: int = 0
    good: int = 0
    good_passed: int = 0
    missed: list[str] = field(default_factory=list)  # bad drafts its guard let through
    refused: list[str] = field(default_factory=list)  # good drafts refused, with the guards

    @property
    def precision(self) -> float:
        """Of the drafts the guards refused, the share that were bad."""
        refused = self.bad_stopped + self.good - self.good_passed
        return self.bad_stopped / refused if refused else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "bad_drafts": self.bad,
            "bad_stopped": round(self.bad_stopped / self.bad, 4) if self.bad else None,
            "bad_stopped_by_its_guard": (
                round(self.bad_stopped_by_its_guard / self.bad, 4) if self.bad else None
            ),
            "good_drafts": self.good,
            "good_passed": round(self.good_passed / self.good, 4) if self.good else None,
            "precision": round(self.precision, 4),
            "missed": self.missed,
            "refused_good": self.refused,
        }


def load_cases(path: Path, brand: BrandPolicy) -> list[DraftCase]:
    articles = {(d.id, d.lang): d for d in load_folder(HELPCENTRE)}
    style = reply_style("telegram", brand_max=brand.max_reply_chars)
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        passages = [_passage(articles[(a, row["lang"])]) for a in row["articles"]]
        prompt = build_prompt(row["question"], row["lang"], passages, (), style=style, brand=brand)
        context = GuardContext(
            row["lang"], row["question"], prompt.passages, style, brand, prompt.instructions
        )
        draft = DraftReply(row["draft"], tuple(row.get("citations", ())))
        cases.append(DraftCase(row["id"], row["lang"], context, draft, row.get("guard") or ""))
    return cases


def judge(cases: Sequence[DraftCase]) -> tuple[GuardFigures, dict[str, tuple[Violation, ...]]]:
    """The figures, and each draft's violations by id."""
    figures = GuardFigures()
    found = {case.id: check_reply(case.draft, case.context) for case in cases}
    for case in cases:
        guards = {v.guard for v in found[case.id]}
        if case.guard:
            figures.bad += 1
            figures.bad_stopped += bool(guards)
            figures.bad_stopped_by_its_guard += case.guard in guards
            if case.guard not in guards:
                figures.missed.append(f"{case.id} ({case.guard})")
        else:
            figures.good += 1
            figures.good_passed += not guards
            if guards:
                figures.refused.append(f"{case.id} ({', '.join(sorted(guards))})")
    return figures, found


def guard_figures(brand: BrandPolicy) -> GuardFigures:
    """The guards on the shipped bad and good drafts (tests/data)."""
    return judge([*load_cases(BAD_DRAFTS, brand), *load_cases(GOOD_DRAFTS, brand)])[0]


def _passage(doc: Document) -> Passage:
    lead = doc.text.strip().split("\n\n", 1)[0].strip()
    return Passage(doc.id, doc.title, doc.text, doc.lang, doc.url, 5.0, lead=lead)
