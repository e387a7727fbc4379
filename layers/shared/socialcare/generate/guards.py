"""The guards every written reply passes before it is sent: grounded in the passages it cites
and never saying the opposite of them, on the question asked, in the customer's language,
within the channel's limits, free of personal data, free of the commitments the brand forbids,
free of its own instructions, not a copy of the customer's message (the customer's text is
data: a reply that repeats it can carry an injection out), and a reply a person would send: no
markup, no repetition, nothing cut off, no template placeholder, no apology without an answer.

Each guard is a plain check, linear in the text, with its reason name (docs/guards.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from socialcare.generate.brand import BrandPolicy
from socialcare.generate.facts import (
    Claim,
    Facts,
    claims,
    content_terms,
    facts,
    links,
    without_links,
)
from socialcare.generate.folding import fold
from socialcare.generate.prompt import CLOSING, HEADINGS, TAGS
from socialcare.generate.reply_contract import DraftReply
from socialcare.generate.reply_style import ReplyStyle
from socialcare.knowledge.port import Passage
from socialcare.knowledge.tokens import terms
from socialcare.understand.language import detect_language
from socialcare.understand.pii import redact

JUDGED_CHARS = 4  # a draft over this many times the length limit is refused for its length alone
MIN_SUPPORT = 0.5  # share of a reply's content terms that its passages or the question contain
MAX_QUICK_REPLIES = 3
MAX_QUICK_REPLY_CHARS = 25
LEAK_WORDS = 8  # this many words in a row from the instructions (or the customer's message) is
# a copy; or this many CJK characters x 1.5
REPEAT_UNITS = 10  # the same run of this many words (or CJK characters) twice is a repetition
CLAIM_MATCH = 0.66  # share of a claim's content terms a passage clause must hold to speak to it
_LEAK_MARKERS = re.compile(
    r"system (prompt|message)|my (instructions|rules|prompt|guidelines|programming|directives)|"
    r"these (instructions|rules)|\b(i was|i've been|i have been|i am|i'm) (told|instructed|"
    r"programmed|configured|designed) to|(according to|as per|based on) my (instructions|rules)|"
    r"\bas an ai\b|language model|\bpassages?\b|wants_human|quick_replies|\"citations\"|"
    r"<\s*/?\s*(" + "|".join(TAGS) + r")|系统提示|提示词|系统消息|我的指令|这些指令|我的规则|"
    r"我被(要求|设定|告知|指示)|我收到的(指示|指令)|根据我的(指示|指令|规则)|作为(一个)?(ai|人工智能)|"
    r"语言模型|帮助中心段落",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9']+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_UNIT = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]")
_REDACTED = re.compile(r"\[[A-Z_]+\]")
# Markup the customer would see: tags (with attributes), chat-template tokens, role names
# opening a line, and the prompt's own headings.
_MARKUP = re.compile(
    r"</?[a-z][\w-]{0,40}(?:\s[^<>\n]{0,200})?/?>|<\|[\w-]{1,40}\|>|\[/?inst\]|"
    r"^[ \t]{0,8}(?:system|assistant|user|customer|agent|human|bot)[ \t]{0,3}:|"
    + "|".join(re.escape(line) for line in (*HEADINGS.values(), CLOSING)),
    re.IGNORECASE | re.MULTILINE,
)
_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]{0,80}\}\}|\{[a-z_ ]{1,40}\}|\[[A-Z][a-z]{0,20}(?: [A-Z][a-z]{0,20}){0,4}\]|"
    r"\[[A-Z][A-Z_ ]{1,30}\]|\bxxx+\b|【[^【】\n]{1,20}】|%s\b"
)
_LIST_MARKER = re.compile(r"^\s{0,8}(?:\d{1,3}[.)、]|[-*•])\s{0,8}$")
_LIST_ITEM = re.compile(r"^\s{0,8}(?:\d{1,3}[.)、]|[-*•])\s")
_ENDS_SENTENCE = ".!?。！？…)）\"'」』"
_DANGLING = frozenset(
    "and or the a an to of with for your our by in at on from if but so as than".split()  # noqa: SIM905
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]+")
_CLAUSE_END = re.compile(r"[.!?。！？\n,，]+")
_NORMALISE = re.compile(r"[^a-z0-9\u3400-\u9fff]+")
_APOLOGY = re.compile(
    r"sorry|apologi[sz]e|apologies|unfortunately|\bregret|i understand (your|how|that)|"
    r"thank(s| you) for (reaching out|your (patience|message|question)|contacting)|"
    r"hope this helps|anything else|let me know|happy to help|glad to help|"
    r"抱歉|对不起|不好意思|很遗憾|理解您的|感谢您的|谢谢您的|还有什么|随时联系|很高兴为您",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"\b(unable|not able) to (provide|help|assist|answer|find)|"
    r"\bcan(not|'t|t) (provide|help you with|assist|answer)|"
    r"\bdo(n't| not) have (access|any information|information|that information|the information)|"
    r"\bno information\b|无法提供|不能提供|无法回答|无法帮助|不能帮助|没有相关信息|无法查询",
    re.IGNORECASE,
)
MIN_CONTENT_TERMS = 3  # fewer content words than this besides apologies: the reply says nothing


@dataclass(frozen=True, slots=True)
class Violation:
    guard: str  # "grounded", "contradiction", "repetition", "echo", "markup", "cut_off" ...
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
    """Every guard's findings; none means the reply may be sent. Each guard reads the reply
    folded (`generate.folding`), so another spelling of the same words is judged the same."""
    if not draft.text.strip():
        return (Violation("format", "it is empty"),)
    if len(draft.text) > JUDGED_CHARS * context.style.max_chars:
        return tuple(_length(draft, context.style))  # never sent: no need to read it all
    said = fold("\n".join((draft.text, *draft.quick_replies)))
    text = fold(draft.text)
    return tuple(
        (
            *_markup(said),
            *_cut_off(draft, text),
            *_repetition(text),
            *_placeholders(said),
            *_apology(text),
            *_grounded(draft, text, context),
            *_contradictions(draft, text, context),
            *_off_topic(draft, text, context),
            *_language(said, context),
            *_length(draft, context.style),
            *_personal_data(said, context.passages),
            *_commitments(said, context.brand),
            *_leaks(said, context),
            *_echo(said, fold(context.question)),
        )
    )


def cited_passages(draft: DraftReply, context: GuardContext) -> tuple[Passage, ...]:
    """The passages the reply cites; when it cites none, the one it draws most on."""
    by_id = {p.id: p for p in context.passages}
    if draft.citations:
        return tuple(by_id[c] for c in draft.citations if c in by_id)
    reply_terms = set(terms(fold(draft.text)))
    scored = [
        (len(reply_terms & set(terms(_fold(p.text)))), i) for i, p in enumerate(context.passages)
    ]
    best = max(scored, default=(0, -1))
    return (context.passages[best[1]],) if best[0] else ()


def _markup(said: str) -> Iterable[Violation]:
    if tag := _MARKUP.search(said):
        yield Violation("markup", f'it contains markup ("{tag.group().strip()}"): plain sentences')


def _cut_off(draft: DraftReply, text: str) -> Iterable[Violation]:
    """Cut at the token limit, a list that stops at its next number, a sentence that stops at
    a comma or a connecting word, or a last sentence without its ending (a link may end it)."""
    if draft.truncated:
        yield Violation("cut_off", "it was cut off at the token limit")
        return
    last = text.rstrip().rsplit("\n", 1)[-1].strip()
    words = _NORMALISE.sub(" ", last.lower()).split()
    if (
        _LIST_MARKER.match(last)
        or last[-1] in ",:;，：；、(（-–"
        or (words and words[-1] in _DANGLING and last[-1] not in _ENDS_SENTENCE)
    ):
        yield Violation("cut_off", f'it stops mid-sentence ("{last[-20:]}")')
    elif last[-1].isalnum() and not _LIST_ITEM.match(last) and not links(last.split()[-1]):
        yield Violation("cut_off", "its last sentence has no ending: finish it")


def _repetition(text: str) -> Iterable[Violation]:
    """The same sentence or line twice, or the same run of words: small models loop."""
    pieces = [_NORMALISE.sub(" ", p.lower()).strip() for p in _SENTENCE_END.split(text)]
    pieces = [p for p in pieces if len(p.split()) >= 3 or len(_CJK.findall(p)) >= 4]
    runs = Counter(_runs(text))
    if len(pieces) != len(set(pieces)) or any(n > 1 for n in runs.values()):
        yield Violation("repetition", "it says the same thing twice: say it once")


def _placeholders(said: str) -> Iterable[Violation]:
    if found := _PLACEHOLDER.search(said):
        yield Violation(
            "placeholder", f'it contains a template placeholder ("{found.group()}"): fill it in'
        )


def _apology(text: str) -> Iterable[Violation]:
    """A refusal, or apologies and pleasantries around nothing: no customer is helped by it."""
    if found := _REFUSAL.search(text):
        yield Violation(
            "apology", f'it says it cannot help ("{found.group()}"): answer, or hand over'
        )
        return
    sentences = [s for s in _CLAUSE_END.split(without_links(text)) if s.strip()]
    content = [t for s in sentences if not _APOLOGY.search(s) for t in terms(s)]
    if any(_APOLOGY.search(s) for s in sentences) and len(content) < MIN_CONTENT_TERMS:
        yield Violation("apology", "it apologises but says nothing: answer the question")


def _grounded(draft: DraftReply, text: str, context: GuardContext) -> Iterable[Violation]:
    known = {p.id for p in context.passages}
    for unknown in (c for c in draft.citations if c not in known):
        yield Violation("grounded", f"it cites [{unknown}], which is not one of the passages")
    cited = cited_passages(draft, context)
    if not cited:
        yield Violation("grounded", "it cites no help-centre passage")
        return
    backing = _facts(_fold("\n".join(f"{p.title}\n{p.text}\n{p.url}" for p in cited)))
    stated = facts(text)
    identifiers = {n for n in facts(fold(context.question)).numbers if len(n) >= 4 and "." not in n}
    for value, unit in sorted(stated.quantities - backing.quantities):
        yield Violation("grounded", f'it states "{value} {unit}", which no cited passage says')
    with_unit = {value for value, _ in stated.quantities}
    for value in sorted(stated.numbers - with_unit - backing.numbers - identifiers):
        yield Violation("grounded", f"it states the number {value}, which no cited passage has")
    for url in sorted(stated.urls - backing.urls):
        yield Violation("grounded", f"it links to {url}, which no cited passage has")
    for place in sorted(stated.places - backing.places):
        yield Violation("grounded", f"it names {place}, which no cited passage names")
    reply_terms = terms(without_links(text))
    if len(reply_terms) >= 3:
        source = _terms(
            fold(context.question),
            context.brand.name,
            fold(context.profile),
            *(_fold(p.text) for p in cited),
        )
        support = sum(t in source for t in reply_terms) / len(reply_terms)
        if support < MIN_SUPPORT:
            yield Violation(
                "grounded", f"only {support:.0%} of its words come from the cited passages"
            )


def _contradictions(draft: DraftReply, text: str, context: GuardContext) -> Iterable[Violation]:
    """A claim whose polarity the cited passage flips: "we can't ship to the UK" where the
    passage says delivery to the UK is available, or "personalised items can be returned"
    where it says they cannot. A claim the passage also makes the same way is never flagged.
    The passage's title names its topic (delivery, payment), which its sentences leave out:
    a claim is matched on its words beyond that topic."""
    cited = cited_passages(draft, context)
    topic = frozenset().union(*(_topic(_fold(p.title)) for p in cited))
    said = [c for p in cited for c in _claims(_fold(p.text))]
    for claim in claims(without_links(text)):
        own = claim.terms - topic
        if not own:
            continue
        same = max((_cover(own, c) for c in said if c.negated == claim.negated), default=0.0)
        flipped = max((_cover(own, c) for c in said if c.negated != claim.negated), default=0)
        strict = not claim.negated  # an affirmative claim: the passage must deny all of it
        if same < CLAIM_MATCH and flipped >= (1.0 if strict else CLAIM_MATCH):
            what = "denies" if claim.negated else "affirms"
            yield Violation(
                "contradiction",
                f"it {what} what the cited passage says the other way ({', '.join(sorted(own))})",
            )
            return


def _off_topic(draft: DraftReply, text: str, context: GuardContext) -> Iterable[Violation]:
    """A reply from a passage other than the best match that shares no word with the question
    (a payment answer to a delivery question)."""
    cited = cited_passages(draft, context)
    if not cited or not context.passages or context.passages[0] in cited:
        return
    asked = {t for c in claims(fold(context.question)) for t in c.terms}
    answered = {
        t for c in claims(text + "\n" + "\n".join(_fold(p.title) for p in cited)) for t in c.terms
    }
    if len(asked) >= 2 and not asked & answered:
        yield Violation("off_topic", "it does not answer the question the customer asked")


def _language(said: str, context: GuardContext) -> Iterable[Violation]:
    plain = without_links(said).replace(fold(context.brand.name), " ")
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
        for published in _published_personal_data(_fold(passage.text)):
            said = said.replace(published, " ")
    if redact(said) != said:
        yield Violation("personal_data", "it contains an email address, phone or card number")


@lru_cache(maxsize=512)
def _published_personal_data(text: str) -> tuple[str, ...]:
    """What redact() takes out of a help-centre text (the brand's published contacts): the
    text between the kept segments around each placeholder."""
    kept = _REDACTED.split(redact(text))
    found, position = [], len(kept[0])
    for segment in kept[1:]:
        end = text.find(segment, position + 1) if segment else len(text)
        if end < 0:
            break
        found.append(text[position:end])
        position = end + len(segment)
    return tuple(f for f in found if f.strip())


def _commitments(said: str, brand: BrandPolicy) -> Iterable[Violation]:
    if found := brand.forbidden_commitment(said):
        yield Violation("commitment", f'it makes a commitment the policy forbids ("{found}")')


def _leaks(said: str, context: GuardContext) -> Iterable[Violation]:
    if marker := _LEAK_MARKERS.search(said):
        yield Violation("leak", f'it talks about its instructions ("{marker.group()}")')
        return
    sayable = " ".join(_fold(p.text) for p in context.passages)
    copied = (_shingles(said) & _shingles(context.instructions)) - _shingles(sayable)
    if copied:
        yield Violation("leak", "it repeats its instructions")


def _echo(said: str, question: str) -> Iterable[Violation]:
    """A long run of the customer's words, the customer's question asked back (as a line of
    its own or inside the reply), or nothing but the customer's words."""
    said_terms = set(terms(without_links(said)))
    normalised = f" {_NORMALISE.sub(' ', said.lower())} "
    asked = (_NORMALISE.sub(" ", q.lower()).strip() for q in _SENTENCE_END.split(question))
    asked_back = any(
        f" {q} " in normalised for q in asked if len(q.split()) >= 4 or len(_CJK.findall(q)) >= 6
    )
    if (
        asked_back
        or _shingles(said) & _shingles(question)
        or (said_terms and said_terms <= _terms(question))
    ):
        yield Violation("echo", "it repeats the customer's message: answer it instead")


def _cover(terms: frozenset[str], other: Claim) -> float:
    return len(terms & other.terms) / len(terms)


@lru_cache(maxsize=512)
def _fold(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=512)
def _claims(text: str) -> tuple[Claim, ...]:
    return claims(text)


@lru_cache(maxsize=512)
def _topic(title: str) -> frozenset[str]:
    return content_terms(title)


@lru_cache(maxsize=512)
def _facts(text: str) -> Facts:
    return facts(text)


@lru_cache(maxsize=512)
def _terms(*texts: str) -> frozenset[str]:
    return frozenset(t for text in texts for t in terms(text))


def _runs(text: str) -> list[str]:
    """Every run of REPEAT_UNITS words, numbers or CJK characters."""
    units = _UNIT.findall(text.lower())
    return [" ".join(units[i : i + REPEAT_UNITS]) for i in range(len(units) - REPEAT_UNITS + 1)]


@lru_cache(maxsize=512)
def _shingles(text: str) -> frozenset[str]:
    words = _WORD.findall(text.lower())
    cjk = "".join(_CJK.findall(text))
    span = LEAK_WORDS * 3 // 2
    return frozenset(
        {" ".join(words[i : i + LEAK_WORDS]) for i in range(len(words) - LEAK_WORDS + 1)}
        | {cjk[i : i + span] for i in range(len(cjk) - span + 1)}
    )
