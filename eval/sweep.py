"""Choose the hybrid's fusion on the union of the dev sets: every candidate `FusionPolicy`, per set.

    python -m eval.sweep --set dev=IDX:QUERIES --set dev2025=IDX:QUERIES --beir alqac_dev=IDX:BEIR_DIR

Each query's BM25 and dense candidate lists are computed once (the hybrid's own
`candidate_lists`, restoration included) and every candidate policy fuses the same lists, so the
table compares fusions only. Printed as a markdown table: per set (and per query type of the
snippet sets) R@10 / MRR@10 for each candidate, and the mean MRR@10 over the sets, the figure
the default was chosen by.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean

from domain.model import Filters
from eval.datasets import beir_as_queries, load_beir, load_snippet_queries, matches, matches_doc
from eval.runner import EvalResult, evaluate, unaccented_twins
from index.index import Index
from search.retrievers import FusionPolicy, HybridRetriever

CANDIDATES: dict[str, FusionPolicy] = {
    "weighted 0.7/0.3, unaccented 0.7/0.075 (former)": FusionPolicy("weighted", (0.7, 0.3), (0.7, 0.075)),
    "weighted 0.7/0.3": FusionPolicy("weighted", (0.7, 0.3)),
    "weighted 0.5/0.5": FusionPolicy("weighted", (0.5, 0.5)),
    "weighted 0.4/0.6": FusionPolicy("weighted", (0.4, 0.6)),
    "weighted 0.3/0.7": FusionPolicy("weighted", (0.3, 0.7)),
    "rrf 1/1": FusionPolicy("rrf", (1.0, 1.0)),
    "rrf 1/1.5": FusionPolicy("rrf", (1.0, 1.5)),
    "rrf 1.5/1": FusionPolicy("rrf", (1.5, 1.0)),
    "rrf 1/1, unaccented 1/1.5": FusionPolicy("rrf", (1.0, 1.0), (1.0, 1.5)),
    "rrf 1.5/1, unaccented 1/1": FusionPolicy("rrf", (1.5, 1.0), (1.0, 1.0)),
    "weighted 0.5/0.5, unaccented 0.4/0.6": FusionPolicy("weighted", (0.5, 0.5), (0.4, 0.6)),
    "weighted 0.4/0.6, question 0.7/0.3": FusionPolicy("weighted", (0.4, 0.6), question=(0.7, 0.3)),
    "weighted 0.5/0.5, question 0.7/0.3": FusionPolicy("weighted", (0.5, 0.5), question=(0.7, 0.3)),
    "weighted 0.3/0.7, question 0.6/0.4": FusionPolicy("weighted", (0.3, 0.7), question=(0.6, 0.4)),
    "rrf 1/1.5, question 1.5/1": FusionPolicy("rrf", (1.0, 1.5), question=(1.5, 1.0)),
}


class _Cached(HybridRetriever):
    """The hybrid with its candidate lists shared across policies (computed once per query)."""

    def __init__(self, index: Index, policy: FusionPolicy, cache: dict[tuple[str, int, Filters | None, str | None], list],
                 restore: bool = True) -> None:
        super().__init__(index, policy, restore=restore)
        self.cache = cache

    def candidate_lists(self, query: str, n: int, filters: Filters | None = None,
                        words: str | None = None) -> list[list[tuple[str, float]]]:
        k = (query, n, filters, words)
        if k not in self.cache:
            self.cache[k] = super().candidate_lists(query, n, filters, words)
        return self.cache[k]


def sweep(index: Index, queries: Sequence, dataset: str, doc_mode: bool,
          candidates: dict[str, FusionPolicy] = CANDIDATES, restore: bool = True) -> dict[str, EvalResult]:
    cache: dict[tuple[str, int, Filters | None, str | None], list] = {}
    out = {}
    for name, policy in candidates.items():
        r = _Cached(index, policy, cache, restore=restore)
        out[name] = evaluate({"hybrid": r}, queries, match=matches_doc if doc_mode else matches, dataset=dataset,
                             depth=10, unit="doc" if doc_mode else "chunk")
    return out


def table(results: dict[str, dict[str, EvalResult]]) -> str:
    """Markdown: one row per candidate; per set R@10 / MRR@10 (by type for typed sets), then the
    mean MRR@10 over the sets."""
    sets = list(results)
    cols: list[tuple[str, str | None]] = []
    for s in sets:
        first = next(iter(results[s].values()))
        types = first.query_types
        cols.append((s, None))
        if len(types) > 1:
            cols += [(s, t) for t in types]
    head = ["candidate", *(f"{s}" if t is None else f"{s}:{t}" for s, t in cols), "mean MRR@10 over sets"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for cand in next(iter(results.values())):
        cells = [cand]
        for s, t in cols:
            r = results[s][cand]
            cells.append(f"{r.metric('hybrid', 'recall@10', t):.3f} / {r.metric('hybrid', 'mrr@10', t):.3f}")
        cells.append(f"{fmean(results[s][cand].metric('hybrid', 'mrr@10') for s in sets):.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], help="NAME=INDEX:QUERIES (snippet gold)")
    ap.add_argument("--beir", action="append", default=[], help="NAME=INDEX:BEIR_DIR (index already built)")
    ap.add_argument("--no-restore", action="store_true", help="queries as typed (no diacritic restoration)")
    args = ap.parse_args()
    results: dict[str, dict[str, EvalResult]] = {}
    for spec in args.set:
        name, rest = spec.split("=", 1)
        idx, queries = rest.split(":", 1)
        loaded = load_snippet_queries(queries)
        results[name] = sweep(Index(idx).load(), [*loaded, *unaccented_twins(loaded)], name, False,
                              restore=not args.no_restore)
    for spec in args.beir:
        name, rest = spec.split("=", 1)
        idx, folder = rest.split(":", 1)
        if not Path(idx, "CURRENT").exists():
            raise SystemExit(f"{idx}: no index; build it with chidao eval --beir {folder} --index {idx}")
        results[name] = sweep(Index(idx).load(), beir_as_queries(load_beir(folder)), name, True,
                              restore=not args.no_restore)
    print(table(results))


if __name__ == "__main__":
    main()
