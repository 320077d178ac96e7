"""The int8 bulk encoder (index.embedders.onnx_int8): vectors within cosine 0.999 of the fp32 ONNX
graph, the bar issue 15 sets for any faster form of the model.

Slow: makes the int8 graph (about 10 s once) and loads the real bundled model. Run with
    PYTHONPATH=. python -m pytest -q -m slow tests/model/test_onnx_int8.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]


def _min_cosine(texts: list[str], encode: str) -> tuple[float, str]:
    from index.embedders.onnx_e5 import OnnxE5Embedder
    from index.embedders.onnx_int8 import OnnxInt8E5Embedder

    a = getattr(OnnxE5Embedder(), encode)(texts)
    b = getattr(OnnxInt8E5Embedder(), encode)(texts)
    assert a.shape == b.shape == (len(texts), 384)
    cos = np.sum(a.astype(np.float64) * b, axis=1)
    return float(cos.min()), texts[int(cos.argmin())][:80]


@pytest.mark.slow
def test_int8_vectors_match_fp32_on_500_passages_and_500_queries(shared: Path) -> None:
    from eval.embed_equivalence import load_passages
    from eval.onnx_equivalence import shared_queries

    passages, _ = load_passages(shared / "corpus" / "provinces", 500)
    queries = shared_queries(shared, 500)
    for texts, encode in ((passages, "encode_passages"), (queries, "encode_queries")):
        worst, text = _min_cosine(texts, encode)
        assert worst >= 0.999, (encode, worst, text)


@pytest.mark.slow
def test_int8_vectors_match_fp32_on_the_sample_directives() -> None:
    from ingest.pipeline import ingest_file

    chunks = [c.index_text for p in sorted((ROOT / "sample" / "seeds").glob("*.txt")) for c in ingest_file(p).chunks]
    worst, text = _min_cosine(chunks, "encode_passages")
    assert len(chunks) > 100 and worst >= 0.999, (worst, text)


@pytest.mark.slow
def test_making_the_graph_drops_an_earlier_versions_file() -> None:
    from index.embedders.onnx_e5 import OnnxE5Embedder
    from index.embedders.onnx_int8 import INT8_FILE, export_int8

    folder = OnnxE5Embedder().folder
    stale = folder / "encoder-int8.onnx"  # v1's name
    stale.write_bytes(b"v1")
    out = export_int8(folder)
    assert out == folder / INT8_FILE and out.stat().st_size > 10_000_000
    assert not stale.exists()
