"""Shared fixtures: the bundled seed directives and, when present, ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sample" / "seeds"
SHARED = Path(os.environ.get("CHIDAO_SHARED", ROOT.parent / "shared"))


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present (set CHIDAO_SHARED)")
    return SHARED
