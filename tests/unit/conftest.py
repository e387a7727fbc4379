"""Fixtures the unit tests share: the packaged help centre's index and brand policy."""

from __future__ import annotations

import pytest

from socialcare.generate.brand import BrandPolicy, load_brand_policy
from socialcare.knowledge.embedded_index import EmbeddedIndex


@pytest.fixture(scope="session")
def index(shipped_index: EmbeddedIndex) -> EmbeddedIndex:
    return shipped_index


@pytest.fixture(scope="session")
def brand() -> BrandPolicy:
    return load_brand_policy()
