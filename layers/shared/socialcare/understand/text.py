"""Text as the understanding sees it: safe to match on, and the same length as what was sent.

Whatever arrives (lone surrogates from a broken client, control characters, 10,000 characters of
spam), `sanitize` gives back a string of the same length, so that every offset it yields is an
offset into the customer's own text, and the string always encodes as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata

# Lone surrogates (they cannot be encoded) and control characters other than tab and newlines
# become U+FFFD and a space: one character each, so offsets stay put.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

# The models read at most this much of a message: intents and feelings show in the first lines.
MODEL_CHARS = 1000


def sanitize(text: object) -> str:
    """The message as a well-formed string of the same length (non-strings give "")."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


def fold(text: str) -> str:
    """What the models read: compatibility forms folded (full-width letters and digits, ligatures),
    lower case, at most MODEL_CHARS characters."""
    return unicodedata.normalize("NFKC", text[:MODEL_CHARS]).lower()


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"
