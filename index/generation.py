"""Index generations on disk: folders of plain files plus a manifest, and an atomic pointer.

    INDEX/CURRENT            name of the live generation, replaced atomically (write + rename)
    INDEX/LOCK               held (flock) by the one writer
    INDEX/gen-000007/
        manifest.json        embedder id + dim, tokenizer/chunker versions, counts, checksums
        store.sqlite         system of record (documents, chunks, embeddings)
        vectors.faiss        FAISS index over chunk rowids
        store-delta.sqlite   (layered generations) changes since store.sqlite: see index/store.py
        vectors-delta.faiss  (layered generations) vectors of the chunks the delta added
        lexical/             tantivy index

A writer builds generation N+1 beside N, writes its manifest last, then swaps CURRENT. Readers
only ever open a complete generation. Files that never change once written are shared with N by
hard link instead of copied: tantivy's segments, and in a layered generation the base store and
FAISS file; a writer never opens a shared file for writing (it writes new files under new names),
so generation N stays intact whatever happens to N+1.

Checksums: the manifest holds the sha256 of every file. A writer hashes only the files it wrote;
a shared file keeps the digest its first generation recorded (so damage to it is still found,
never re-sealed as good). `Index.load()` hashes every file (first open); a reload hashes only
files it has not verified yet, known by (device, inode, size, mtime).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from domain.errors import ChidaoError
from index.faults import crash_point

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
FORMAT_VERSION = 2  # 2: layered generations (store-delta.sqlite, vectors-delta.faiss)
STORE = "store.sqlite"
STORE_DELTA = "store-delta.sqlite"
VECTORS = "vectors.faiss"
VECTORS_DELTA = "vectors-delta.faiss"
KEEP_GENERATIONS = 2
_GEN_NAME = re.compile(r"gen-(\d{6})")


class IndexNotReady(ChidaoError):
    """No usable index at the path (never built, or every generation is damaged)."""


class IndexMismatch(ChidaoError):
    """The index was built with another embedder or incompatible versions."""


class IndexLocked(ChidaoError):
    """Another writer holds the index."""


class IndexWriteError(ChidaoError):
    """A batch could not be written (disk full, I/O error, ...); the live generation is unchanged."""


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
    manifest_sha256: str = ""  # of the manifest itself with this field empty ("" in older indexes)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    def digest(self) -> str:
        return hashlib.sha256(replace(self, manifest_sha256="").to_json().encode("utf-8")).hexdigest()

    def sealed(self, checksums: dict[str, str]) -> Manifest:
        unsealed = replace(self, checksums=checksums, manifest_sha256="")
        return replace(unsealed, manifest_sha256=unsealed.digest())

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


def gen_name(n: int) -> str:
    return f"gen-{n:06d}"


def gen_number(gen: Path) -> int:
    return int(gen.name.split("-")[1])


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


# (st_dev, st_ino) -> (size, mtime_ns, sha256) of files whose digest is known to be right
Known = dict[tuple[int, int], tuple[int, int, str]]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_checksums(folder: Path, known: Known | None = None, only: Iterable[str] | None = None) -> dict[str, str]:
    """sha256 of every file of a generation except the manifest, by relative path (or of the
    files named in `only`). A file found in `known` (same inode, size and mtime) is not read."""
    wanted = None if only is None else set(only)
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        name = str(p.relative_to(folder))
        if wanted is not None and name not in wanted:
            continue
        if p.is_file() and p.name != MANIFEST and not p.name.endswith(("-wal", "-shm", ".lock")):
            st = p.stat()
            hit = known.get((st.st_dev, st.st_ino)) if known else None
            out[name] = hit[2] if hit is not None and hit[:2] == (st.st_size, st.st_mtime_ns) else _sha256(p)
    return out


def known_digests(gen: Path, checksums: dict[str, str], known: Known | None = None) -> Known:
    """`known` plus the files of `gen` under the digests in `checksums` (a manifest's, or ones
    just verified), keyed by what identifies each file on disk now."""
    out: Known = dict(known or {})
    for name, digest in checksums.items():
        try:
            st = (gen / name).stat()
        except OSError:
            continue
        out[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, digest)
    return out


def current_problem(root: Path) -> str | None:
    """Why CURRENT does not name a complete generation (None when it does, or is absent)."""
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return f"{pointer}: unreadable ({exc})"
    if not _GEN_NAME.fullmatch(name):
        return f"{pointer}: damaged (does not name a generation)"
    if not (root / name).is_dir():
        return f"{pointer}: names {name}, which is missing"
    if not (root / name / MANIFEST).exists():
        return f"{pointer}: names {name}, but {name}/{MANIFEST} is missing"
    return None


def current_generation(root: Path) -> Path | None:
    """The generation CURRENT names, or None if CURRENT is absent or does not name a complete one."""
    if current_problem(root) is not None or not (root / CURRENT).exists():
        return None
    return root / (root / CURRENT).read_text(encoding="utf-8").strip()


def generations(root: Path) -> list[Path]:
    """Complete generations (manifest written), newest first. Staging folders never count."""
    if not root.exists():
        return []
    gens = [p for p in root.iterdir() if p.is_dir() and _GEN_NAME.fullmatch(p.name) and (p / MANIFEST).exists()]
    return sorted(gens, key=lambda p: p.name, reverse=True)


def candidates(root: Path) -> list[Path]:
    """Generations a reader may open, in order: CURRENT, then the older ones newest first.
    Generations newer than CURRENT were never published (a writer died before the swap) and
    are skipped; without a valid CURRENT every complete generation is a candidate."""
    live = current_generation(root)
    gens = generations(root)
    if live is None:
        return gens
    return [live] + [g for g in gens if gen_number(g) < gen_number(live)]


def read_manifest(gen: Path) -> Manifest:
    try:
        manifest = Manifest.from_json((gen / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexNotReady(f"{gen / MANIFEST}: unreadable manifest ({exc})") from exc
    if manifest.manifest_sha256 and manifest.manifest_sha256 != manifest.digest():
        raise IndexNotReady(f"{gen / MANIFEST}: manifest checksum mismatch (damaged)")
    return manifest


def verify(gen: Path, manifest: Manifest, known: Known | None = None, only: Iterable[str] | None = None) -> list[str]:
    """Files whose checksum differs from the manifest (empty list: the generation is intact);
    only those named in `only` when given. Every file is read, except those in `known` (see
    file_checksums); the files found intact are added to `known`."""
    names = set(manifest.checksums) if only is None else set(only)
    actual = file_checksums(gen, known, None if only is None else names)
    expected = {n: d for n, d in manifest.checksums.items() if n in names}
    bad = [name for name, digest in expected.items() if actual.get(name) != digest]
    if known is not None:
        known.update(known_digests(gen, {n: d for n, d in expected.items() if n not in bad}))
    return bad + [name for name in actual if name not in manifest.checksums]


def publish(root: Path, staging: Path, manifest: Manifest, known: Known | None = None) -> Path:
    """Seal a staged generation (checksums + manifest), rename it into place, swap CURRENT.
    Files in `known` (shared with the base generation) keep the digest recorded there."""
    sealed = manifest.sealed(file_checksums(staging, known))
    atomic_write(staging / MANIFEST, sealed.to_json())
    crash_point("sealed")
    final = root / gen_name(manifest.generation)
    os.replace(staging, final)
    _fsync_dir(root)
    crash_point("renamed")
    try:
        atomic_write(root / CURRENT, final.name + "\n")
    except BaseException:
        if current_generation(root) != final:  # never published: no reader may fall back to it
            shutil.rmtree(final, ignore_errors=True)
        raise
    crash_point("current")
    collect_garbage(root)
    crash_point("collected")
    return final


def collect_garbage(root: Path) -> None:
    """Keep CURRENT and the generation before it; drop older ones, generations newer than
    CURRENT (a writer died between rename and swap) and staging folders. Best effort: a failure
    here leaves extra folders, never a damaged index."""
    try:
        live = current_generation(root)
        gens = generations(root)
        if live is not None:
            orphans = [g for g in gens if gen_number(g) > gen_number(live)]
            gens = [g for g in gens if gen_number(g) <= gen_number(live)]
        else:
            orphans = []
        for old in orphans + gens[KEEP_GENERATIONS:]:
            shutil.rmtree(old, ignore_errors=True)
        for tmp in root.glob("gen-*.staging"):
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        log.warning("index %s: could not remove old generations (%s)", root, exc)


def next_generation(root: Path) -> int:
    gens = generations(root)
    return gen_number(gens[0]) + 1 if gens else 1


def stage_generation(src: Path, dst: Path, share_base: bool) -> list[str]:
    """Start a staging folder from generation `src`: tantivy segments as hard links (immutable;
    tantivy replaces its meta files by rename), with `share_base` the base store and FAISS file
    as hard links too, other files by copy. The store and vector files the writer rebuilds or
    reads from `src` itself are left out. Returns the relative paths linked."""
    dst.mkdir(parents=True)
    linked: list[str] = []
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src)
        target = dst / rel
        if p.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif p.name == MANIFEST or p.name.endswith(("-wal", "-shm", ".lock")) or str(rel) in (STORE_DELTA, VECTORS_DELTA):
            continue
        elif (rel.parts[0] == "lexical" and not p.name.endswith(".json")) or str(rel) in (STORE, VECTORS):
            if str(rel) in (STORE, VECTORS) and not share_base:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, target)
            linked.append(str(rel))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, target)
    return linked


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
