"""What the agent and the LLM remember of a returning customer: a line for each of their latest
past sessions (what was asked, how it was answered, whether it was solved), built from what the
understanding stored with each turn, so it names no personal data; sessions older than the
brand's retention are not remembered.

A session is a run of turns without a pause of SESSION_GAP_S; the one going on now is not
memory.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from socialcare.model import Conversation, Turn

SESSION_GAP_S = 6 * 3600.0
MAX_EPISODES = 3
DAY_S = 86400.0
_UNSOLVED = frozenset({"fallback", "handoff", "verify", "window_closed", "link_wrong"})
_ANSWERED_BY = {
    "human": "a person answered",
    "handoff": "handed to a person",
    "fallback": "bot had no answer",
}


@dataclass(frozen=True, slots=True)
class Episode:
    started: float
    channel: str
    asked: str  # the main intent, spaces for underscores
    answered: str
    solved: bool

    def line(self) -> str:
        """At most about 80 characters (what the prompt keeps of a fact), the topic last."""
        day = time.strftime("%Y-%m-%d", time.gmtime(self.started))
        outcome = "solved" if self.solved else "unsolved"
        return f"earlier chat {day} {self.channel}: {outcome}, {self.answered}: {self.asked}"


def sessions(turns: tuple[Turn, ...]) -> list[tuple[Turn, ...]]:
    """The turns split where the conversation paused for SESSION_GAP_S or more."""
    out: list[list[Turn]] = []
    for turn in sorted(turns, key=lambda t: t.at):
        if not out or turn.at - out[-1][-1].at >= SESSION_GAP_S:
            out.append([])
        out[-1].append(turn)
    return [tuple(s) for s in out]


def episodes(conversation: Conversation, now: float, retention_days: float) -> list[Episode]:
    """The conversation's past sessions within the retention, oldest first."""
    found = []
    for session in sessions(conversation.turns):
        if now - session[-1].at < SESSION_GAP_S or now - session[0].at > retention_days * DAY_S:
            continue  # the session going on now, or one older than the brand keeps
        episode = _episode(session, conversation.channel.value)
        if episode is not None:
            found.append(episode)
    return found


def memory(conversations: list[Conversation], now: float, retention_days: float) -> tuple[str, ...]:
    """The latest MAX_EPISODES past sessions across the customer's conversations, one line each."""
    found = [e for c in conversations for e in episodes(c, now, retention_days)]
    latest = sorted(found, key=lambda e: e.started)[-MAX_EPISODES:]
    return tuple(e.line() for e in latest)


def _episode(session: tuple[Turn, ...], channel: str) -> Episode | None:
    asked = [t.intent for t in session if t.role == "customer" and t.intent]
    agent = [t for t in session if t.role == "agent"]
    if not asked or not agent:
        return None
    topics = Counter(i for i in asked if i != "other").most_common(1)
    topic = topics[0][0].replace("_", " ") if topics else "a general question"
    last = agent[-1].source
    answered = _ANSWERED_BY.get(last, "bot answered")
    return Episode(session[0].at, channel, topic, answered, last not in _UNSOLVED)
