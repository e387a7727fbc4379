"""Personal data in customer text, found with its offsets and replaced by typed placeholders
before anything is stored or logged.

Each kind has a shape and, where the format has one, a checksum: payment cards pass Luhn, Chinese
resident ids their ISO 7064 check character, IBANs mod 97, SSNs the SSA's rules, IP addresses the
`ipaddress` parser. Order and tracking numbers are not personal data: a number right after "order",
"tracking", "订单" and the like stays, and so does any number glued to letters (1Z999AA1...).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
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
_IBAN = re.compile(
    rf"{_NOT_ALNUM_BEFORE}[A-Z]{{2}}\d{{2}}(?: ?[A-Z0-9]{{1,4}}){{3,8}}{_NOT_ALNUM_AFTER}", re.I
)
_CN_ID = re.compile(rf"{_NOT_ALNUM_BEFORE}\d{{17}}[\dXx]{_NOT_ALNUM_AFTER}")
_CARD = re.compile(rf"{_NOT_ALNUM_BEFORE}\d(?:[ -]?\d){{12,18}}{_NOT_ALNUM_AFTER}")
_SSN = re.compile(rf"{_NOT_ALNUM_BEFORE}(\d{{3}})([- ]?)(\d{{2}})\2(\d{{4}}){_NOT_ALNUM_AFTER}")
_PHONE = re.compile(
    rf"{_NOT_ALNUM_BEFORE}(?:"
    r"(?:\+|00(?=[1-9]))\d{1,3}[\s.-]?(?:\(?\d{1,4}\)?[\s.-]?){1,5}\d{2,4}"  # +44 20 ..., 0049 ...
    r"|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}"  # (555) 123-4567, 555.123.4567
    r"|1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"  # Chinese mobile: 138 1234 5678
    r"|0\d{2,3}-\d{7,8}"  # Chinese landline: 010-12345678
    rf"){_NOT_ALNUM_AFTER}"
)
_IPV4 = re.compile(r"(?<![A-Za-z0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")

# A number that follows one of these words (within a few characters) is an order, parcel or
# invoice number, not personal data; the nearest keyword decides.
_REFERENCE = re.compile(
    r"(order|purchase|tracking|track|parcel|package|shipment|invoice|bill|ref|reference|"
    r"订单|单号|运单|快递|物流|包裹|发票|编号|#)",
    re.IGNORECASE,
)
_PERSONAL = re.compile(
    r"(card|visa|mastercard|amex|phone|call|mobile|tel|whatsapp|ssn|social security|"
    r"卡|电话|手机|号码|联系|身份证)",
    re.IGNORECASE,
)
_CONTEXT_CHARS = 24
_SSN_WORDS = re.compile(r"ssn|social security", re.IGNORECASE)
_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


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
    """ISO 13616: the country code and check digits moved to the end, letters as 10..35,
    mod 97 is 1."""
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[PersonalData]:
    """Every piece of personal data in `text`, in order, none overlapping. `names` are the
    customer's names as the platform profile gives them."""
    text = sanitize(text)
    found: list[PersonalData] = []
    found += [PersonalData("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found += [PersonalData("iban", m.start(), m.start() + n) for m, n in _ibans(text)]
    found += [
        PersonalData("cn_id", m.start(), m.end())
        for m in _CN_ID.finditer(text)
        if cn_id_valid(m.group()) and not _is_reference(text, m.start())
    ]
    found += [
        PersonalData("phone", m.start(), m.end())
        for m in _PHONE.finditer(text)
        if 7 <= _digit_count(m.group()) <= 15 and not _is_reference(text, m.start())
    ]
    found += [
        PersonalData("card", m.start(), m.end())
        for m in _CARD.finditer(text)
        if luhn_valid(_digits(m.group())) and not _is_reference(text, m.start())
    ]
    found += [
        PersonalData("ssn", m.start(), m.end())
        for m in _SSN.finditer(text)
        if ssn_valid(m.group(1), m.group(3), m.group(4))
        and (m.group(2) or _SSN_WORDS.search(text, max(0, m.start() - _CONTEXT_CHARS), m.start()))
        and not _is_reference(text, m.start())
    ]
    found += [PersonalData("ip", m.start(), m.end()) for m in _ip_addresses(text)]
    found += _names(text, names)
    return _without_overlaps(found)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with each piece of personal data replaced by its placeholder ([EMAIL], [PHONE]...)."""
    clean = sanitize(text)
    out, last = [], 0
    for item in find_personal_data(clean, names):
        out += [clean[last : item.start], item.placeholder]
        last = item.end
    out.append(clean[last:])
    return "".join(out)


def pseudonym(identifier: str) -> str:
    """A stable stand-in for an id that may be personal (a WhatsApp id is a phone number), so
    that logs can follow one conversation without naming the customer."""
    return hashlib.sha256(identifier.encode()).hexdigest()[:12]


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _is_reference(text: str, start: int) -> bool:
    """Whether the nearest keyword before `start` names an order, parcel or invoice number."""
    before = text[max(0, start - _CONTEXT_CHARS) : start]
    reference = [m.end() for m in _REFERENCE.finditer(before)]
    personal = [m.end() for m in _PERSONAL.finditer(before)]
    return bool(reference) and (not personal or max(reference) > max(personal))


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


def _ip_addresses(text: str) -> list[re.Match[str]]:
    out = []
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            try:
                ipaddress.ip_address(match.group())
            except ValueError:
                continue
            out.append(match)
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
