"""What the intent model reads of a message: the same features at training and at run time.

English (and any Latin-script words): words, word pairs and the letter 3- and 4-grams of each
word, which survive the typos of real messages ("cancle my ordr"). Chinese: characters and
character pairs and triples, which need no dictionary. Digits fold to one token, so that order
numbers say "a number is here" rather than which one.
"""

from __future__ import annotations

import re
from itertools import pairwise

from socialcare.understand.text import fold

_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|[\u4e00-\u9fff\u3400-\u4dbf]+")


def features(text: str) -> set[str]:
    out: set[str] = set()
    words: list[str] = []
    for run in _TOKEN.findall(fold(text)):
        if run[0].isdigit():
            words.append("0")
        elif run[0].isascii():
            words.append(run)
            padded = f"<{run}>"
            for n in (3, 4):
                out.update(f"c{padded[i : i + n]}" for i in range(len(padded) - n + 1))
        else:
            words.append("|")  # a Chinese run breaks English word pairs
            for n in (1, 2, 3):
                out.update(f"h{run[i : i + n]}" for i in range(len(run) - n + 1))
    out.update(f"w{w}" for w in words if w != "|")
    out.update(f"b{a} {b}" for a, b in pairwise(words) if "|" not in (a, b))
    return out
