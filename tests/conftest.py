"""Shared fixtures: the bundled seed directives and, when present, ../shared; and the tier markers.

Tiers are folders: tests/unit/<package>, tests/integration, tests/reliability, tests/model (loads
the real bundled model), tests/e2e (a real browser). Each test gets its folder's marker, so
`-m "unit or integration"` is the fast tier (scripts/test_fast.sh)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from index.index import Index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sample" / "seeds"
SHARED = Path(os.environ.get("CHIDAO_SHARED", ROOT.parent / "shared"))


TIERS = ("unit", "integration", "reliability", "model", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(item.fspath).resolve().relative_to(ROOT / "tests").parts
        if parts and parts[0] in TIERS:
            item.add_marker(getattr(pytest.mark, parts[0]))


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture(scope="session")
def seeds_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hash-embedder index of the five seeds, built once per run. Read-only: copy it to write."""
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.pipeline import ingest_file

    root = tmp_path_factory.mktemp("seeds") / "index"
    write(root, [ingest_file(p) for p in sorted(SEEDS.glob("*.txt"))], get_embedder("hash"))
    return root


@pytest.fixture(scope="session")
def seeds_index(seeds_root: Path) -> Index:
    from index.index import Index

    return Index(seeds_root).load()


@pytest.fixture
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not present (set CHIDAO_SHARED)")
    return SHARED


def require_tool(name: str, language: str | None = None) -> None:
    """Skip a test whose Debian tool (antiword, tesseract + a language) is missing; in CI (CI=true,
    where scripts/setup.sh installs them as root) fail instead, so a missing tool is never silent."""
    import shutil
    import subprocess

    exe = shutil.which(name)
    missing = None if exe else f"{name} is not installed"
    if exe and language:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False).stdout.split()
        missing = None if language in langs else f"{name} has no '{language}' model"
    if missing is None:
        return
    message = f"{missing} (scripts/setup.sh installs it when run as root)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message)
    pytest.skip(message)
