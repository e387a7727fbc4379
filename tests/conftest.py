"""Markers follow the folders: tests/unit, tests/integration, tests/e2e."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def shipped_index() -> Any:
    """The help centre the package ships, searched as the worker searches it (hybrid, e5)."""
    from socialcare.knowledge.embedded_index import EmbeddedIndex
    from socialcare.knowledge.embeddings import E5Engine, packaged_engine
    from socialcare.knowledge.topics import packaged

    return EmbeddedIndex.packaged(E5Engine(packaged_engine()[1]), packaged())
