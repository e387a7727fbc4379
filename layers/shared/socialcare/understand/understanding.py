"""Everything the agent understands of one message, before it answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from socialcare.model import Entity
from socialcare.understand.entities import find_entities
from socialcare.understand.intents import Intent, shipped_model
from socialcare.understand.language import DEFAULT, detect_language
from socialcare.understand.pii import PersonalData, find_personal_data, redact
from socialcare.understand.safety import is_toxic, is_urgent
from socialcare.understand.sentiment import Sentiment, sentiment
from socialcare.understand.text import sanitize


@dataclass(frozen=True, slots=True)
class Understanding:
    language: str
    sentiment: Sentiment
    intent: Intent
    entities: tuple[Entity, ...]
    pii: tuple[PersonalData, ...]
    redacted: str
    toxic: bool
    urgent: bool

    def to_dict(self) -> dict[str, Any]:
        """The shape `socialcare understand` prints, one JSON object per message."""
        return {
            "language": self.language,
            "sentiment": {"label": self.sentiment.label, "score": self.sentiment.score},
            "intent": {"name": self.intent.name, "confidence": self.intent.confidence},
            "entities": [
                {"type": e.type, "value": e.value, "start": e.start, "end": e.end}
                for e in self.entities
            ],
            "pii": [{"type": p.type, "start": p.start, "end": p.end} for p in self.pii],
            "redacted": self.redacted,
            "toxic": self.toxic,
            "urgent": self.urgent,
        }


def understand(
    text: object, names: Iterable[str] = (), default_language: str = DEFAULT
) -> Understanding:
    """Never raises on what a customer can send: any string (or none) gives a full result.
    Offsets are offsets into `text`; `names` are the customer's names from the platform profile."""
    clean = sanitize(text)
    names = tuple(names)
    return Understanding(
        language=detect_language(clean, default=default_language),
        sentiment=sentiment(clean),
        intent=shipped_model().classify(clean),
        entities=tuple(find_entities(clean)),
        pii=tuple(find_personal_data(clean, names)),
        redacted=redact(clean, names),
        toxic=is_toxic(clean),
        urgent=is_urgent(clean),
    )
