"""`chidao index build --ray`: a local Ray (2 CPU workers) builds the seeds into the same index as
the single-process build: same document and chunk ids, embeddings within cosine 0.9999, the same
top 10 for every dev query. Slow: starts Ray and loads the real model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ray")
pytest.importorskip("onnxruntime")

SEEDS = Path(__file__).resolve().parents[2] / "sample" / "seeds"


@pytest.mark.slow
def test_ray_build_equals_plain_build(tmp_path: Path, shared: Path) -> None:
    import ray

    from index.distributed import ray_ingest
    from index.embedders.base import get_embedder
    from index.index import Index
    from index.writer import write
    from ingest.pipeline import expand_paths, ingest_file
    from search.retrievers import retrievers_for

    paths = expand_paths([SEEDS])
    plain_emb = get_embedder("e5-small")
    write(tmp_path / "plain", [ingest_file(p) for p in paths], plain_emb)
    try:
        result = ray_ingest(paths, get_embedder("e5-small"), "e5-small", workers=2)
    finally:
        ray.shutdown()
    assert result.failed == ()
    # the workers' own CPU seconds of embedding, summed by the driver (per-worker throughput)
    assert 0 < result.seconds["embed_cpu_max_worker"] <= result.seconds["embed_cpu"]
    write(tmp_path / "ray", list(result.files), result.embedder)

    plain, distributed = Index(tmp_path / "plain").load(), Index(tmp_path / "ray").load()
    assert distributed.manifest.embedder == plain.manifest.embedder
    assert distributed.manifest.counts == plain.manifest.counts
    for sql in ("SELECT id FROM documents ORDER BY id", "SELECT chunk_id FROM chunks ORDER BY chunk_id"):
        assert list(distributed.store.conn.execute(sql)) == list(plain.store.conn.execute(sql))
    chunk_vectors = "SELECT chunk_id, embedding FROM chunks ORDER BY chunk_id"
    a = np.vstack([np.frombuffer(b, dtype=np.float32) for _, b in plain.store.conn.execute(chunk_vectors)])
    b = np.vstack([np.frombuffer(b, dtype=np.float32) for _, b in distributed.store.conn.execute(chunk_vectors)])
    assert float(np.min(np.sum(a.astype(np.float64) * b, axis=1))) >= 0.9999

    queries = [json.loads(line)["query"] for line in (shared / "eval" / "dev_queries.jsonl").read_text().splitlines()
               if line.strip()]
    hybrid_a = retrievers_for(plain, ("hybrid",))["hybrid"]
    hybrid_b = retrievers_for(distributed, ("hybrid",))["hybrid"]
    for q in queries:
        assert [h.chunk_id for h in hybrid_b.search(q, k=10)] == [h.chunk_id for h in hybrid_a.search(q, k=10)], q
