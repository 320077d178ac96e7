"""`--vectors auto` picks flat or HNSW by size; the Ray build's precomputed embedder hands the
writer exactly the vectors the workers computed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.distributed import PrecomputedEmbedder, worker_embedder_name
from index.vectors import HNSW_ABOVE, choose_kind


def test_auto_is_flat_up_to_the_threshold_and_hnsw_above() -> None:
    assert choose_kind("auto", HNSW_ABOVE) == "flat"
    assert choose_kind("auto", HNSW_ABOVE + 1) == "hnsw"
    assert choose_kind("flat", 10_000_000) == "flat"
    assert choose_kind("hnsw", 10) == "hnsw"


def test_precomputed_embedder_writes_the_same_index_as_the_embedder(tmp_path: Path, seeds_root: Path) -> None:
    from index.embedders.base import get_embedder
    from index.index import Index
    from index.writer import write
    from ingest.pipeline import ingest_file

    seeds = sorted((Path(__file__).resolve().parents[3] / "sample" / "seeds").glob("*.txt"))
    files = [ingest_file(p) for p in seeds]
    hashed = get_embedder("hash")
    texts = [c.index_text for f in files for c in f.chunks]
    vectors = dict(zip(texts, hashed.encode_passages(texts)))
    write(tmp_path / "pre", files, PrecomputedEmbedder(hashed.model_id, hashed.dim, vectors))
    ours, theirs = Index(tmp_path / "pre").load(), Index(seeds_root).load()
    assert ours.manifest.embedder == theirs.manifest.embedder == hashed.model_id
    ids_a, vec_a = ours.store.embeddings(hashed.dim)
    ids_b, vec_b = theirs.store.embeddings(hashed.dim)
    assert ids_a.tolist() == ids_b.tolist()
    assert np.array_equal(vec_a, vec_b)
    assert [r[0] for r in ours.store.conn.execute("SELECT chunk_id FROM chunks ORDER BY rowid")] == [
        r[0] for r in theirs.store.conn.execute("SELECT chunk_id FROM chunks ORDER BY rowid")
    ]


def test_precomputed_embedder_names_a_text_the_cluster_did_not_embed() -> None:
    emb = PrecomputedEmbedder("m", 2, {"Sở Y tế chủ trì": np.ones(2, dtype=np.float32)})
    assert emb.encode_passages(["Sở Y tế chủ trì"]).tolist() == [[1.0, 1.0]]
    with pytest.raises(KeyError, match="'Sở Tài chính phối hợp'"):
        emb.encode_passages(["Sở Tài chính phối hợp"])


def test_cpu_workers_run_e5_small_on_onnx_runtime() -> None:
    pytest.importorskip("onnxruntime")
    assert worker_embedder_name("e5-small", "cpu") == "e5-onnx"
    assert worker_embedder_name("e5-small", "cuda") == "e5-small"
    assert worker_embedder_name("hash", "cpu") == "hash"
