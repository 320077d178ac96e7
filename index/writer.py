"""Write to an index: add, replace and remove documents, each batch as a new generation.

A batch (1) starts a staging folder from the live generation, (2) applies the changes there:
SQLite transaction, FAISS add/remove, tantivy add/delete + commit, (3) seals it with checksums
and swaps CURRENT. A crash at any point leaves the previous generation live and intact.
Re-ingesting an unchanged file does nothing (content hash).

A batch costs what it changes. Tantivy segments are shared by hard link (tantivy writes new
segments and delete files, never old ones). A small batch also shares the base store and FAISS
file and writes a layered generation: it copies the live generation's delta (store-delta.sqlite,
bounded, see below) and writes the delta's vectors to vectors-delta.faiss; only files the batch
wrote are hashed (index/generation.py). When the delta would outgrow
max(MERGE_MIN_CHUNKS, min(base chunks / MERGE_RATIO, MERGE_MAX_CHUNKS)) chunks (held or hidden),
the batch merges the layers into one store and one FAISS file again (a full copy, as every batch
made before). An HNSW graph cannot drop a vector: the base vectors a delta hides are hidden from
its searches (`VectorIndex.remove`), and the merge rebuilds the graph from the stored embeddings,
so a removal costs a layered batch, not a new graph. Measured at 100k chunks: see `chidao bench`.
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
    STORE,
    STORE_DELTA,
    VECTORS,
    VECTORS_DELTA,
    IndexMismatch,
    IndexNotReady,
    IndexWriteError,
    Manifest,
    collect_garbage,
    current_generation,
    gen_name,
    generations,
    known_digests,
    next_generation,
    publish,
    read_manifest,
    stage_generation,
    verify,
    writer_lock,
)
from index.lexical import LexicalIndex, LexicalRow
from index.store import Store, copy_store, merge_layers
from index.tokenize import TOKENIZER_VERSION
from index.vectors import VectorIndex
from ingest.assignments import ASSIGNMENTS_VERSION, extract_assignments
from ingest.chunk import CHUNKER_VERSION
from ingest.clean import CLEANER_VERSION
from ingest.model import Chunk, Document
from ingest.pipeline import IngestedFile

Progress = Callable[[int], None]

# A layered generation's delta may hold (or hide) this many chunks before a batch merges it into
# the base: a batch copies the delta, a merge copies everything, so the bound trades one for the
# other (at 100k chunks: up to 6,250 chunks copied per batch, a merge every few thousand added).
MERGE_MIN_CHUNKS = 256
MERGE_RATIO = 16
MERGE_MAX_CHUNKS = 8192


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
    clock = _Clock(timings if timings is not None else {})
    base_manifest = read_manifest(base) if base is not None else None
    known = None
    with clock("stage"):
        if base is None or base_manifest is None:
            layered = False
            staging.mkdir(parents=True)
            store = Store.of(staging, layered=False)
            vectors = VectorIndex(embedder.dim, vector_kind)
        else:
            base_layered = STORE_DELTA in base_manifest.checksums
            layered = _keeps_base(base, base_layered, base_manifest, files, remove)
            linked = stage_generation(base, staging, share_base=layered)
            # What the batch reads from the base and writes anew is checked first (a damaged file
            # must not be sealed as good); shared files keep the digests the base recorded.
            bad = verify(base, base_manifest, only=[n for n in base_manifest.checksums if n not in linked])
            if bad:
                raise IndexNotReady(f"{base}: checksum mismatch in {', '.join(bad)}; rebuild the index")
            known = known_digests(base, {n: base_manifest.checksums[n] for n in linked if n in base_manifest.checksums})
            vectors = _stage_store_and_vectors(base, base_layered, staging, layered, embedder.dim, vector_kind)
            store = Store.of(staging, layered=layered)
    crash_point("staged")
    lexical = LexicalIndex(staging / "lexical")
    lexical = lexical.open() if base is not None else lexical.create()
    try:
        if base_manifest is not None and base_manifest.assignments_version != ASSIGNMENTS_VERSION:
            with clock("assignments"):  # rules changed: re-read the stored documents, no re-embedding
                store.replace_assignments(
                    {d.id: extract_assignments(d, store.chunks_of(d.id)) for d in store.documents()})
        report = _apply(store, lexical, vectors, files, remove, embedder, progress, clock)
        with clock("tantivy"):
            lexical.commit()
            lexical.finish()
        crash_point("tantivy")
        with clock("faiss"):
            if len(vectors.hidden):  # a graph written as the generation's own file: compact it
                vectors.rebuild(*store.embeddings(vectors.dim))
            vectors.save(staging / (VECTORS_DELTA if layered else VECTORS))
        crash_point("faiss")
        counts = {"documents": store.count("documents"), "chunks": store.count("chunks")}
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
        lexical.close()
    _sync_sqlite(store.path)
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
    with clock("publish"):
        publish(root, staging, manifest, known)
    return report


def _keeps_base(base: Path, base_layered: bool, manifest: Manifest, files: Sequence[IngestedFile],
                remove: Sequence[str]) -> bool:
    """Whether the batch can write a layered generation over the base's store and FAISS file
    (False: merge into one store again, copying the whole index)."""
    if manifest.assignments_version != ASSIGNMENTS_VERSION:
        return False  # every document's assignments are rewritten
    store = Store.of(base, base_layered, readonly=True)
    try:
        held, total = store.delta_weight()
        hashes = store.content_hashes()
        changed = [f for f in files
                   if not (f.documents[0].content_hash and hashes.get(f.documents[0].id) == f.documents[0].content_hash)]
        stems = [f.documents[0].id for f in changed] + [r.split("#")[0] for r in remove]
        stale = len(store.rowids_of_docs(d for stem in stems for d in store.documents_from_source_stem(stem)))
    finally:
        store.close()
    incoming = sum(len(f.chunks) for f in changed)  # unchanged files are skipped (content hash)
    return held + stale + incoming <= max(MERGE_MIN_CHUNKS, min(total // MERGE_RATIO, MERGE_MAX_CHUNKS))


def _stage_store_and_vectors(base: Path, base_layered: bool, staging: Path, layered: bool, dim: int,
                             vector_kind: str) -> VectorIndex:
    """Put the staging store in place and return the vectors the batch starts from: the delta's
    (layered), or all of them (one file: the base's, with the base's delta merged in)."""
    if layered:
        if not base_layered:
            return VectorIndex(dim, "flat")
        copy_store(base / STORE_DELTA, staging / STORE_DELTA)
        return VectorIndex.load(base / VECTORS_DELTA, dim, "flat")
    vectors = VectorIndex.load(base / VECTORS, dim, vector_kind)
    if not base_layered:
        copy_store(base / STORE, staging / STORE)
        return vectors
    merge_layers(base / STORE, base / STORE_DELTA, staging / STORE)
    old = Store.of(base, layered=True, readonly=True)
    try:
        hidden = old.hidden_rowids()
    finally:
        old.close()
    vectors.merge(VectorIndex.load(base / VECTORS_DELTA, dim, "flat"), hidden)
    return vectors


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
        lexical.delete_documents(stale)
        vectors.remove(np.asarray(rowids, dtype=np.int64))  # a graph hides them until it is compacted
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
