"""Facts a reply states that the help centre must back: numbers with their units (durations,
prices, percentages), bare numbers, and links. English and Chinese.

"3-5 business days" gives (3, day) and (5, day); "€4.95" and "4.95 EUR" give (4.95, eur);
"三十天" gives (30, day). Number words count only with a unit ("two days"): "one of our team"
states no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "day": r"(?:business |working )?days?\b|天|日|个?工作日",
    "hour": r"hours?\b|hrs?\b|小时|个小时",
    "minute": r"minutes?\b|mins?\b|分钟",
    "week": r"weeks?\b|周|个?星期",
    "month": r"months?\b|个月",
    "year": r"years?\b|年",
    "percent": r"%|percent\b|per cent\b|％",
    "zhe": r"折",
    "eur": r"€|eur\b|euros?\b|欧元",
    "usd": r"\$|usd\b|dollars?\b|美元",
    "gbp": r"£|gbp\b|pounds?\b|英镑",
    "cny": r"¥|￥|rmb\b|cny\b|yuan\b|元|人民币",
}
_UNIT = "|".join(f"(?P<{name}>{pattern})" for name, pattern in _UNITS.items())
_CURRENCY_SIGN = {"€": "eur", "$": "usd", "£": "gbp", "¥": "cny", "￥": "cny"}

# fmt: off
_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen", "twenty")
# fmt: on
_TENS = {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORDS = {word: i for i, word in enumerate(_ONES)} | _TENS
_ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_SCALES = {"十": 10, "百": 100, "千": 1000}

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_WORD_NUMBER = "(?:{})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?".format(
    "|".join(sorted(_WORDS, key=len, reverse=True))
)
_ZH_NUMBER = r"[零一二两三四五六七八九十百千]+"
_RANGE = r"\s*(?:-|–|—|~|～|to|至|到)\s*"
_QUANTITY = re.compile(
    rf"(?:(?P<sign>[€$£¥￥])\s*)?(?P<a>{_NUMBER}|\b{_WORD_NUMBER}\b|{_ZH_NUMBER})"
    rf"(?:{_RANGE}(?P<b>{_NUMBER}|\b{_WORD_NUMBER}\b|{_ZH_NUMBER}))?"
    rf"(?:\s*(?:{_UNIT}))?",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s)\]>,。，]+")


@dataclass(frozen=True, slots=True)
class Facts:
    quantities: frozenset[tuple[str, str]]  # (value, unit): ("3", "day"), ("4.95", "eur")
    numbers: frozenset[str]  # every value, with or without a unit
    urls: frozenset[str]


def facts(text: str) -> Facts:
    urls = frozenset(u.rstrip(".!?") for u in _URL.findall(text))
    quantities: set[tuple[str, str]] = set()
    numbers: set[str] = set()
    for match in _QUANTITY.finditer(_URL.sub(" ", text)):
        unit = _CURRENCY_SIGN.get(match["sign"] or "") or next(
            (name for name in _UNITS if match[name]), ""
        )
        for raw in (match["a"], match["b"]):
            if raw is None:
                continue
            value = _value(raw)
            worded = not raw[0].isdigit()
            if value is None or (worded and not unit):
                continue  # "one of our team", "一起": no fact without a unit
            numbers.add(value)
            if unit:
                quantities.add((value, unit))
    return Facts(frozenset(quantities), frozenset(numbers), urls)


def _value(raw: str) -> str | None:
    raw = raw.lower()
    if raw[0].isdigit():
        number = raw.replace(",", "")
        return number.rstrip("0").rstrip(".") if "." in number else str(int(number))
    if raw[0] in _ZH_DIGITS or raw[0] in _ZH_SCALES:
        zh = _chinese(raw)
        return None if zh is None else str(zh)
    tens, _, ones = raw.partition("-")
    return str(_WORDS[tens] + (_WORDS[ones] if ones else 0)) if tens in _WORDS else None


def _chinese(raw: str) -> int | None:
    """十四 -> 14, 三十 -> 30, 一百零五 -> 105; digit strings like 一二三 are not numbers."""
    total, digit = 0, None
    for char in raw:
        if char in _ZH_DIGITS:
            if digit is not None:
                return None
            digit = _ZH_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * _ZH_SCALES[char]
            digit = None
    return total + (digit or 0)
