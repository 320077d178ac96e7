"""Write to an index: add, replace and remove documents, each batch as a new generation.

A batch (1) copies the live generation into a staging folder, (2) applies the changes there:
SQLite transaction, FAISS add/remove, tantivy add/delete + commit, (3) seals it with checksums
and swaps CURRENT. A crash at any point leaves the previous generation live and intact.
Re-ingesting an unchanged file does nothing (content hash).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder
from index.faults import crash_point
from index.generation import (
    FORMAT_VERSION,
    IndexMismatch,
    IndexNotReady,
    IndexWriteError,
    Manifest,
    collect_garbage,
    copy_generation,
    current_generation,
    gen_name,
    generations,
    next_generation,
    publish,
    read_manifest,
    verify,
    writer_lock,
)
from index.lexical import LexicalIndex, LexicalRow
from index.store import Store
from index.tokenize import TOKENIZER_VERSION
from index.vectors import VectorIndex
from ingest.assignments import ASSIGNMENTS_VERSION, extract_assignments
from ingest.chunk import CHUNKER_VERSION
from ingest.clean import CLEANER_VERSION
from ingest.model import Chunk, Document
from ingest.pipeline import IngestedFile

Progress = Callable[[int], None]


@dataclass(frozen=True)
class WriteReport:
    generation: int
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    chunks: int


def _package_version() -> str:
    try:
        return version("chidao")
    except PackageNotFoundError:
        return "0+local"


def lexical_row(doc: Document, chunk: Chunk) -> LexicalRow:
    # Indexed under the province at issue time and the 2025 province that now covers it: a
    # filter for "Quảng Ngãi" finds a 2020 Kon Tum directive, "Kon Tum" finds only Kon Tum's.
    names = {n for n in (doc.meta.province, doc.meta.province_2025) if n}
    return LexicalRow(
        chunk_id=chunk.chunk_id,
        doc_id=chunk.doc_id,
        text=chunk.index_text,
        province=tuple(sorted(names)),
        type=doc.meta.type,
        issuer=doc.meta.issuer,
        date=doc.meta.date,
        cites=doc.meta.cites,
    )


def write(
    root: str | Path,
    files: Sequence[IngestedFile],
    embedder: Embedder,
    remove: Sequence[str] = (),
    vector_kind: str = "flat",
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
) -> WriteReport:
    """Apply one batch: upsert `files` (by source stem) and remove `remove` (document ids)."""
    root = Path(root)
    with writer_lock(root):
        collect_garbage(root)  # what a writer killed mid-batch left: staging, unpublished generations
        base = _base_generation(root)
        if base is not None:
            manifest = read_manifest(base)
            if manifest.embedder != embedder.model_id:
                raise IndexMismatch(
                    f"{root}: built with embedder {manifest.embedder!r}, cannot add with {embedder.model_id!r}"
                )
            if manifest.chunker_version != CHUNKER_VERSION:
                raise IndexMismatch(f"{root}: built with chunker {manifest.chunker_version}, this chidao has "
                                    f"{CHUNKER_VERSION}; rebuild the index (chidao index build into a new folder)")
            vector_kind = manifest.vector_kind
        number = next_generation(root)
        staging = root / (gen_name(number) + ".staging")
        try:
            report = _build(root, base, staging, number, files, embedder, remove, vector_kind, progress, timings)
        except Exception as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, IndexMismatch):
                raise
            live = current_generation(root)
            state = "index unchanged" if live is None or live.name != gen_name(number) else "but it is live"
            raise IndexWriteError(
                f"{root}: batch not written ({state}): {type(exc).__name__}: {exc}".rstrip(": ")
            ) from exc
        return WriteReport(number, *report)


def _base_generation(root: Path) -> Path | None:
    """The generation a batch starts from: CURRENT, or, when CURRENT is missing or damaged, the
    newest generation whose checksums hold. None for a new index."""
    live = current_generation(root)
    if live is not None:
        return live
    gens = generations(root)
    for gen in gens:
        if not verify(gen, read_manifest(gen)):
            return gen
    if gens:
        raise IndexNotReady(f"{root}: no intact generation to add to; rebuild the index in a new folder")
    return None


def _build(
    root: Path,
    base: Path | None,
    staging: Path,
    number: int,
    files: Sequence[IngestedFile],
    embedder: Embedder,
    remove: Sequence[str],
    vector_kind: str,
    progress: Progress | None,
    timings: dict[str, float] | None,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
    """Stage generation `number` from `base` plus the batch, then publish it."""
    if staging.exists():
        shutil.rmtree(staging)
    if base is not None:
        copy_generation(base, staging)
    else:
        staging.mkdir(parents=True)
    crash_point("staged")
    store = Store(staging / "store.sqlite")
    lexical = LexicalIndex(staging / "lexical")
    lexical = lexical.open() if base is not None else lexical.create()
    vectors = (
        VectorIndex.load(staging / "vectors.faiss", embedder.dim, vector_kind)
        if base is not None
        else VectorIndex(embedder.dim, vector_kind)
    )
    try:
        clock = _Clock(timings if timings is not None else {})
        if base is not None and read_manifest(base).assignments_version != ASSIGNMENTS_VERSION:
            with clock("assignments"):  # rules changed: re-read the stored documents, no re-embedding
                store.replace_assignments(
                    {d.id: extract_assignments(d, store.chunks_of(d.id)) for d in store.documents()})
        report = _apply(store, lexical, vectors, files, remove, embedder, progress, clock)
        with clock("tantivy"):
            lexical.commit()
            lexical.finish()
        crash_point("tantivy")
        with clock("faiss"):
            vectors.save(staging / "vectors.faiss")
        crash_point("faiss")
        counts = {"documents": store.count("documents"), "chunks": store.count("chunks")}
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
        lexical.close()
    _sync_sqlite(staging / "store.sqlite")
    manifest = Manifest(
        format=FORMAT_VERSION,
        generation=number,
        embedder=embedder.model_id,
        dim=embedder.dim,
        vector_kind=vector_kind,
        tokenizer_version=TOKENIZER_VERSION,
        chunker_version=CHUNKER_VERSION,
        cleaner_version=CLEANER_VERSION,
        package_version=_package_version(),
        assignments_version=ASSIGNMENTS_VERSION,
        counts=counts,
    )
    publish(root, staging, manifest)
    return report


class _Clock:
    """Adds the seconds spent in each `with clock(name):` block to a dict (build timings)."""

    def __init__(self, totals: dict[str, float]) -> None:
        self.totals = totals

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - t


def _sync_sqlite(path: Path) -> None:
    """Leave the store as one self-contained file (no WAL beside it) before checksumming."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _apply(
    store: Store,
    lexical: LexicalIndex,
    vectors: VectorIndex,
    files: Sequence[IngestedFile],
    remove: Sequence[str],
    embedder: Embedder,
    progress: Progress | None,
    clock: _Clock,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], int]:
    hashes = store.content_hashes()
    added: list[str] = []
    replaced: list[str] = []
    unchanged: list[str] = []
    stale: list[str] = []
    todo: list[IngestedFile] = []
    for f in files:
        stem = f.documents[0].id
        old = store.documents_from_source_stem(stem)
        if old and f.documents[0].content_hash and hashes.get(stem) == f.documents[0].content_hash:
            unchanged.append(stem)
            continue
        (replaced if old else added).append(stem)
        stale += old
        todo.append(f)
    gone: list[str] = []
    for r in remove:  # a file stem removes the file's documents; "stem#2" only that attachment
        gone += store.documents_from_source_stem(r) if "#" not in r else [r] if store.document(r) else []
    stale += gone
    if stale:
        rowids = store.delete(stale)
        vectors.remove(np.asarray(rowids, dtype=np.int64))
        lexical.delete_documents(stale)
        if vectors.kind == "hnsw":
            vectors.rebuild(*store.embeddings(embedder.dim))
    n_chunks = 0
    for group in _embedding_groups(todo):
        chunks = [c for f in group for c in f.chunks]
        with clock("embed"):
            vecs = embedder.encode_passages([c.index_text for c in chunks])
        offset = 0
        for f in group:
            part = vecs[offset : offset + len(f.chunks)]
            offset += len(f.chunks)
            with clock("assignments"):
                tasks = [a for d in f.documents for a in extract_assignments(d, f.chunks)]
            with clock("sqlite"):
                rowids = store.put(f.documents, f.chunks, part, tasks)
            crash_point("sqlite")
            with clock("faiss"):
                vectors.add(np.asarray(rowids, dtype=np.int64), part)
            by_id = {d.id: d for d in f.documents}
            with clock("tantivy"):
                lexical.add([lexical_row(by_id[c.doc_id], c) for c in f.chunks])
        n_chunks += len(chunks)
        if progress:
            progress(len(group))
    return tuple(added), tuple(replaced), tuple(unchanged), tuple(dict.fromkeys(gone)), n_chunks


def _embedding_groups(files: Sequence[IngestedFile], min_chunks: int = 256) -> Iterable[list[IngestedFile]]:
    """Files grouped so each embedding call gets a few hundred passages (fast batches)."""
    group: list[IngestedFile] = []
    size = 0
    for f in files:
        group.append(f)
        size += len(f.chunks)
        if size >= min_chunks:
            yield group
            group, size = [], 0
    if group:
        yield group


def batched(items: Iterable[IngestedFile], size: int) -> Iterable[list[IngestedFile]]:
    batch: list[IngestedFile] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
