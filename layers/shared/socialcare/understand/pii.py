"""Personal data in customer text, replaced by typed placeholders before storing or logging.

Order and tracking numbers are not personal data: the phone and card patterns below need a
phone's shape or a valid Luhn checksum, so a bare order number stays as it is.
"""

from __future__ import annotations

import hashlib
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_PHONE = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){1,4}[\s.-]?\d{2,4}(?!\d)"  # +44 20 7946 0958
    r"|(?<!\d)\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)"  # (555) 123-4567
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"  # Chinese mobile: 13812345678
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def redact(text: str) -> str:
    text = _EMAIL.sub("[EMAIL]", text)
    # Phones first: "+86 138 1234 5678" has a phone's shape, and happens to pass Luhn too.
    text = _PHONE.sub("[PHONE]", text)
    return _CARD.sub(_card_or_keep, text)


def _card_or_keep(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[CARD]" if luhn_valid(digits) else match.group()


def pseudonym(identifier: str) -> str:
    """A stable stand-in for an id that may be personal (a WhatsApp id is a phone number), so
    that logs can follow one conversation without naming the customer."""
    return hashlib.sha256(identifier.encode()).hexdigest()[:12]
