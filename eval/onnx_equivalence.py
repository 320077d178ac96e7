"""Is the ONNX Runtime query path (``e5-onnx``) the PyTorch ``e5-small`` embedder, numerically?

    PYTHONPATH=. python -m eval.onnx_equivalence --n 500 [--json]

On ``--n`` passages of 100-300 words from ``../shared/corpus/provinces`` (the selection of
``eval.embed_equivalence``) and ``--n`` queries: every labelled query of the shared sets
(``eval/dev_queries.jsonl``, ``eval/dev2025/queries.jsonl``, ``eval/alqac_dev/queries.jsonl``), then
their diacritic-free forms (as users type them) until there are ``--n``. Reports the cosine between
the two backends' vectors, min and mean, separately for passages and queries (target: min >= 0.999),
and single-query encode latency p50 of each backend, taking turns query by query.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from eval.embed_equivalence import load_passages, shared_dir

TARGET_COSINE = 0.999


def shared_queries(shared: Path, n: int) -> list[str]:
    """``n`` distinct real queries: the labelled sets, then folded (no-diacritics) forms."""
    from ingest.vietnamese import fold

    texts: list[str] = []
    for rel, key in (
        ("eval/dev_queries.jsonl", "query"),
        ("eval/dev2025/queries.jsonl", "query"),
        ("eval/alqac_dev/queries.jsonl", "text"),
    ):
        path = shared / rel
        if not path.is_file():
            raise FileNotFoundError(f"{path}: shared query set missing (set CHIDAO_SHARED)")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(str(json.loads(line)[key]))
    texts = list(dict.fromkeys(texts))
    folded = [f for f in dict.fromkeys(fold(t) for t in texts) if f not in set(texts)]
    out = (texts + folded)[:n]
    if len(out) < n:
        raise SystemExit(f"eval.onnx_equivalence: only {len(out)} queries in {shared}, asked for {n}")
    return out


def cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    cos = np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)
    return {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6)}


def run(n: int, latency_queries: int = 40) -> dict[str, object]:
    from index.embedders.e5 import E5SmallEmbedder
    from index.embedders.onnx_e5 import OnnxE5Embedder

    shared = shared_dir()
    passages, _ = load_passages(shared / "corpus" / "provinces", n)
    queries = shared_queries(shared, n)
    torch_e5, onnx_e5 = E5SmallEmbedder(), OnnxE5Embedder()
    result: dict[str, object] = {"n_passages": len(passages), "n_queries": len(queries)}
    stats = {
        "passages": cosines(torch_e5.encode_passages(passages), onnx_e5.encode_passages(passages)),
        "queries": cosines(torch_e5.encode_queries(queries), onnx_e5.encode_queries(queries)),
    }
    result.update(stats)
    times: dict[str, list[float]] = {"e5-small": [], "e5-onnx": []}
    for q in queries[:latency_queries]:
        for name, emb in (("e5-small", torch_e5), ("e5-onnx", onnx_e5)):
            t = time.perf_counter()
            emb.encode_queries([q])
            times[name].append(time.perf_counter() - t)
    result["query_p50_ms"] = {k: round(statistics.median(v) * 1000, 2) for k, v in times.items()}
    result["passes"] = all(s["min"] >= TARGET_COSINE for s in stats.values())
    return result


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.onnx_equivalence")
    p.add_argument("--n", type=int, default=500)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    r = run(args.n)
    if args.json:
        print(json.dumps(r))
    else:
        for k in ("passages", "queries"):
            c = r[k]
            print(f"e5-onnx vs e5-small, {r['n_' + k]} {k}: cosine min {c['min']} mean {c['mean']}")  # type: ignore[index]
        print(f"single-query encode p50 ms: {r['query_p50_ms']}")
        print("PASS" if r["passes"] else f"FAIL (min cosine < {TARGET_COSINE})")
    return 0 if r["passes"] else 1


if __name__ == "__main__":
    sys.exit(main())
