"""How long and how public a reply may be on each channel, and fitting a text to it."""

from __future__ import annotations

from dataclasses import dataclass

from socialcare.channels.outbound import split_text

# Public replies are posts: X counts a post's characters. Private messages follow the brand's
# own limit (every platform allows more than a brand wants to write in one reply).
PUBLIC_LIMITS = {"x": 280}
DEFAULT_MAX_CHARS = 600


@dataclass(frozen=True, slots=True)
class ReplyStyle:
    channel: str
    public: bool
    max_chars: int


def reply_style(
    channel: str, *, public: bool = False, brand_max: int = DEFAULT_MAX_CHARS
) -> ReplyStyle:
    limit = PUBLIC_LIMITS.get(channel, brand_max) if public else brand_max
    return ReplyStyle(channel, public, min(limit, brand_max))


def fit_text(text: str, link_line: str, max_chars: int) -> str:
    """The text with its link line, cut at a sentence boundary to fit max_chars; the link goes
    first when both cannot fit."""
    with_link = f"{text}\n{link_line}" if link_line else text
    if len(with_link) <= max_chars:
        return with_link
    room = max_chars - len(link_line) - 1 if link_line else max_chars
    if link_line and room >= max_chars // 2:
        return f"{split_text(text, room)[0]}\n{link_line}"
    return split_text(text, max_chars)[0]
