"""Fault injection (issue 7.2): ENOSPC, EIO or a plain exception at every write step.

Each fault makes `write` raise IndexWriteError naming the cause, leaves no staging folder or
unpublished generation behind, and the index answers every query exactly as before; once the
fault is gone the same batch goes in.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faiss
import pytest

from index import generation
from index.embedders.base import get_embedder
from index.embedders.hashing import HashEmbedder
from index.generation import IndexWriteError, current_generation, generations
from index.index import Index
from index.lexical import LexicalIndex
from index.store import Store
from index.writer import write
from ingest.pipeline import ingest_file
from search.retrievers import HybridRetriever
from tests.conftest import SEEDS

QUERIES = ("phòng chống thiên tai", "Sở Y tế", "ubnd tinh chi thi", "kế hoạch triển khai nhiệm vụ năm 2024")
ERRORS: dict[str, Callable[[], BaseException]] = {
    "ENOSPC": lambda: OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    "EIO": lambda: OSError(errno.EIO, os.strerror(errno.EIO)),
    "exception": lambda: RuntimeError("injected fault"),
}


def _fail_when(original: Callable[..., Any], error: Callable[[], BaseException],
               when: Callable[..., bool] = lambda *a, **k: True) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if when(*args, **kwargs):
            raise error()
        return original(*args, **kwargs)

    return wrapper


def _name(arg: object) -> str:
    return Path(str(arg)).name


# step -> (object, attribute, condition on the call's arguments)
STEPS: dict[str, tuple[Any, str, Callable[..., bool]]] = {
    "copy files": (generation.shutil, "copy2", lambda *a, **k: True),
    "link tantivy segments": (generation.os, "link", lambda *a, **k: True),
    "sqlite delete": (Store, "delete", lambda *a, **k: True),
    "sqlite insert": (Store, "put", lambda *a, **k: True),
    "embed": (HashEmbedder, "encode_passages", lambda *a, **k: True),
    "tantivy add": (LexicalIndex, "add", lambda *a, **k: True),
    "tantivy commit": (LexicalIndex, "commit", lambda *a, **k: True),
    "faiss write_index": (faiss, "write_index", lambda *a, **k: True),
    "checksums": (generation, "file_checksums", lambda *a, **k: True),
    "manifest write": (generation, "atomic_write", lambda path, text: _name(path) == generation.MANIFEST),
    "fsync": (generation.os, "fsync", lambda *a, **k: True),
    "rename into place": (generation.os, "replace", lambda src, dst: _name(src).endswith(".staging")),
    "CURRENT swap": (generation, "atomic_write", lambda path, text: _name(path) == generation.CURRENT),
}


def _answers(root: Path) -> dict[str, list[tuple[str, float]]]:
    index = Index(root).load()
    try:
        retriever = HybridRetriever(index)
        return {q: [(h.chunk_id, round(h.score, 6)) for h in retriever.search(q, k=10)] for q in QUERIES}
    finally:
        index.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[tuple[str, float]]]]:
    root = tmp_path_factory.mktemp("faults") / "index"
    seeds = sorted(SEEDS.glob("*.txt"))
    write(root, [ingest_file(p) for p in seeds[:4]], get_embedder("hash"))
    write(root, [ingest_file(seeds[4])], get_embedder("hash"))  # two generations: hard links in play
    return root, _answers(root)


@pytest.mark.parametrize("error", sorted(ERRORS))
@pytest.mark.parametrize("step", list(STEPS))
def test_fault_at_write_step_reports_an_error_and_leaves_search_unchanged(
    built: tuple[Path, dict[str, list[tuple[str, float]]]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, step: str, error: str,
) -> None:
    source, before = built
    root = tmp_path / "index"
    shutil.copytree(source, root)
    live = current_generation(root)
    new_file = ingest_file(_variant(tmp_path))
    owner, attr, when = STEPS[step]
    monkeypatch.setattr(owner, attr, _fail_when(getattr(owner, attr), ERRORS[error], when))
    with pytest.raises(IndexWriteError) as caught:
        write(root, [new_file], get_embedder("hash"), remove=("000_e039e5926f709e92",))
    monkeypatch.undo()
    message = str(caught.value)
    assert message.startswith(f"{root}: batch not written (index unchanged): ")
    assert str(ERRORS[error]()) in message
    assert current_generation(root) == live
    assert [g.name for g in generations(root)] == [g.name for g in generations(source)]
    assert not list(root.glob("*.staging"))
    assert _answers(root) == before
    report = write(root, [new_file], get_embedder("hash"), remove=("000_e039e5926f709e92",))
    assert report.added == ("variant",) and report.removed == ("000_e039e5926f709e92",)
    assert _answers(root) != before


def _variant(folder: Path) -> Path:
    seed = sorted(SEEDS.glob("*.txt"))[2]
    path = folder / "variant.txt"
    path.write_text(seed.read_text(encoding="utf-8") + "\nBổ sung: phòng chống thiên tai.\n", encoding="utf-8")
    return path
