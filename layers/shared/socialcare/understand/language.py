"""Which language a short social message is written in (ISO 639-1), by its scripts."""

from __future__ import annotations

DEFAULT = "en"


def detect_language(text: str, default: str = DEFAULT) -> str:
    han = kana = hangul = latin = 0
    for char in text:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            han += 1
        elif "\u3040" <= char <= "\u30ff":
            kana += 1
        elif "\uac00" <= char <= "\ud7af":
            hangul += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if kana:
        return "ja"
    if hangul > han:
        return "ko"
    # One Chinese character carries about as much as a short English word.
    if han and han * 3 >= latin:
        return "zh"
    return "en" if latin else default
