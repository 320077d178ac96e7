"""Dense vectors: FAISS inner product over L2-normalised embeddings (= cosine).

`flat` is IndexIDMap2(IndexFlatIP): exact, supports remove_ids, the default.
`hnsw` is IndexIDMap2(IndexHNSWFlat): approximate, for large corpora. A graph cannot drop a
vector (FAISS: remove_ids is not implemented for HNSW), so `remove` hides it: the ids are kept
aside and no search returns them, until the writer compacts the graph (`rebuild` from the stored
embeddings) when it merges the layers.
`hnsw-sq` is IndexIDMap2(IndexHNSWSQ, QT_8bit): the same graph (M 32) over vectors of one byte a
dimension, for the largest indexes. The quantiser learns each dimension's min and max from the
first vectors it gets (up to `SQ_TRAIN_AT` are held back and trained on together); later ones are
encoded with those ranges. Removals hide, as for hnsw; compaction retrains on every stored
embedding. Its scores are approximate: `Index.search_vectors` re-scores its `RESCORE_DEPTH` best
candidates with the float32 embeddings the store keeps, so hits carry the exact cosine.

A generation written by a small batch keeps the FAISS file of its base (`vectors.faiss`, shared
by hard link) and puts the vectors of the chunks it added in `vectors-delta.faiss` (always flat);
`merge` applies such a delta in memory when the generation is opened: a flat base drops the base
vectors the delta hides, a graph hides them.

`auto` (the CLI default) is resolved once, when an index is created, by `choose_kind`: flat up to
`HNSW_ABOVE` chunks, hnsw up to `SQ_ABOVE`, hnsw-sq above. A flat scan reads every vector (1.5 KB
per chunk) for each query, so it grows linearly: `chidao bench` measured it at 50k-100k chunks as
the largest part of a hybrid query, while HNSW answers in under a millisecond.

Measured (docs/scale.md, 2026-12-02, 2 shared cores; 354 real e5 queries; ids found vs exact flat;
"re-scored" = the top 50 re-ranked by exact cosine, as `Index.search_vectors` does): in memory per
100k vectors flat 147 MB, hnsw 173 MB, hnsw-sq 63 MB (1M: 1,732 vs 633 MB). On 8,506 real e5
passage vectors: hnsw 0.993 (efSearch 128), hnsw-sq 0.981-0.984 (256-2048), re-scored 0.998-1.0. On 100k vectors
derived from them (mixtures plus noise): hnsw 0.944-0.949 (128), hnsw-sq re-scored 0.995-0.998
(1024-2048). On 1M derived: hnsw 0.862 / 0.906 / 0.945 at efSearch 256 / 512 / 1024; hnsw-sq
0.845 / 0.888 / 0.917 / 0.937 at 256 / 512 / 1024 / 2048, re-scored 0.942 (1024) and 0.967 (2048)
at 2.5 and 5.3 ms p50 on one thread. Hence efSearch 2048 for hnsw-sq: the 1M target (recall@10
>= 0.95) binds, the 40 ms latency target leaves room. `SQ_ABOVE` is where memory, not recall,
decides: below 250k chunks float32 hnsw costs under 0.45 GB (less than the rest of a serving
process, ~0.5 GB) and needs no re-scoring; above it the vectors dominate serving RSS and hnsw-sq
holds them in 37% of the memory.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

KINDS = ("flat", "hnsw", "hnsw-sq")
GRAPHS = frozenset({"hnsw", "hnsw-sq"})  # kinds that cannot drop a vector: removals hide them
QUANTISED = frozenset({"hnsw-sq"})  # kinds whose scores are approximate: re-scored from the store
RESCORE_DEPTH = 50  # candidates a quantised kind returns for exact re-scoring (top 10 of 50: see above)
HNSW_ABOVE = 50_000
SQ_ABOVE = 250_000
M = 32
EF_SEARCH = {"hnsw": 128, "hnsw-sq": 2048}  # set on build and on load (a file keeps the value it was built with)
# hnsw-sq learns each dimension's range from the first vectors it gets: up to this many are held
# back (float32, 100 MB at dim 384) and trained on together, the rest are encoded as they come.
SQ_TRAIN_AT = 65_536

_FAISS_CLASS = {"flat": "IndexFlatIP", "hnsw": "IndexHNSWFlat", "hnsw-sq": "IndexHNSWSQ"}


def choose_kind(kind: str, chunks: int) -> str:
    """`kind` itself, or for `auto`: flat up to `HNSW_ABOVE` chunks, hnsw up to `SQ_ABOVE`,
    hnsw-sq above."""
    if kind != "auto":
        return kind
    if chunks > SQ_ABOVE:
        return "hnsw-sq"
    return "hnsw" if chunks > HNSW_ABOVE else "flat"


class VectorIndex:
    def __init__(self, dim: int, kind: str = "flat") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown vector index {kind!r}; valid: {', '.join(KINDS)}")
        self.dim = dim
        self.kind = kind
        self._index: faiss.IndexIDMap2 | None = None
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []  # hnsw-sq before training
        self._hidden = np.zeros(0, dtype=np.int64)  # graphs: removed ids still in the graph (sorted)
        self._not_hidden: faiss.IDSelector | None = None  # the selector that leaves them out, made once

    @property
    def index(self) -> faiss.IndexIDMap2:
        """The FAISS index, trained and holding every vector added so far."""
        self._flush()
        return self._raw()

    def _raw(self) -> faiss.IndexIDMap2:
        if self._index is None:
            self._index = self._empty()
        return self._index

    def _empty(self) -> faiss.IndexIDMap2:
        if self.kind == "hnsw":
            inner = faiss.IndexHNSWFlat(self.dim, M, faiss.METRIC_INNER_PRODUCT)
        elif self.kind == "hnsw-sq":
            inner = faiss.IndexHNSWSQ(self.dim, faiss.ScalarQuantizer.QT_8bit, M, faiss.METRIC_INNER_PRODUCT)
        else:
            inner = faiss.IndexFlatIP(self.dim)
        if self.kind in GRAPHS:
            inner.hnsw.efSearch = EF_SEARCH[self.kind]
        return faiss.IndexIDMap2(inner)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = self._raw()
        if index.is_trained:
            index.add_with_ids(vectors, ids)
            return
        self._pending.append((ids, vectors))
        if sum(len(i) for i, _ in self._pending) >= SQ_TRAIN_AT:
            self._flush()

    def _flush(self) -> None:
        """Train hnsw-sq on the vectors held back (per-dimension min and max, 8 bits each) and add them."""
        if not self._pending:
            return
        ids = np.concatenate([i for i, _ in self._pending])
        vectors = np.concatenate([v for _, v in self._pending])
        self._pending = []
        index = self._raw()
        index.train(vectors)
        index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> None:
        """Drop these ids (flat); a graph hides those it holds (see `hidden`)."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        if self.kind not in GRAPHS:
            self.index.remove_ids(ids)
            return
        held = ids[np.isin(ids, faiss.vector_to_array(self.index.id_map))]
        self._hidden = np.union1d(self._hidden, held)
        self._not_hidden = None

    @property
    def hidden(self) -> np.ndarray:
        """Ids a graph still holds but no search returns: removed since it was built. The writer
        compacts them away (`rebuild`) before it saves the graph as a generation's own file."""
        return self._hidden

    def rebuild(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """A new index of these vectors (hnsw-sq: trained on all of them); nothing hidden."""
        self._index = self._empty()
        self._pending = []
        self._hidden = np.zeros(0, dtype=np.int64)
        self._not_hidden = None
        self.add(ids, vectors)
        self._flush()

    def merge(self, delta: VectorIndex, hidden: np.ndarray) -> None:
        """Apply a generation's delta in memory: remove the base vectors it hides (ids), add its own."""
        self.remove(hidden)
        ids, vectors = delta.items()
        self.add(ids, vectors)

    def items(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) held and not hidden, in insertion order (hnsw-sq: as decoded from 8 bits)."""
        n = int(self.index.ntotal)
        if n == 0:
            return np.zeros(0, dtype=np.int64), np.zeros((0, self.dim), dtype=np.float32)
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        vectors = self.index.index.reconstruct_n(0, n)
        if not len(self._hidden):
            return ids, vectors
        shown = ~np.isin(ids, self._hidden)
        return ids[shown], vectors[shown]

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (id, cosine). `allowed` restricts the search to those ids (filters)."""
        if self.count() == 0 or k <= 0:
            return []
        sel: faiss.IDSelector | None = None
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if len(self._hidden):
                allowed = np.setdiff1d(allowed, self._hidden)
            if len(allowed) == 0:
                return []
            sel = faiss.IDSelectorBatch(allowed)
        elif len(self._hidden):
            sel = self._exclusion()
        params = None
        if sel is not None and self.kind in GRAPHS:  # the parameters replace the index's efSearch (their default: 16)
            ef = faiss.downcast_index(self.index.index).hnsw.efSearch
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=ef)
        elif sel is not None:
            params = faiss.SearchParameters(sel=sel)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, min(k, self.count()), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _exclusion(self) -> faiss.IDSelector:
        """Every id but the hidden ones, built once per change of them (not once per query)."""
        if self._not_hidden is None:
            hidden = faiss.IDSelectorBatch(self._hidden)
            sel = faiss.IDSelectorNot(hidden)
            sel.referenced = hidden  # keep the inner selector alive as long as the outer one
            self._not_hidden = sel
        return self._not_hidden

    def count(self) -> int:
        """Vectors a search can return (hidden ones not counted)."""
        return int(self.index.ntotal) - len(self._hidden)

    def save(self, path: Path) -> None:
        if len(self._hidden):  # a file cannot say what is hidden: the writer compacts first
            raise ValueError(f"{path}: {len(self._hidden)} removed vectors are still in the graph; rebuild it first")
        # A new file, never written through an old name: the one there may be a hard link that
        # an older generation shares.
        path.unlink(missing_ok=True)
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int, kind: str) -> VectorIndex:
        v = cls(dim, kind)
        v._index = faiss.read_index(str(path))
        if v._index.d != dim:
            raise ValueError(f"{path}: vectors have dimension {v._index.d}, manifest says {dim}")
        inner = faiss.downcast_index(v._index.index)
        if type(inner).__name__ != _FAISS_CLASS[kind]:
            raise ValueError(f"{path}: holds a FAISS {type(inner).__name__}, manifest says vector kind {kind!r}")
        if kind in GRAPHS:
            inner.hnsw.efSearch = EF_SEARCH[kind]
        return v
