"""Terms for lexical search: English words, lightly stemmed; Chinese words cut by jieba.

Both knowledge-base adapters index and query these same terms (OpenSearch receives them
pre-cut, in a whitespace-analysed field), so their lexical scores agree.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]+")
_STOP = frozenset(
    """a an and are as at be but by can do does for from have how i if in is it me my of on or
    please so that the this to was what when where which who will with you your hi hello hey
    thanks thank want would like need could get u ur im i'm""".split()  # noqa: SIM905
)
# Particles and pronouns that every Chinese question carries; idf alone leaves them too loud in
# a small help centre.
_STOP_ZH = frozenset(
    "的 了 吗 呢 吧 啊 呀 我 你 您 他 她 是 在 和 就 都 也 把 被 给 请 这 那 一下 个".split()  # noqa: SIM905
)
_SUFFIXES = ("ing", "ed", "es", "s")
MAX_QUERY_CHARS = 2000  # a longer "question" is cut here: nobody types more into a chat


def terms(text: str) -> list[str]:
    out: list[str] = []
    for run in _WORD.findall(text.lower()):
        if run[0] >= "\u3400":
            out.extend(w for w in _jieba().cut_for_search(run) if w not in _STOP_ZH)
        elif run not in _STOP:
            out.append(_stem(run))
    return out


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in order; a huge query is cut to its head."""
    return list(dict.fromkeys(terms(text[:MAX_QUERY_CHARS])))


@cache
def _jieba() -> Any:
    import rjieba

    return rjieba


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word
