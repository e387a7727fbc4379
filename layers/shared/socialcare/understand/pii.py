"""Personal data in customer text, found with its offsets and replaced by typed placeholders
before anything is stored or logged.

Each kind has a shape and, where the format has one, a checksum: payment cards pass Luhn, Chinese
resident ids their ISO 7064 check character, IBANs mod 97, SSNs the SSA's rules, IP addresses the
`ipaddress` parser. Order and tracking numbers are not personal data: a number written right after
"order", "tracking", "ticket", "订单" and the like stays, and so does any number glued to letters
(1Z999AA1...); a dotted quad right after "version" or "build" is a version, not an address.
Full-width input (１３８…, ＠) is folded by NFKC before matching; see docs/privacy-and-input.md.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from socialcare.understand.text import sanitize


@dataclass(frozen=True, slots=True)
class PersonalData:
    type: str  # email, phone, card, cn_id, iban, ssn, ip, name
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        return f"[{self.type.upper()}]"


_NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
_NOT_ALNUM_AFTER = r"(?![A-Za-z0-9])"
# A match starts only where a run of address characters does, so a long run without "@" is
# scanned once (it was quadratic: 60 KB took 18 s). \w and the letters of the top-level domain
# are Unicode: 用户@例子.中国 and josé@correo.es are addresses.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# The Chinese glued before an ASCII address is not part of it: "邮箱abc@qq.com" is abc@qq.com.
_HAN_THEN_ASCII = re.compile(r"(?<![\u3400-\u9fff])[\u3400-\u9fff]+(?=[A-Za-z0-9._%+-]+$)")
_IBAN = re.compile(
    rf"{_NOT_ALNUM_BEFORE}[A-Z]{{2}}\d{{2}}(?: ?[A-Z0-9]{{1,4}}){{3,8}}{_NOT_ALNUM_AFTER}", re.I
)
# 18 characters, in one run or in groups (110105 19491231 002X, 4403 0619 9203 1545 69); never
# the tail of a longer run of digit groups.
_CN_ID = re.compile(
    rf"{_NOT_ALNUM_BEFORE}(?<!\d[ -])\d(?:[ -]?\d){{16}}[ -]?[\dXx]{_NOT_ALNUM_AFTER}"
)
_CARD = re.compile(rf"{_NOT_ALNUM_BEFORE}(?<!\d[ -])\d(?:[ -]?\d){{12,18}}{_NOT_ALNUM_AFTER}")
_SSN = re.compile(rf"{_NOT_ALNUM_BEFORE}(\d{{3}})([- ]?)(\d{{2}})\2(\d{{4}}){_NOT_ALNUM_AFTER}")
_PHONE = re.compile(
    rf"{_NOT_ALNUM_BEFORE}(?:"
    r"(?:\+|00(?=[1-9]))\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s./-]?){1,5}\d{2,4}"  # +44 20 ..., 0049 ...
    r"|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}"  # (555) 123-4567, 555.123.4567
    r"|1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"  # Chinese mobile: 138 1234 5678
    r"|0\d{2,3}-\d{7,8}"  # Chinese landline: 010-62345678
    r"|0[47]\d{2,3}[\s-]?\d{3}[\s-]?\d{3}"  # UK 07911 123456, Australia 0412 345 678
    r"|01[5-7]\d{1,2}[\s/-]?\d{6,8}"  # German mobile: 0151 23456789, 0176/1234567
    r"|0[67](?:[\s.-]?\d{2}){4}|0[1-59](?:[\s.-]\d{2}){4}"  # French: 06 12 34 56 78
    r"|0[789]0[\s-]?\d{4}[\s-]?\d{4}"  # Japanese mobile: 090-1234-5678
    r"|0\d-\d{4}-\d{4}|0\d{2}-\d{3}-\d{4}|0\d{3}-\d{2}-\d{4}"  # Japanese landline: 10 digits
    r"|0[1-9]\d{1,3}[\s-]\d{3,4}[\s-]\d{4}"  # UK landline: 020 7946 0958
    r"|\(0\d{1,4}\)[\s-]?\d{3,4}[\s-]?\d{4}"  # Australian landline: (02) 9876 5432
    rf"){_NOT_ALNUM_AFTER}"
)
_IPV4 = re.compile(r"(?<![A-Za-z0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")

# A number written right after one of these words (ending a word, as in "order" or a typed
# "theorder"; only fillers such as "number", "no.", "#", ":" or "is" between) is an order,
# parcel, ticket or invoice number, not personal data. Anything else between ("my order was
# paid with 4111 ...") and the number is judged on its own: "refund", "preferred" or a lone "#"
# exempt nothing.
_REFERENCE = re.compile(
    r"(?:orders?|oder|roder|ordr|pu?r?c?h?ase|tracking|track|parcels?|packages?|shipments?|invoices?|"
    r"bills?|ref|reference|tickets?|case|booking|reservation|confirmation|awb|waybill|rma)"
    r"(?![A-Za-z])|订单|单号|运单|快递|物流|包裹|发票|编号|工单",
    re.IGNORECASE,
)
# A dotted quad after one of these is a version ("app version 1.2.3.4"), not an address.
_VERSION = re.compile(
    r"(?<![A-Za-z])(?:version|ver|build|release|firmware|update|upgrade|patch)(?![A-Za-z])"
    r"|版本|固件",
    re.IGNORECASE,
)
_FILLERS = re.compile(r"(?:[\s:#=.,()-]|no|nr|num|numbers?|id|is|was|号码?|是|为)*", re.IGNORECASE)
_CONTEXT_CHARS = 32
_SSN_WORDS = re.compile(r"ssn|social security", re.IGNORECASE)
# The countries in SWIFT's IBAN registry: a carrier's code ("JD00...") is not one of them.
_IBAN_REGISTRY = (
    "AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI "
    "GL GR GT HR HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL "
    "NO OM PK PL PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE"
)
_IBAN_COUNTRIES = frozenset(_IBAN_REGISTRY.split())
_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Dashes that people (and input methods) type for "-"; NFKC leaves them as they are.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def cn_id_valid(number: str) -> bool:
    """GB 11643: 17 digits, a plausible birth date, and the ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _CN_ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def iban_valid(candidate: str) -> bool:
    """ISO 13616: a country that issues IBANs, then with the country code and check digits
    moved to the end and letters as 10..35, mod 97 is 1."""
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum() or compact[:2] not in _IBAN_COUNTRIES:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[PersonalData]:
    """Every piece of personal data in `text`, in order, none overlapping. `names` are the
    customer's names as the platform profile gives them. Matching runs on the text folded by
    NFKC one character at a time (full-width digits and ＠ as typed in Chinese), so every offset
    is still an offset into `text`."""
    text = sanitize(text)
    folded = fold_compatible(text)
    found = _emails(folded)
    found += [PersonalData("iban", m.start(), m.start() + n) for m, n in _ibans(folded)]
    found += _numbers(folded) + _ip_addresses(folded) + _names(text, names)
    return _without_overlaps(found)


def fold_compatible(text: str) -> str:
    """`text` with each character that NFKC maps to one character replaced by it (０-９, ＠,
    ＋, the ideographic space, ...) and dashes made "-": the same length, so offsets hold."""
    if text.isascii():
        return text
    return "".join(map(_fold_char, text)).translate(_DASHES)


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _emails(text: str) -> list[PersonalData]:
    out = []
    for match in _EMAIL.finditer(text):
        local = text[match.start() : text.index("@", match.start())]
        han = _HAN_THEN_ASCII.match(local)  # 邮箱abc@qq.com: the address starts at "abc"
        out.append(PersonalData("email", match.start() + (han.end() if han else 0), match.end()))
    return out


def _numbers(text: str) -> list[PersonalData]:
    """Ids, phones, cards and SSNs: each shape with its checksum, unless it is written as an
    order, parcel, ticket or invoice number."""
    candidates = [
        *(("cn_id", m) for m in _CN_ID.finditer(text) if cn_id_valid(_compact(m.group()))),
        *(("phone", m) for m in _PHONE.finditer(text) if 7 <= _digit_count(m.group()) <= 15),
        *(("card", m) for m in _CARD.finditer(text) if luhn_valid(_digits(m.group()))),
        *(("ssn", m) for m in _SSN.finditer(text) if _is_ssn(text, m)),
    ]
    return [
        PersonalData(kind, m.start(), m.end())
        for kind, m in candidates
        if not _right_after(_REFERENCE, text, m.start())
    ]


def _is_ssn(text: str, match: re.Match[str]) -> bool:
    """A valid SSN written with dashes, or with spaces or none after "SSN" / "social security"."""
    if not ssn_valid(match.group(1), match.group(3), match.group(4)):
        return False
    before = text[max(0, match.start() - _CONTEXT_CHARS) : match.start()]
    return match.group(2) == "-" or bool(_SSN_WORDS.search(before))


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with each piece of personal data replaced by its placeholder ([EMAIL], [PHONE]...)."""
    clean = sanitize(text)
    out, last = [], 0
    for item in find_personal_data(clean, names):
        out += [clean[last : item.start], item.placeholder]
        last = item.end
    out.append(clean[last:])
    return "".join(out)


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "")


def _right_after(words: re.Pattern[str], text: str, start: int) -> bool:
    """Whether one of `words` comes right before `start`, with only fillers between."""
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    ends = [match.end() for match in words.finditer(before)]
    return bool(ends) and _FILLERS.fullmatch(before, ends[-1]) is not None


def _ibans(text: str) -> list[tuple[re.Match[str], int]]:
    """IBANs with their length: written in groups of four, a match may run on into the next
    word ("... 7654 32 please"), so the longest run of groups that passes mod 97 is the IBAN."""
    out = []
    for match in _IBAN.finditer(text):
        groups = match.group().split(" ")
        for count in range(len(groups), 0, -1):
            candidate = " ".join(groups[:count])
            if iban_valid(candidate):
                out.append((match, len(candidate)))
                break
    return out


def _ip_addresses(text: str) -> list[PersonalData]:
    """IPv4 and IPv6 addresses the `ipaddress` parser accepts, but not a version number
    ("build 2.1.0.7") nor a bare "::"."""
    out = []
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            try:
                ipaddress.ip_address(match.group())
            except ValueError:
                continue
            if match.group().strip(":") and not _right_after(_VERSION, text, match.start()):
                out.append(PersonalData("ip", match.start(), match.end()))
    return out


def _names(text: str, names: Iterable[str]) -> list[PersonalData]:
    """The profile's names where they appear: whole words for Latin names (a one-word name only
    with its capital, so that "Will" hides without "I will"), anywhere for Chinese names."""
    out = []
    for name in {n.strip() for n in names if isinstance(n, str) and len(n.strip()) >= 2}:
        if name.isascii():
            flags = re.IGNORECASE if " " in name else 0
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags)
        else:
            pattern = re.compile(re.escape(name))
        out += [PersonalData("name", m.start(), m.end()) for m in pattern.finditer(text)]
    return out


def _without_overlaps(found: list[PersonalData]) -> list[PersonalData]:
    """The earliest match wins; at the same start the longer one; a match inside one already
    taken is dropped (an email's digits are not a phone number as well)."""
    kept: list[PersonalData] = []
    for item in sorted(found, key=lambda p: (p.start, -(p.end - p.start))):
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept
