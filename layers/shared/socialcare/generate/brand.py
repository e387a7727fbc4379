"""The brand persona and policy: a TOML settings file (tone, what the agent may and may not
promise, when a person takes over, the commitments the guards forbid)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from socialcare.generate.folding import fold

DEFAULT_POLICY = Path(__file__).parent / "brands" / "lumen-co.toml"


class BrandPolicyError(ValueError):
    """A brand policy file that cannot be used, with the reason."""


@dataclass(frozen=True, slots=True)
class BrandPolicy:
    name: str
    assistant: str
    max_reply_chars: int
    tone: dict[str, str]  # language -> how replies sound
    may: tuple[str, ...]
    may_not: tuple[str, ...]
    escalate_when: tuple[str, ...]
    # Commitments never to make, in every language (a Chinese reply may carry an English promise).
    forbidden: tuple[re.Pattern[str], ...]

    def tone_for(self, language: str) -> str:
        return self.tone.get(language) or self.tone.get("en", "")

    def forbidden_commitment(self, text: str) -> str:
        """The first forbidden commitment the text makes, read folded (full-width, look-alike
        letters, invisible characters, Traditional Chinese), or ""."""
        folded = fold(text)
        return next((m.group() for p in self.forbidden if (m := p.search(folded))), "")


def load_brand_policy(path: Path | str = "") -> BrandPolicy:
    source = Path(path) if path else DEFAULT_POLICY
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        brand, promises, guards = data["brand"], data["promises"], data["guards"]
        return BrandPolicy(
            name=str(brand["name"]),
            assistant=str(brand["assistant"]),
            max_reply_chars=int(brand["max_reply_chars"]),
            tone={str(k): str(v) for k, v in data["tone"].items()},
            may=_strings(promises["may"]),
            may_not=_strings(promises["may_not"]),
            escalate_when=_strings(data["escalation"]["when"]),
            forbidden=tuple(
                re.compile(pattern, re.IGNORECASE)
                for key, patterns in guards.items()
                if key.startswith("forbidden_")
                for pattern in _strings(patterns)
            ),
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, re.error) as error:
        raise BrandPolicyError(f"{source.name}: {type(error).__name__}: {error}") from None


@cache
def packaged_brand_policy() -> BrandPolicy:
    """The policy shipped with the package (Lumen & Co., the fictional brand of the examples)."""
    return load_brand_policy()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return tuple(value)
