"""The guards every written reply passes before it is sent: grounded in the passages it cites,
in the customer's language, within the channel's limits, free of personal data, free of the
commitments the brand forbids, free of its own instructions, and not a copy of the customer's
message (the customer's text is data: a reply that repeats it can carry an injection out)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from socialcare.generate.brand import BrandPolicy
from socialcare.generate.facts import Facts, facts
from socialcare.generate.prompt import TAGS
from socialcare.generate.reply_contract import DraftReply
from socialcare.generate.reply_style import ReplyStyle
from socialcare.knowledge.port import Passage
from socialcare.knowledge.tokens import terms
from socialcare.understand.language import detect_language
from socialcare.understand.pii import redact

MIN_SUPPORT = 0.5  # share of a reply's content terms that its passages or the question contain
MAX_QUICK_REPLIES = 3
MAX_QUICK_REPLY_CHARS = 25
LEAK_WORDS = 8  # this many words in a row from the instructions (or the customer's message) is
# a copy; or this many CJK characters x 1.5
_LEAK_MARKERS = re.compile(
    r"system (prompt|message)|my (instructions|rules|prompt)|these instructions|wants_human|"
    r"quick_replies|<\s*/?\s*(" + "|".join(TAGS) + r")|系统提示|提示词|系统消息|我的指令|这些指令",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"[a-z0-9']+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
_MARKUP = re.compile(r"</?\s*[a-z][a-z_]*\s*>", re.IGNORECASE)  # <customer_response>, </reply>


@dataclass(frozen=True, slots=True)
class Violation:
    guard: str  # "grounded", "language", "length", "personal_data", "commitment", "leak" ...
    problem: str  # in plain words: logged, counted and told to the model when it repairs


@dataclass(frozen=True, slots=True)
class GuardContext:
    language: str
    question: str
    passages: tuple[Passage, ...]  # what the model was shown
    style: ReplyStyle
    brand: BrandPolicy
    instructions: str
    profile: str = ""  # the customer facts the prompt gave (issue 19): words a reply may use


def check_reply(draft: DraftReply, context: GuardContext) -> tuple[Violation, ...]:
    if not draft.text.strip():
        return (Violation("format", "it is empty"),)
    said = "\n".join((draft.text, *draft.quick_replies))
    return tuple(
        (
            *_format(draft, said),
            *_grounded(draft, context),
            *_language(said, context),
            *_length(draft, context.style),
            *_personal_data(said, context.passages),
            *_commitments(said, context.brand),
            *_leaks(said, context),
            *_echo(said, context.question),
        )
    )


def cited_passages(draft: DraftReply, context: GuardContext) -> tuple[Passage, ...]:
    """The passages the reply cites; when it cites none, the one it draws most on."""
    by_id = {p.id: p for p in context.passages}
    if draft.citations:
        return tuple(by_id[c] for c in draft.citations if c in by_id)
    reply_terms = set(terms(draft.text))
    scored = [(len(reply_terms & set(terms(p.text))), i) for i, p in enumerate(context.passages)]
    best = max(scored, default=(0, -1))
    return (context.passages[best[1]],) if best[0] else ()


def _format(draft: DraftReply, said: str) -> Iterable[Violation]:
    if draft.truncated:
        yield Violation("format", "it was cut off at the token limit")
    if tag := _MARKUP.search(said):
        yield Violation("format", f'it contains markup ("{tag.group()}"): write plain sentences')


def _grounded(draft: DraftReply, context: GuardContext) -> Iterable[Violation]:
    known = {p.id for p in context.passages}
    for unknown in (c for c in draft.citations if c not in known):
        yield Violation("grounded", f"it cites [{unknown}], which is not one of the passages")
    cited = cited_passages(draft, context)
    if not cited:
        yield Violation("grounded", "it cites no help-centre passage")
        return
    backing = _facts("\n".join(f"{p.title}\n{p.text}\n{p.url}" for p in cited))
    stated = facts(draft.text)
    identifiers = {n for n in facts(context.question).numbers if len(n) >= 4 and "." not in n}
    for value, unit in sorted(stated.quantities - backing.quantities):
        yield Violation("grounded", f'it states "{value} {unit}", which no cited passage says')
    with_unit = {value for value, _ in stated.quantities}
    for value in sorted(stated.numbers - with_unit - backing.numbers - identifiers):
        yield Violation("grounded", f"it states the number {value}, which no cited passage has")
    for url in sorted(stated.urls - backing.urls):
        yield Violation("grounded", f"it links to {url}, which no cited passage has")
    reply_terms = terms(_URL.sub(" ", draft.text))
    if len(reply_terms) >= 3:
        source = set(
            terms(
                " ".join(
                    [
                        context.question,
                        context.brand.name,
                        context.profile,
                        *(p.text for p in cited),
                    ]
                )
            )
        )
        support = sum(t in source for t in reply_terms) / len(reply_terms)
        if support < MIN_SUPPORT:
            yield Violation(
                "grounded", f"only {support:.0%} of its words come from the cited passages"
            )


def _language(said: str, context: GuardContext) -> Iterable[Violation]:
    plain = _URL.sub(" ", said).replace(context.brand.name, " ")
    found = detect_language(plain, default="")
    if found != context.language:
        yield Violation(
            "language", f"it is written in {found or 'no language'}, not {context.language}"
        )


def _length(draft: DraftReply, style: ReplyStyle) -> Iterable[Violation]:
    if len(draft.text) > style.max_chars:
        yield Violation(
            "length", f"it has {len(draft.text)} characters; the limit is {style.max_chars}"
        )
    if len(draft.quick_replies) > MAX_QUICK_REPLIES or any(
        len(q) > MAX_QUICK_REPLY_CHARS for q in draft.quick_replies
    ):
        yield Violation(
            "length",
            f"quick replies: at most {MAX_QUICK_REPLIES}, of {MAX_QUICK_REPLY_CHARS} characters",
        )


def _personal_data(said: str, passages: tuple[Passage, ...]) -> Iterable[Violation]:
    """Emails, phones and card numbers, except the brand's own that the help centre publishes."""
    for passage in passages:
        for published in _published_personal_data(passage.text):
            said = said.replace(published, " ")
    if redact(said) != said:
        yield Violation("personal_data", "it contains an email address, phone or card number")


@lru_cache(maxsize=512)
def _published_personal_data(text: str) -> tuple[str, ...]:
    """What redact() takes out of a help-centre text (the brand's published contacts): the
    text between the kept segments around each placeholder."""
    kept = _PLACEHOLDER.split(redact(text))
    found, position = [], len(kept[0])
    for segment in kept[1:]:
        end = text.find(segment, position + 1) if segment else len(text)
        if end < 0:
            break
        found.append(text[position:end])
        position = end + len(segment)
    return tuple(f for f in found if f.strip())


def _commitments(said: str, brand: BrandPolicy) -> Iterable[Violation]:
    for pattern in brand.forbidden:
        if found := pattern.search(said):
            yield Violation(
                "commitment", f'it makes a commitment the policy forbids ("{found.group()}")'
            )


def _leaks(said: str, context: GuardContext) -> Iterable[Violation]:
    if marker := _LEAK_MARKERS.search(said):
        yield Violation("leak", f'it talks about its instructions ("{marker.group()}")')
        return
    sayable = " ".join(p.text for p in context.passages)
    copied = (_shingles(said) & _shingles(context.instructions)) - _shingles(sayable)
    if copied:
        yield Violation("leak", "it repeats its instructions")


def _echo(said: str, question: str) -> Iterable[Violation]:
    """A long run of the customer's words, or nothing but the customer's words (a short
    question asked back)."""
    said_terms = set(terms(_URL.sub(" ", said)))
    if _shingles(said) & _shingles(question) or (said_terms and said_terms <= _terms(question)):
        yield Violation("echo", "it repeats the customer's message: answer it instead")


@lru_cache(maxsize=512)
def _facts(text: str) -> Facts:
    return facts(text)


@lru_cache(maxsize=512)
def _terms(*texts: str) -> frozenset[str]:
    return frozenset(t for text in texts for t in terms(text))


@lru_cache(maxsize=512)
def _shingles(text: str) -> frozenset[str]:
    words = _WORD.findall(text.lower())
    cjk = "".join(_CJK.findall(text))
    span = LEAK_WORDS * 3 // 2
    return frozenset(
        {" ".join(words[i : i + LEAK_WORDS]) for i in range(len(words) - LEAK_WORDS + 1)}
        | {cjk[i : i + span] for i in range(len(cjk) - span + 1)}
    )
