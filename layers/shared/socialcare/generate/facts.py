"""Facts a reply states that the help centre must back: numbers with their units (durations,
prices, percentages), bare numbers, links (with or without a scheme, in any case) and the
countries or regions it names. English and Chinese; callers fold the text first
(`generate.folding`), so full-width forms and Traditional characters read as the same facts.

"3-5 business days" gives (3, day) and (5, day); "€4.95" and "4.95 EUR" give (4.95, eur);
"三十天" gives (30, day). Number words count only with a unit ("two days"): "one of our team"
states no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialcare.knowledge.tokens import terms

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
_RANGE = r"\s{0,3}(?:-|–|—|~|～|to|至|到)\s{0,3}"  # bounded: linear on long runs of spaces
_QUANTITY = re.compile(
    rf"(?:(?P<sign>[€$£¥￥])\s{{0,3}})?(?P<a>{_NUMBER}|\b{_WORD_NUMBER}\b|{_ZH_NUMBER})"
    rf"(?:{_RANGE}(?P<b>{_NUMBER}|\b{_WORD_NUMBER}\b|{_ZH_NUMBER}))?"
    rf"(?:\s{{0,3}}(?:{_UNIT}))?",
    re.IGNORECASE,
)
# A link is read token by token (cut at spaces, CJK characters and brackets): a scheme, "www."
# or a host ending in a top-level domain that links use, with or without a path.
_CUT_CHARS = r"\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef\"'<>()\[\]{},;!|"
_LINK_CUT = re.compile(f"[{_CUT_CHARS}]+")
_TOKEN = re.compile(f"[^{_CUT_CHARS}]+")
_HOST = re.compile(r"(?<![a-z0-9-])[a-z0-9-]++(?:\.[a-z0-9-]+)+")  # from a run's start: linear
_TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "io",
        "co",
        "info",
        "biz",
        "me",
        "ly",
        "app",
        "shop",
        "store",
        "site",
        "online",
        "xyz",
        "top",
        "link",
        "click",
        "cn",
        "uk",
        "ru",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
        "pw",
        "cc",
        "tv",
        "gg",
        "su",
        "ws",
        "to",
        "vip",
        "club",
        "live",
        "icu",
        "example",
    ]
)
# Places a reply may name; each maps to one name in both languages. "US" only in capitals.
_PLACES = {
    "uk": r"\buk\b|united kingdom|\bbritain\b|\bengland\b|scotland|\bwales\b|英国",
    "eu": r"\beu\b|european union|\beurope\b|欧盟|欧洲",
    "china": r"\bchina\b|\bprc\b|中国|大陆|内地",
    "hong kong": r"hong kong|香港",
    "taiwan": r"taiwan|台湾",
    "macau": r"maca[ou]|澳门",
    "japan": r"japan|日本",
    "korea": r"korea|韩国",
    "canada": r"canada|加拿大",
    "australia": r"australia|澳大利亚|澳洲",
    "new zealand": r"new zealand|新西兰",
    "india": r"\bindia\b|印度",
    "singapore": r"singapore|新加坡",
    "switzerland": r"switzerland|瑞士",
    "norway": r"norway|挪威",
    "russia": r"russia|俄罗斯",
    "mexico": r"mexico|墨西哥",
    "brazil": r"brazil|巴西",
}
_PLACE = re.compile(
    "|".join(f"(?P<p{i}>{pattern})" for i, pattern in enumerate(_PLACES.values())),
    re.IGNORECASE,
)
_US = re.compile(r"\bUSA?\b|\bU\.S\.|(?i:united states|\bamerica\b)|美国")  # not "us"


@dataclass(frozen=True, slots=True)
class Facts:
    quantities: frozenset[tuple[str, str]]  # (value, unit): ("3", "day"), ("4.95", "eur")
    numbers: frozenset[str]  # every value, with or without a unit
    urls: frozenset[str]  # host and path, lower case, without the scheme: "evil.example/x"
    places: frozenset[str] = frozenset()  # "uk", "china" ...


def facts(text: str) -> Facts:
    urls = links(text)
    quantities: set[tuple[str, str]] = set()
    numbers: set[str] = set()
    for match in _QUANTITY.finditer(without_links(text)):
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
    return Facts(frozenset(quantities), frozenset(numbers), urls, places(text))


def links(text: str) -> frozenset[str]:
    """Every link, however written: "https://x.example/a", "HTTPS://X.EXAMPLE/a", "www.x.com",
    "x.example/a" all give "x.example/a" (emails are personal data, not links)."""
    found = set()
    for raw in _LINK_CUT.split(text.lower()):
        token = raw.strip(".:?-_/")
        if "@" in token or "." not in token:
            continue
        _, scheme, rest = token.rpartition("://")
        host = (rest if scheme else token).split("/", 1)[0].split("?", 1)[0]
        if (scheme or host.startswith("www.") or host.rsplit(".", 1)[-1] in _TLDS) and (
            _HOST.fullmatch(host)
        ):
            found.add((rest if scheme else token).removeprefix("www.").rstrip("/"))
    return frozenset(found)


def without_links(text: str) -> str:
    """The text with its links taken out (what the language and wording checks read)."""
    return _TOKEN.sub(lambda m: " " if links(m.group()) else m.group(), text)


def places(text: str) -> frozenset[str]:
    names = tuple(_PLACES)
    found = {names[int(m.lastgroup[1:])] for m in _PLACE.finditer(text) if m.lastgroup}
    return frozenset(found | ({"us"} if _US.search(text) else set()))


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


# Claims: a clause is what one statement says (cut at sentence ends, ";", ":", "but", a Chinese
# comma, and before a condition: "as long as it has not been dispatched" is not a denial of
# what comes before it), read as its content terms and whether it is negated. Words that only
# carry the polarity or the politeness ("not", "available", "we", "目前") are not content;
# shipping words are one term, paying words another.
_CLAUSE_CUT = re.compile(
    r"[.!?;。！？；\n]+|[:：](?!\d)|,?\s{1,3}but\b|\bhowever\b|[，,]?(?:但是|但|不过|可是)|，|"
    r"(?<=[\u3400-\u9fff]),|,(?=[\u3400-\u9fff])|"
    r"(?=\b(?:as long as|if|unless|until|provided)\b)|(?=前提是|只要|如果|除非|直到)",
    re.IGNORECASE,
)
# A heading or a list item's label ("- Phone:") names a topic, a condition states when
# something holds: none of them is a claim.
_LABEL = re.compile(r"^[ \t]{0,8}(?:[-*•][ \t]{0,3}|\*\*)[^\n:：]{1,40}[:：](?!\d)", re.MULTILINE)
_NOT_A_CLAIM = re.compile(
    r"\s{0,8}(?:#|(?:as long as|if|unless|until|provided)\b|前提是|只要|如果|除非|直到)",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|unable|unavailable|nor|neither|cant|dont|wont)\b|n['’]t\b|"
    r"不能|不可|无法|不支持|不提供|不接受|不配送|不发货|不送|没有|暂不|不予|未|不会|不再|不退|不行",
    re.IGNORECASE,
)
_NEGATOR_ZH = re.compile(r"不能|不可以|不可|无法|没有|暂不|不予|不会|不再|不|未|没")
_NOT_CONTENT_WORDS = """
    not no never cannot unable unavailable available nor neither t don doesn won isn aren didn
    can cant dont wont offer provide currently sorry unfortunately yes we our able possible
    longer moment right now accept support us use also only
    不能 不可 无法 不 没有 我们 可以 能 会 目前 暂 暂时 暂不 提供 支持 接受 抱歉 很 未 不会 不再
    已经 就 还 也 只 只能 有 有的 到 在 从 对 给 用 被 是 的话
"""
_NOT_CONTENT = frozenset(_NOT_CONTENT_WORDS.split())
_SYNONYMS = {
    "deliver": "ship shipped deliver delivery deliveri send sent post 配送 发货 寄 送 送货 "
    "运送 邮寄 寄送 寄到 送到 发到 配送到",
    "pay": "pay paid payment 支付 付款 付钱 付",
}
_SAME_TERM = {word: name for name, words in _SYNONYMS.items() for word in words.split()}


@dataclass(frozen=True, slots=True)
class Claim:
    terms: frozenset[str]
    negated: bool


def claims(text: str) -> tuple[Claim, ...]:
    out = []
    for clause in _CLAUSE_CUT.split(_LABEL.sub("", text)):
        if _NOT_A_CLAIM.match(clause):
            continue
        if content := content_terms(clause):
            out.append(Claim(content, bool(_NEGATION.search(clause))))
    return tuple(out)


def content_terms(text: str) -> frozenset[str]:
    """What a text is about, without the words of polarity and politeness."""
    plain = _NEGATOR_ZH.sub(" ", text)  # "不配送" is cut "不配" + "送" otherwise
    return frozenset(_same(t) for t in terms(plain) if t not in _NOT_CONTENT)


def _same(term: str) -> str:
    """One spelling of a word: "cancelled" and "cancel" (stemmed "cancell", "cancel") alike."""
    if len(term) > 4 and term[-1] == term[-2] and term[-1] in "bdglmnprt":
        term = term[:-1]
    return _SAME_TERM.get(term, term)
