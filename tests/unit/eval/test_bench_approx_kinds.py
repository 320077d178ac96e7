"""`chidao bench` reports hnsw-sq beside hnsw against exact flat (issue 15), on the seed index."""

from __future__ import annotations

from pathlib import Path

from eval.bench import QUERIES, approx_recall, format_report


def test_bench_measures_both_graph_kinds_against_flat(seeds_root: Path) -> None:
    a = approx_recall(seeds_root, "hash", real=118)
    assert a["served_kind"] == "flat" and a["queries"] == len(QUERIES) + 100
    assert a["recall_at_10_generated"] is None  # every seed chunk is model-embedded, none generated
    hnsw, sq = a["hnsw"], a["hnsw-sq"]
    assert hnsw["recall_at_10"] == 1.0  # 118 vectors: the graph search visits them all
    assert 0.9 <= sq["recall_at_10"] <= 1.0
    assert sq["memory_mb"] < hnsw["memory_mb"]  # 1 byte a dimension instead of 4
    assert sq["recall_at_10_rescored"] == 1.0 and sq["rescore_depth"] == 50  # exact order inside the 50
    assert "recall_at_10_rescored" not in hnsw
    assert a["recall_at_10"] == hnsw["recall_at_10"] and a["hnsw_scan"] == hnsw["scan"]
    report = format_report({"date": "d", "machine": "m", "embedder": "hash", "embedding": {}, "sizes": {"118": {
        "ingest": {"docs_per_s": 1, "chunks_per_s": 1, "documents": 5, "corpus_rounds": 1},
        "vectors": {"real": 118, "generated": 0}, "build_s": {}, "index_mb": 1,
        "writes": {"repeats": 1, "add_one_s": 0, "add_one_pct_of_build": 0, "remove_built_s": 0,
                   "remove_built_pct_of_build": 0, "remove_added_s": 0, "reload_s": 0},
        "peak_rss_mb": 1, "approx_vs_flat": a}}})
    assert f"- hnsw-sq vs flat over the same vectors: recall@10 {sq['recall_at_10']} (112 real-text queries)" in report
    assert (f"in memory {sq['memory_mb']} MB; top 50 re-scored exactly: recall@10 1.0, None; "
            f"built here in {sq['build_s']} s") in report
