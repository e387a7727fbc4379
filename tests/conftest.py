"""Markers follow the folders: tests/unit, tests/integration, tests/e2e. The tiny LLM served by
`transformers serve` is shared by the integration and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from socialcare_local.llm_server import LlmServer
from socialcare_local.moto_server import free_port
from tests.llm.tiny_model import answering_model, random_model

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


@dataclass(frozen=True)
class TinyLlm:
    base_url: str  # LLM_ENDPOINT_URL
    answering: str  # LLM_MODEL of the model that always writes the delivery-time answer
    random: str  # LLM_MODEL of the model that writes gibberish


@pytest.fixture(scope="session")
def tiny_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyLlm]:
    """GIVEN two tiny Llama models built in the test, served by `transformers serve` on a
    loopback port (each request names its model's folder)."""
    folder = tmp_path_factory.mktemp("tiny-llm")
    answering = answering_model(folder / "answering")
    gibberish = random_model(folder / "random")
    server = LlmServer(free_port()).start()
    yield TinyLlm(server.base_url, str(answering), str(gibberish))
    server.stop()
