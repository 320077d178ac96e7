"""Run retrievers over labelled queries and aggregate the metrics; check quality floors.

Depends only on the `domain.model.Retriever` protocol. Each retriever is asked once per query
for `depth` hits (default 100, so Recall@k curves can be drawn); the metrics at k <= depth are
read off that one ranking. Ranks are list positions: equal scores keep the retriever's order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from statistics import fmean
from typing import Any, Literal

from domain.model import Filters, Hit, Retriever
from eval.datasets import BeirSet, Query, RelevantItem, beir_as_queries, matches, matches_doc, source_stem
from eval.metrics import MRR_CUTOFF, NDCG_CUTOFF, first_relevant_rank, metric_by_name, parse_metric
from ingest.vietnamese import fold

Matcher = Callable[[RelevantItem, Hit], bool]

DEV = "dev"  # shared/eval/dev_queries.jsonl over the seeds
DEV2025 = "dev2025"  # shared/eval/dev2025/queries.jsonl over dev2025/corpus (real 2025 documents)
ALQAC = "alqac_dev"  # shared/eval/alqac_dev
DEFAULT_DEPTH = 100
SNIPPET_CHARS = 200
TWIN = "~unaccented"  # type suffix of a query's derived twin typed without marks
TWINNED_TYPES = ("topic", "question")


def unaccented_twins(queries: Sequence[Query], types: Sequence[str] = TWINNED_TYPES) -> list[Query]:
    """The queries of `types` typed without marks ("topic~unaccented"): the same gold, so
    unaccented search is measured against the same queries accented. Twins count only in their own
    type's figures, never in the overall means."""
    twins = []
    for q in queries:
        folded = fold(q.query)
        if q.type in types and folded != q.query:
            twins.append(replace(q, id=q.id + TWIN, type=q.type + TWIN, query=folded))
    return twins


@dataclass(frozen=True)
class Retrieved:
    """One passage of a ranking, kept for failure reading and TREC run files."""

    rank: int
    doc_id: str
    chunk_id: str
    score: float
    snippet: str  # the first SNIPPET_CHARS characters of the passage, whitespace collapsed
    matched: frozenset[int]  # indices into query.relevant of the items this passage matches


@dataclass(frozen=True)
class QueryResult:
    query: Query
    retrieved: tuple[Retrieved, ...]  # up to the run's depth, in the retriever's order
    seconds: float = 0.0  # wall time of the search call

    @cached_property
    def judgements(self) -> tuple[frozenset[int], ...]:
        return tuple(r.matched for r in self.retrieved)

    @property
    def first_rank(self) -> int | None:
        """Rank of the first passage matching any relevant item (None: not within the depth)."""
        return first_relevant_rank(self.judgements)

    @property
    def first_document_rank(self) -> int | None:
        """Rank of the first passage from a relevant document (its source file), text aside."""
        docs = {item.doc for item in self.query.relevant}
        return next((r.rank for r in self.retrieved if source_stem(r.doc_id) in docs), None)

    def metric(self, name: str) -> float:
        return metric_by_name(name, self.judgements, len(self.query.relevant))

    def missing(self, k: int) -> tuple[RelevantItem, ...]:
        """Relevant items no passage in the top k matches."""
        found = {i for r in self.retrieved[:k] for i in r.matched}
        return tuple(item for i, item in enumerate(self.query.relevant) if i not in found)


@dataclass(frozen=True)
class EvalResult:
    dataset: str
    k: int
    depth: int
    runs: dict[str, tuple[QueryResult, ...]]  # retriever name -> one result per query, same order
    unit: Literal["chunk", "doc"] = "chunk"  # what a passage id is: snippet mode ranks chunks
    answers: dict[str, Any] | None = None  # answer-level metrics (task recall...), filled later
    coverage: float | None = None  # share of the indexed clean text in a chunk or a named excluded region

    @property
    def metric_names(self) -> tuple[str, ...]:
        return (f"recall@{self.k}", f"hit@{self.k}", f"mrr@{MRR_CUTOFF}", f"ndcg@{NDCG_CUTOFF}")

    @property
    def n_queries(self) -> int:
        return len(self.results(next(iter(self.runs)))) if self.runs else 0

    @property
    def query_types(self) -> tuple[str, ...]:
        """Query types in order of first appearance."""
        results = next(iter(self.runs.values()), ())
        return tuple(dict.fromkeys(r.query.type for r in results))

    def results(self, retriever: str, query_type: str | None = None) -> tuple[QueryResult, ...]:
        """The results of one type, or of all queries but the derived twins (`TWIN` types)."""
        if retriever not in self.runs:
            raise KeyError(f"no run for retriever {retriever!r}: have {', '.join(self.runs)}")
        if query_type is None:
            return tuple(r for r in self.runs[retriever] if TWIN not in r.query.type)
        return tuple(r for r in self.runs[retriever] if r.query.type == query_type)

    def metric(self, retriever: str, name: str, query_type: str | None = None) -> float:
        """Mean of a metric over the queries (of one type); any "recall@k" with k <= depth."""
        _, cutoff = parse_metric(name)
        if cutoff > self.depth:
            raise ValueError(f"{name}: cutoff beyond the evaluated depth {self.depth}")
        results = self.results(retriever, query_type)
        return fmean(r.metric(name) for r in results) if results else 0.0

    def summary(self, retriever: str, query_type: str | None = None) -> dict[str, float]:
        return {m: self.metric(retriever, m, query_type) for m in self.metric_names}

    def recall_curve(self, retriever: str, k_max: int | None = None) -> list[float]:
        """Mean Recall@k for k = 1 .. k_max (default: the depth)."""
        return [self.metric(retriever, f"recall@{k}") for k in range(1, (k_max or self.depth) + 1)]

    def to_json(self, digits: int = 4) -> dict[str, Any]:
        """The results file: overall and per-type means per retriever, rounded to `digits`."""

        def rounded(summary: dict[str, float]) -> dict[str, float]:
            return {m: round(v, digits) for m, v in summary.items()}

        out: dict[str, Any] = {
            "dataset": self.dataset,
            "n_queries": self.n_queries,
            "retrievers": {name: rounded(self.summary(name)) for name in self.runs},
            "by_type": {
                t: {name: rounded(self.summary(name, t)) for name in self.runs} for t in self.query_types
            },
        }
        if self.answers is not None:
            out["answers"] = self.answers
        if self.coverage is not None:
            out["coverage"] = self.coverage
        return out


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


def _judge(query: Query, hits: Sequence[Hit], match: Matcher) -> tuple[Retrieved, ...]:
    return tuple(
        Retrieved(
            rank=rank,
            doc_id=hit.doc_id,
            chunk_id=hit.chunk_id,
            score=float(hit.score),
            snippet=_snippet(hit.text),
            matched=frozenset(i for i, item in enumerate(query.relevant) if match(item, hit)),
        )
        for rank, hit in enumerate(hits, 1)
    )


def evaluate(
    retrievers: Mapping[str, Retriever],
    queries: Sequence[Query],
    k: int = 10,
    match: Matcher = matches,
    dataset: str = DEV,
    depth: int = DEFAULT_DEPTH,
    filters: Filters | None = None,
    unit: Literal["chunk", "doc"] = "chunk",
) -> EvalResult:
    """Search every query with every retriever (names are the mapping's keys) and judge the hits.

    `match` decides whether a hit matches a relevant item: the README snippet rule by default
    (`eval.datasets.matches`). Each retriever is asked for max(depth, k, 10) hits.
    """
    if not retrievers:
        raise ValueError("no retrievers to evaluate")
    if not queries:
        raise ValueError("no queries to evaluate")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    depth = max(depth, k, MRR_CUTOFF, NDCG_CUTOFF)
    runs: dict[str, tuple[QueryResult, ...]] = {}
    for name, retriever in retrievers.items():
        # One untimed search first: a lazily loaded model would otherwise be timed in query one.
        retriever.search(queries[0].query, k=depth, filters=filters)
        results = []
        for query in queries:
            start = time.perf_counter()
            hits = retriever.search(query.query, k=depth, filters=filters)[:depth]
            seconds = time.perf_counter() - start
            results.append(QueryResult(query, _judge(query, hits, match), seconds))
        runs[name] = tuple(results)
    return EvalResult(dataset=dataset, k=k, depth=depth, runs=runs, unit=unit)


def evaluate_beir(
    retrievers: Mapping[str, Retriever],
    beir: BeirSet,
    k: int = 10,
    dataset: str = ALQAC,
    depth: int = DEFAULT_DEPTH,
) -> EvalResult:
    """BEIR mode: a hit is relevant when its doc_id is a corpus id judged > 0 in the qrels.

    The index must keep the corpus `_id` as the hit's doc_id. A document returned twice (two
    passages of one article) counts once, like a snippet matched by two chunks.
    """
    return evaluate(
        retrievers, beir_as_queries(beir), k=k, match=matches_doc, dataset=dataset, depth=depth, unit="doc"
    )


# --- quality floors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankFloor:
    """Every query of `query_type` must have its first relevant passage at rank <= `max_rank`.

    `retrievers` empty means every retriever that was evaluated.
    """

    dataset: str
    query_type: str
    max_rank: int
    retrievers: tuple[str, ...] = ()
    by_document: bool = False  # judge by the hit's document alone ("its document at rank 1")


@dataclass(frozen=True)
class Floors:
    """Minimum quality: mean metrics per (dataset, retriever, metric name), and rank floors.

    Floors for another dataset, or for a retriever that was not run, are not checked; a rank
    floor for a type with no queries checks nothing.
    """

    metrics: Mapping[tuple[str, str, str], float] = field(default_factory=dict)
    ranks: tuple[RankFloor, ...] = ()
    # (dataset, retriever, metric, others): the retriever must score strictly above each other one.
    beats: tuple[tuple[str, str, str, tuple[str, ...]], ...] = ()
    # (dataset, answers figure) -> minimum / maximum, for the answers section (eval.answers).
    answers_min: Mapping[tuple[str, str], float] = field(default_factory=dict)
    answers_max: Mapping[tuple[str, str], float] = field(default_factory=dict)
    # (dataset, retriever, query type, metric) -> minimum mean over that type's queries.
    by_type: Mapping[tuple[str, str, str, str], float] = field(default_factory=dict)
    # (dataset, retriever, query type, k) -> minimum share of those queries whose document
    # (any passage of a relevant document) is in the top k.
    doc_type_metrics: Mapping[tuple[str, str, str, int], float] = field(default_factory=dict)
    # (dataset, retriever, metric, query type, its twin type, max gap): the twin typed without
    # marks may score at most `max gap` below the same queries typed with them.
    gaps: tuple[tuple[str, str, str, str, str, float], ...] = ()


# dev2025 (issue 13): real 2025 plans, letters and decisions of many provinces. Every agency
# question is answered as one, no other agency's task is listed as the asked one's, mean task
# recall >= 0.93 (0.92 when first set at 0.90; 0.961 since assignment rules 5 read "Chỉ đạo X ..."
# and lead-in orders, 2026-12-02), and every document-number query finds its document in
# the top 10. Passage level, a number query's labelled snippets must also be in one passage: three
# of the seven run from a document's title into its first paragraph, which chunker 3 keeps in one
# passage (hit@10 5/7 -> 7/7 on 2026-12-02); the floor allows one miss.
DEV2025_AGENCY_MEAN = 0.93
DEV2025_NUMBER_HIT = 0.85

# Provenance: the ALQAC figures sit below the README's reference for plain syllable BM25 (Hit@10
# about 0.94, MRR@10 about 0.80); the rank floors are the design's promises for the hybrid (a
# document number opens on that document; unaccented queries find their text in the top 5).
DEFAULT_FLOORS = Floors(
    metrics={
        (DEV, "hybrid", "recall@10"): 0.95,
        (DEV, "hybrid", "mrr@10"): 0.85,
        (ALQAC, "hybrid", "hit@10"): 0.96,
        (ALQAC, "hybrid", "mrr@10"): 0.85,
        (ALQAC, "bm25", "hit@10"): 0.90,
        (ALQAC, "bm25", "mrr@10"): 0.75,
    },
    ranks=(
        RankFloor(DEV, "number", 1, ("hybrid",), by_document=True),
        RankFloor(DEV, "noaccent", 5, ("hybrid",)),
    ),
    beats=((DEV, "hybrid", "mrr@10", ("bm25", "dense")),),
    # Issue 5's targets: every agency query's task recall >= 0.9, no other agency's task listed as
    # the asked agency's own, every question's answer span holding its snippet.
    # dev2025 questions, issue 14's floors: span 0.90, short answer exact 0.80 (18/20 and 18/20
    # measured on 2026-12-02, typed with marks and without); typed without marks, one question less.
    answers_min={(DEV, "agency_min_recall"): 0.9, (DEV, "question_contains_rate"): 1.0,
                 (DEV2025, "agency_mean_recall"): DEV2025_AGENCY_MEAN,
                 (DEV2025, "question_contains_rate"): 0.90, (DEV2025, "question_short_exact_rate"): 0.80,
                 (DEV2025, "question_unaccented_contains_rate"): 0.85,
                 (DEV2025, "question_unaccented_short_exact_rate"): 0.80},
    answers_max={(DEV, "not_answer_total"): 0, (DEV2025, "not_answer_total"): 0, (DEV2025, "agency_unrouted"): 0},
    # Issue 14 on the real 2025 documents (bundled e5-small). Its topic R@10 target (0.90) is not
    # reached; its MRR@10 target (0.80) is, since a topic naming a province is searched in that
    # province (2026-12-02, second session: 0.817 / 0.803). The floors are those figures less about
    # 0.02, as one query's first hit moving down a rank costs 0.02 of MRR. Since 2026-12-02 an agency
    # question opens on the named agency's tasks, read from fields in more layouts: agency R@10
    # 0.592 -> 0.956, noaccent R@10 0.788 -> 0.909 (issue 14's 0.90 holds).
    by_type={
        (DEV2025, "hybrid", "topic", "recall@10"): 0.80,
        (DEV2025, "hybrid", "topic", "mrr@10"): 0.78,
        (DEV2025, "hybrid", "noaccent", "recall@10"): 0.90,  # issue 14's floor
        (DEV2025, "hybrid", "agency", "recall@10"): 0.92,
        (DEV2025, "hybrid", "number", "hit@10"): DEV2025_NUMBER_HIT,
    },
    doc_type_metrics={(DEV2025, "hybrid", "number", 10): 0.95},
    gaps=(
        (DEV2025, "hybrid", "recall@10", "topic", "topic" + TWIN, 0.05),
        (DEV2025, "hybrid", "recall@10", "question", "question" + TWIN, 0.05),
    ),
)


def check_floors(result: EvalResult, floors: Floors) -> list[str]:
    """Human-readable violations of `floors` by `result`; empty when all hold."""
    violations = []
    for (dataset, retriever, name), minimum in floors.metrics.items():
        if dataset != result.dataset or retriever not in result.runs:
            continue
        value = result.metric(retriever, name)
        if value < minimum:
            violations.append(f"{dataset}/{retriever}: {name} = {value:.4f} < floor {minimum:.4f}")
    for (dataset, retriever, query_type, name), minimum in floors.by_type.items():
        if dataset != result.dataset or retriever not in result.runs or not result.results(retriever, query_type):
            continue
        got = result.metric(retriever, name, query_type)
        if got < minimum:
            violations.append(f"{dataset}/{retriever}: {query_type} {name} = {got:.4f} < floor {minimum:.4f}")
    for dataset, retriever, name, typed, twin, gap in floors.gaps:
        if dataset != result.dataset or retriever not in result.runs:
            continue
        if not result.results(retriever, typed) or not result.results(retriever, twin):
            continue
        a, b = result.metric(retriever, name, typed), result.metric(retriever, name, twin)
        if a - b > gap:
            violations.append(f"{dataset}/{retriever}: {twin} {name} = {b:.4f} is {a - b:.4f} below {typed} "
                              f"({a:.4f}), more than {gap}")
    for floor in floors.ranks:
        if floor.dataset != result.dataset:
            continue
        for retriever in floor.retrievers or tuple(result.runs):
            if retriever not in result.runs:
                continue
            for r in result.results(retriever, floor.query_type):
                rank = r.first_document_rank if floor.by_document else r.first_rank
                if rank is None or rank > floor.max_rank:
                    where = f"at rank {rank}" if rank is not None else f"not in the top {result.depth}"
                    what = "relevant document" if floor.by_document else "relevant"
                    violations.append(
                        f"{floor.dataset}/{retriever}: {floor.query_type} query {r.query.id} "
                        f"({r.query.query!r}) first {what} {where}, floor is rank <= {floor.max_rank}"
                    )
    for (dataset, retriever, query_type, k), minimum in floors.doc_type_metrics.items():
        if dataset != result.dataset or retriever not in result.runs:
            continue
        rs = result.results(retriever, query_type)
        if not rs:
            continue
        share = sum(1 for r in rs if r.first_document_rank is not None and r.first_document_rank <= k) / len(rs)
        if share < minimum:
            violations.append(f"{dataset}/{retriever}: {query_type} queries with their document in the top {k} "
                              f"= {share:.4f} < floor {minimum:.4f}")
    if result.answers is not None:
        for (dataset, name), minimum in floors.answers_min.items():
            figure = result.answers.get(name)
            if dataset == result.dataset and figure is not None and figure < minimum:
                violations.append(f"{dataset}/answers: {name} = {figure} < floor {minimum}")
        for (dataset, name), maximum in floors.answers_max.items():
            figure = result.answers.get(name)
            if dataset == result.dataset and figure is not None and figure > maximum:
                violations.append(f"{dataset}/answers: {name} = {figure} > ceiling {maximum}")
    for dataset, retriever, name, others in floors.beats:
        if dataset != result.dataset or retriever not in result.runs:
            continue
        mine = result.metric(retriever, name)
        for other in others:
            if other in result.runs and result.metric(other, name) >= mine:
                theirs = result.metric(other, name)
                violations.append(f"{dataset}/{retriever}: {name} = {mine:.4f} does not beat {other} ({theirs:.4f})")
    return violations
