"""`chidao index add/remove` write with the embedder the index was built with (its manifest);
`--embedder` belongs to `index build` only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chidao.cli import main
from index.generation import current_generation, read_manifest
from index.index import Index
from tests.conftest import SEEDS


def _docs(root: Path) -> list[str]:
    return sorted(d.id for d in Index(root).load().store.documents())


def test_add_and_remove_use_the_manifest_embedder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first"
    first.mkdir()
    for p in sorted(SEEDS.glob("00[0-3]_*.txt")):
        shutil.copy(p, first / p.name)
    root = tmp_path / "index"
    assert main(["index", "build", "--from", str(first), "--index", str(root), "--embedder", "hash", "--quiet"]) == 0
    assert _docs(root) == ["000_e039e5926f709e92", "001_b75f6995bec0e83d", "002_df20b3de81934500",
                           "003_104911c3395eed31"]

    assert main(["index", "remove", "001_b75f6995bec0e83d", "--index", str(root), "--quiet"]) == 0
    assert _docs(root) == ["000_e039e5926f709e92", "002_df20b3de81934500", "003_104911c3395eed31"]

    (dong_nai,) = SEEDS.glob("004_*.txt")
    assert main(["index", "add", str(dong_nai), "--index", str(root), "--quiet"]) == 0
    assert _docs(root) == ["000_e039e5926f709e92", "002_df20b3de81934500", "003_104911c3395eed31",
                           "004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2"]
    gen = current_generation(root)
    assert gen is not None and read_manifest(gen).embedder == "hash-v1-384"
    capsys.readouterr()


def test_embedder_is_an_option_of_build_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["index", "remove", "x", "--index", "i", "--embedder", "hash"])
    assert "unrecognized arguments: --embedder hash" in capsys.readouterr().err


def test_add_without_an_index_says_how_to_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "add", str(next(SEEDS.glob("000_*.txt"))), "--index", str(tmp_path / "none")]) == 2
    assert "chidao index build" in capsys.readouterr().err
