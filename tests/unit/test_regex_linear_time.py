"""Keep it closed: every regular expression in the package stays fast on hostile input.

The patterns are collected by walking the socialcare package (module globals, and the lists,
tuples and dicts they hold) and the brand policies it ships, so a pattern added tomorrow is
covered without touching this file.
Each one is run against inputs built from its own parse tree: long runs of every character
(and pair of characters) it mentions, repeated near-misses of what it matches, and a matching
start followed by a long run of one character, the shapes that make a backtracking engine
go quadratic or exponential. A cheap pass at SCREEN_CHARS finds each pattern's slowest inputs;
those are run again at ADVERSARIAL_CHARS, far above the longest text a channel delivers, and must
finish within BUDGET_S. A signal interrupts a match that runs over, so a catastrophic
pattern fails the test instead of hanging it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

import socialcare
from socialcare.channels.webchat import MAX_TEXT_CHARS
from socialcare.generate.brand import DEFAULT_POLICY, load_brand_policy
from tests.time_limit import TooSlow, within

# X direct messages (10,000 characters) are the longest text any platform sends; web chat is
# capped at MAX_TEXT_CHARS. The adversarial inputs are several times longer than both.
LONGEST_TEXT_CHARS = max(10_000, MAX_TEXT_CHARS)
ADVERSARIAL_CHARS = max(64 * 1024, 4 * LONGEST_TEXT_CHARS)
SCREEN_CHARS = 2_000
BUDGET_S = 1.0
SCREEN_BUDGET_S = 0.2
SLOWEST_KEPT = 3

# One character for each class a pattern can name; \w includes Chinese characters.
_CATEGORY_CHARS = {
    sre.CATEGORY_DIGIT: "1",
    sre.CATEGORY_NOT_DIGIT: "a",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_SPACE: "a",
    sre.CATEGORY_WORD: "a1_中",
    sre.CATEGORY_NOT_WORD: ". ",
    sre.CATEGORY_LINEBREAK: "\n",
    sre.CATEGORY_NOT_LINEBREAK: "a",
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
# Shapes that real text is made of, whatever the pattern mentions.
_GENERIC_UNITS = ("a@", "1 ", "1-", "a.", "1.", "#1", "1:", "a ", "a-", "@a.", "1a", " 1 a")


def _collect(value: object, name: str, out: dict[str, re.Pattern[str]], depth: int = 0) -> None:
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            out.setdefault(name, value)
        return
    if depth >= 3:
        return
    items = list(value.values()) if isinstance(value, dict) else value
    if isinstance(items, list | tuple | set | frozenset):
        for i, item in enumerate(items):
            _collect(item, f"{name}[{i}]", out, depth + 1)


def package_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern the package's modules hold, and those of the brand policies it
    ships (their guards read every reply)."""
    out: dict[str, re.Pattern[str]] = {}
    for module in pkgutil.walk_packages(socialcare.__path__, "socialcare."):
        for name, value in vars(importlib.import_module(module.name)).items():
            _collect(value, f"{module.name}.{name}", out)
    for policy in sorted(DEFAULT_POLICY.parent.glob("*.toml")):
        _collect(load_brand_policy(policy).forbidden, f"brand:{policy.name}", out)
    return out


def _chars(items: Any, out: set[str]) -> None:
    """Every character the parsed pattern names: literals, range ends and middles, one per
    category."""
    for op, av in items:
        if op is sre.LITERAL:
            out.add(chr(av))
        elif op in (sre.NOT_LITERAL, sre.ANY):
            out.add("b" if av == ord("a") else "a")
        elif op is sre.RANGE:
            out.update({chr(av[0]), chr(av[1]), chr((av[0] + av[1]) // 2)})
        elif op is sre.CATEGORY:
            out.update(_CATEGORY_CHARS.get(av, "a"))
        elif op in (sre.IN, sre.ATOMIC_GROUP):
            _chars(av, out)
        else:
            for sub in _children(op, av):
                _chars(sub, out)


def _children(op: Any, av: Any) -> list[Any]:
    if op in _REPEATS:
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[3]]
    if op is sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch]
    return []


def _sketch(items: Any, choice: int) -> str:
    """One string roughly matching the pattern: the `choice`-th branch of each alternation,
    each repeat a few times, lookarounds left out."""
    out = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op in (sre.IN, sre.CATEGORY, sre.NOT_LITERAL, sre.ANY):
            names: set[str] = set()
            _chars([(op, av)], names)
            out.append(sorted(names)[choice % len(names)])
        elif op in _REPEATS:
            out.append(_sketch(av[2], choice) * min(max(av[0], 1), 3))
        elif op is sre.BRANCH:
            out.append(_sketch(av[1][choice % len(av[1])], choice))
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.GROUPREF_EXISTS):
            out.append(_sketch(_children(op, av)[0] if op is not sre.ATOMIC_GROUP else av, choice))
    return "".join(out)


def adversarial_inputs(pattern: re.Pattern[str], length: int) -> Iterator[tuple[str, str]]:
    """(what it is, the text) for each hostile input of `length` characters."""
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    names: set[str] = set()
    _chars(tree, names)
    alphabet = sorted(names)[:60]
    units = [
        *alphabet,
        *(a + b for a, b in zip(alphabet, [*alphabet[1:], *alphabet[:1]], strict=True)),
    ]
    sketches = {s for s in (_sketch(tree, choice) for choice in range(6)) if s}
    for sketch in sketches:
        units += [sketch, sketch[:-1], sketch + " ", sketch[:-1] + " "]
    for unit in dict.fromkeys(u for u in [*units, *_GENERIC_UNITS] if u):
        yield f"{unit!r} repeated", (unit * (length // len(unit) + 1))[:length]
    for sketch in sorted(sketches):
        for cut in {len(sketch) // 2, len(sketch) - 1}:
            for char in alphabet[:30]:
                yield f"{sketch[:cut]!r} then {char!r} repeated", sketch[:cut] + char * length


def _scan(pattern: re.Pattern[str], text: str) -> None:
    for _ in pattern.finditer(text):
        pass


def _slowest_inputs(pattern: re.Pattern[str]) -> list[str]:
    """The descriptions of the inputs that take longest at SCREEN_CHARS (an input that already
    runs over the screening budget comes first)."""
    timings = []
    for what, text in adversarial_inputs(pattern, SCREEN_CHARS):
        try:
            _, seconds = within(SCREEN_BUDGET_S, partial(_scan, pattern, text))
        except TooSlow:
            return [what]
        timings.append((seconds, what))
    return [what for _, what in sorted(timings, reverse=True)[:SLOWEST_KEPT]]


def test_the_package_has_patterns_to_check() -> None:
    """GIVEN the package WHEN walked THEN the patterns that read customer text are among those
    collected (the walk itself works)."""
    names = package_patterns()
    assert {"socialcare.understand.pii._EMAIL", "socialcare.understand.pii._PHONE"} <= set(names)
    assert any(name.startswith("socialcare.understand.entities._REFERENCES[") for name in names)


_PATTERNS = sorted(package_patterns().items())


@pytest.mark.parametrize(("name", "pattern"), _PATTERNS, ids=[name for name, _ in _PATTERNS])
def test_every_pattern_is_fast_on_hostile_input(name: str, pattern: re.Pattern[str]) -> None:
    """GIVEN a pattern of the package WHEN run over hostile inputs of ADVERSARIAL_CHARS
    characters THEN each scan ends within BUDGET_S: no message can stall a function."""
    slowest = set(_slowest_inputs(pattern))
    for what, text in adversarial_inputs(pattern, ADVERSARIAL_CHARS):
        if what not in slowest:
            continue
        try:
            within(BUDGET_S, partial(_scan, pattern, text))
        except TooSlow:
            pytest.fail(f"{name} takes over {BUDGET_S} s on {len(text)} characters: {what}")
