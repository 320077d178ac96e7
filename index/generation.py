"""Index generations on disk: folders of plain files plus a manifest, and an atomic pointer.

    INDEX/CURRENT            name of the live generation, replaced atomically (write + rename)
    INDEX/LOCK               held (flock) by the one writer
    INDEX/gen-000007/
        manifest.json        embedder id + dim, tokenizer/chunker versions, counts, checksums
        store.sqlite         system of record (documents, chunks, embeddings)
        vectors.faiss        FAISS index over chunk rowids
        lexical/             tantivy index

A writer builds generation N+1 beside N (hard links for tantivy's immutable segments), writes
its manifest last, then swaps CURRENT. Readers only ever open a complete generation.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
FORMAT_VERSION = 1
KEEP_GENERATIONS = 2


class IndexNotReady(Exception):
    """No usable index at the path (never built, or every generation is damaged)."""


class IndexMismatch(Exception):
    """The index was built with another embedder or incompatible versions."""


class IndexLocked(Exception):
    """Another writer holds the index."""


@dataclass(frozen=True)
class Manifest:
    format: int
    generation: int
    embedder: str
    dim: int
    vector_kind: str
    tokenizer_version: str
    chunker_version: str
    cleaner_version: str
    package_version: str
    assignments_version: str = ""  # ingest.assignments.ASSIGNMENTS_VERSION of the stored tasks ("" before them)
    counts: dict[str, int] = field(default_factory=dict)
    checksums: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


def gen_name(n: int) -> str:
    return f"gen-{n:06d}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def file_checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file of a generation except the manifest, by relative path."""
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST and not p.name.endswith(("-wal", "-shm", ".lock")):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            out[str(p.relative_to(folder))] = h.hexdigest()
    return out


def current_generation(root: Path) -> Path | None:
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    gen = root / name
    return gen if name.startswith("gen-") and (gen / MANIFEST).exists() else None


def generations(root: Path) -> list[Path]:
    """Complete generations (manifest written), newest first."""
    if not root.exists():
        return []
    gens = [p for p in root.iterdir() if p.is_dir() and p.name.startswith("gen-") and (p / MANIFEST).exists()]
    return sorted(gens, key=lambda p: p.name, reverse=True)


def read_manifest(gen: Path) -> Manifest:
    try:
        return Manifest.from_json((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexNotReady(f"{gen / MANIFEST}: unreadable manifest ({exc})") from exc


def verify(gen: Path, manifest: Manifest) -> list[str]:
    """Files whose checksum differs from the manifest (empty list: the generation is intact)."""
    actual = file_checksums(gen)
    bad = [name for name, digest in manifest.checksums.items() if actual.get(name) != digest]
    return bad + [name for name in actual if name not in manifest.checksums]


def publish(root: Path, staging: Path, manifest: Manifest) -> Path:
    """Seal a staged generation (checksums + manifest), rename it into place, swap CURRENT."""
    sealed = Manifest(**{**asdict(manifest), "checksums": file_checksums(staging)})
    atomic_write(staging / MANIFEST, sealed.to_json())
    final = root / gen_name(manifest.generation)
    os.replace(staging, final)
    _fsync_dir(root)
    atomic_write(root / CURRENT, final.name + "\n")
    _collect_garbage(root)
    return final


def _collect_garbage(root: Path) -> None:
    """Keep the newest KEEP_GENERATIONS complete generations; drop stale staging folders."""
    for old in generations(root)[KEEP_GENERATIONS:]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in root.glob("gen-*.staging"):
        shutil.rmtree(tmp, ignore_errors=True)


def next_generation(root: Path) -> int:
    gens = generations(root)
    return int(gens[0].name.split("-")[1]) + 1 if gens else 1


def copy_generation(src: Path, dst: Path) -> None:
    """Copy a generation to a staging folder: SQLite through its backup API, tantivy segments
    as hard links (they are immutable; tantivy replaces its meta files by rename), the rest by copy."""
    import sqlite3

    dst.mkdir(parents=True)
    for p in src.rglob("*"):
        rel = p.relative_to(src)
        target = dst / rel
        if p.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif p.name == MANIFEST or p.name.endswith(("-wal", "-shm", ".lock")) or p.name == "store.sqlite":
            continue
        elif rel.parts[0] == "lexical" and not p.name.endswith(".json"):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
    source, dest = sqlite3.connect(src / "store.sqlite"), sqlite3.connect(dst / "store.sqlite")
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()


@contextmanager
def writer_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "LOCK", "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLocked(f"{root}: another process is writing to this index") from exc
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
