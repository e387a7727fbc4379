"""Markers follow the folders: tests/unit, tests/integration, tests/e2e."""

from __future__ import annotations

from pathlib import Path

import pytest

EVENTS = Path(__file__).parent / "events"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if kind in ("unit", "integration", "e2e"):
            item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture
def events() -> Path:
    """The folder of real platform payloads (see events/SOURCES.md)."""
    return EVENTS
