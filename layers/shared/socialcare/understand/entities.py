"""The details a customer gives: order, tracking and invoice numbers, email addresses, phone
numbers, dates, amounts, product and account names, people and places, with character offsets.

Rules and small gazetteers, not a model: the shapes are regular, and a rule says why it fired.
Reference numbers are typed by the word before them ("order 00123842", "运单号 SF1234567890",
"invoice #12588"); an amount is the number beside a currency; places come from the gazetteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialcare.model import Entity
from socialcare.understand.gazetteer import ACCOUNT_TYPES, CITIES, COUNTRIES
from socialcare.understand.pii import find_personal_data
from socialcare.understand.text import sanitize

_REFERENCE_KINDS = (
    (
        "tracking_number",
        r"tracking|track(?:ing)? (?:number|no\.?|#)|parcel|package|shipment|"
        r"waybill|运单|快递单|物流单|快递|物流|包裹",
    ),
    ("invoice_number", r"in?v[a-z]{0,8}|b[iu]{1,3}l{1,3}[a-z]{0,6}|receipt|发票|账单|收据"),
    # typos are common: "roder", "oder", "ordedr", "puchase"
    ("order_number", r"[a-z]{0,4}o?rd[a-z]{0,4}r|oder|roder|pu?r?c?h?ase|订单|单号|订购"),
)
# keyword, then any filler words ("number", "no.", "is", "号是"), then the reference. Every
# repeat is bounded or split by a literal, so no text can be matched in many ways: a hostile
# message costs linear time (an unbounded `[a-z]*` and `\s*` inside and outside a repeated group
# took over 30 s on 88 characters).
_FILLER = r"\s*(?:(?:number|num|no\.?|id|is|was|:|：|号码?|编号|是|为)\s*)*"
_REFERENCE_VALUE = r"(#?(?=[A-Za-z0-9-]{0,29}\d)[A-Za-z0-9][A-Za-z0-9-]{3,29})(?![A-Za-z0-9])"
_REFERENCES = [
    (kind, re.compile(rf"(?:{words})(?:s|es)?{_FILLER}{_REFERENCE_VALUE}", re.IGNORECASE))
    for kind, words in _REFERENCE_KINDS
]
# Carrier formats that are tracking numbers wherever they stand.
_TRACKING = re.compile(
    r"(?<![A-Za-z0-9])(1Z[0-9A-Z]{16}|SF\d{12,15}|[A-Z]{2}\d{9}[A-Z]{2}|JD[0-9A-Z]{12,18})"
    r"(?![A-Za-z0-9])"
)
_CURRENCY_BEFORE = r"(?:[$€£¥￥]|usd|eur|gbp|rmb|cny|us\$)\s?"
_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
_CURRENCY_AFTER = (
    r"\s?(?:dollars?|bucks|euros?|pounds?|yuan|rmb|usd|eur|gbp|元|块钱?|美元|欧元|英镑)"
)
_AMOUNTS = [
    re.compile(rf"(?<![A-Za-z0-9]){_CURRENCY_BEFORE}{_NUMBER}", re.IGNORECASE),
    re.compile(rf"(?<![\d.,]){_NUMBER}{_CURRENCY_AFTER}(?![A-Za-z])", re.IGNORECASE),
]
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATES = re.compile(
    r"(?<![\d])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2}))(?!\d)"
    r"|(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]"
    rf"|\b(?:\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})(?: \d{{4}})?"
    rf"|(?:{_MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?)\b"
    r"|\b(?:today|tomorrow|yesterday|last (?:week|month)|next (?:week|month))\b"
    r"|前天|昨天|今天|明天|后天|上周|下周|上个月|下个月",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? [A-Z][a-z]+(?: [A-Z][a-z]+)?"
    r"|(?:(?<=from )|(?<=for )|(?<=by )|(?<=to )|(?<=of ))[A-Z][a-z]+ [A-Z][a-z]+\b"
)
_PRODUCT = re.compile(
    r"\b(?:i(?:Phone|Pad|Mac)|Galaxy|Pixel|AirPods|MacBook|Kindle|PlayStation|PS|Xbox|Switch)"
    r"(?: ?(?:[A-Z]?\d{1,3}[a-z]?|Pro|Max|Plus|Mini|Ultra|Air|Series \d|S\d{1,2}))*\b"
)
_ACCOUNT = re.compile(
    # the tier, then (perhaps after one word) a word like "account", typos and all ("acdount",
    # "cacount", "prfoile", "freemiumaccount")
    rf"\b({'|'.join(ACCOUNT_TYPES)})(?=\b|ac)(?=\W*(?:[a-z]+\W+)?(?:ac|ca|pr|pl|mem|sub|us|tier|ver|会员|账))",
    re.IGNORECASE,
)
_PLACE = re.compile(rf"\b({'|'.join(sorted(CITIES | COUNTRIES, key=len, reverse=True))})\b")
_PLACE_ZH = re.compile(
    "|".join(sorted((p for p in CITIES | COUNTRIES if not p.isascii()), key=len, reverse=True))
)


@dataclass(frozen=True, slots=True)
class _Found:
    type: str
    start: int
    end: int


def find_entities(text: str) -> list[Entity]:
    """Every detail found in `text`, in order of position; where two overlap, the first found
    by the order of the rules below wins (an order number is not also an amount)."""
    text = sanitize(text)
    found: list[_Found] = []
    found += [
        _Found(p.type, p.start, p.end)
        for p in find_personal_data(text)
        if p.type in ("email", "phone")
    ]
    for kind, pattern in _REFERENCES:
        found += [_Found(kind, m.start(1), m.end(1)) for m in pattern.finditer(text)]
    found += [_Found("tracking_number", m.start(1), m.end(1)) for m in _TRACKING.finditer(text)]
    for pattern in _AMOUNTS:
        found += [_Found("amount", m.start(1), m.end(1)) for m in pattern.finditer(text)]
    found += [_Found("date", m.start(), m.end()) for m in _DATES.finditer(text)]
    found += [_Found("product", m.start(), m.end()) for m in _PRODUCT.finditer(text)]
    found += [_Found("account_type", m.start(1), m.end(1)) for m in _ACCOUNT.finditer(text)]
    found += [_Found("person_name", m.start(), m.end()) for m in _PERSON.finditer(text)]
    for pattern in (_PLACE, _PLACE_ZH):
        found += [
            _Found("country" if m.group() in COUNTRIES else "city", m.start(), m.end())
            for m in pattern.finditer(text)
        ]
    kept: list[_Found] = []
    for item in found:
        if all(item.end <= k.start or item.start >= k.end for k in kept):
            kept.append(item)
    return [
        Entity(k.type, text[k.start : k.end], k.start, k.end)
        for k in sorted(kept, key=lambda k: k.start)
    ]
