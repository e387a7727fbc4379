"""Terms for lexical search: English words, lightly stemmed; Chinese as character bigrams.

Bigrams need no dictionary and match Chinese words of any length well enough for a help centre.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]+")
_STOP = frozenset(
    """a an and are as at be but by can do does for from have how i if in is it me my of on or
    please so that the this to was what when where which who will with you your hi hello hey
    thanks thank want would like need could get""".split()  # noqa: SIM905
)
_SUFFIXES = ("ing", "ed", "es", "s")


def terms(text: str) -> list[str]:
    out: list[str] = []
    for run in _WORD.findall(text.lower()):
        if "\u4e00" <= run[0] <= "\u9fff":
            out.extend(run if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
        elif run not in _STOP:
            out.append(_stem(run))
    return out


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
