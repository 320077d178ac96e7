"""The seed index under the names the answer, QA, compare and generation tests use."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.index import Index


@pytest.fixture
def root(seeds_root: Path) -> Path:
    return seeds_root


@pytest.fixture
def index(seeds_index: Index) -> Index:
    return seeds_index
