"""Ranking metrics over relevance judgements, shared by snippet-gold and BEIR evaluation.

A query's ranking is judged once, into `judgements`: for each rank (index 0 is rank 1) the set
of relevant-item indices (0..R-1) that passage matches. In snippet mode a passage can match
several items and an item can be matched by several passages; in BEIR mode an item is a judged
corpus id and a passage matches at most one. Every metric credits an item once, at the rank of
the first passage that matches it (`shared/eval/README.md`). Ranks are list positions: the
metrics never re-sort, so passages with equal scores keep the order the retriever returned.

Definitions follow the README; nDCG is Järvelin & Kekäläinen (2002) with binary gains and the
log2(rank + 1) discount, as in trec_eval's `ndcg_cut`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

Judgements = Sequence[Collection[int]]

MRR_CUTOFF = 10
NDCG_CUTOFF = 10


def _check(k: int, n_relevant: int | None = None) -> None:
    if k < 1:
        raise ValueError(f"cutoff k must be >= 1, got {k}")
    if n_relevant is not None and n_relevant < 1:
        raise ValueError("a query needs at least one relevant item to be evaluated")


def item_first_ranks(judgements: Judgements, n_relevant: int) -> tuple[int | None, ...]:
    """For each relevant item, the 1-based rank of the first passage matching it, else None."""
    first: list[int | None] = [None] * n_relevant
    for rank, matched in enumerate(judgements, 1):
        for item in matched:
            if not 0 <= item < n_relevant:
                raise ValueError(f"item index {item} outside 0..{n_relevant - 1}")
            if first[item] is None:
                first[item] = rank
    return tuple(first)


def first_relevant_rank(judgements: Judgements) -> int | None:
    """Rank of the first passage that matches any relevant item; None if none does."""
    for rank, matched in enumerate(judgements, 1):
        if matched:
            return rank
    return None


def recall_at_k(judgements: Judgements, n_relevant: int, k: int) -> float:
    """Recall@k = |{items matched by some passage at rank <= k}| / R."""
    _check(k, n_relevant)
    found = {item for matched in judgements[:k] for item in matched}
    return len(found) / n_relevant


def hit_at_k(judgements: Judgements, k: int) -> float:
    """Hit@k = 1 if some passage at rank <= k matches a relevant item, else 0."""
    _check(k)
    rank = first_relevant_rank(judgements)
    return 1.0 if rank is not None and rank <= k else 0.0


def mrr_at_k(judgements: Judgements, k: int = MRR_CUTOFF) -> float:
    """Reciprocal rank at cutoff k: 1 / rank of the first matching passage, 0 if it is below k.

    MRR@10 is the mean of this over queries with k = 10.
    """
    _check(k)
    rank = first_relevant_rank(judgements)
    return 1.0 / rank if rank is not None and rank <= k else 0.0


def _discount(rank: int) -> float:
    return 1.0 / math.log2(rank + 1)


def ndcg_at_k(judgements: Judgements, n_relevant: int, k: int = NDCG_CUTOFF) -> float:
    """nDCG@k with binary gains, each relevant item credited once.

        DCG@k  = sum over found items j = 1, 2, ... (ordered by first rank r_j) with
                 max(r_j, j) <= k of 1 / log2(max(r_j, j) + 1)
        IDCG@k = sum over i = 1 .. min(R, k) of 1 / log2(i + 1)
        nDCG@k = DCG@k / IDCG@k

    When every passage brings at most one new item (always so in BEIR mode), max(r_j, j) = r_j
    and this is the README's "each item at the rank of the first passage that matches it".
    When one passage matches several new items (snippet mode), they are credited at consecutive
    ranks from that passage's rank on, as the ideal ranking (one item per rank) would place
    them; crediting them all at the same rank would let nDCG exceed 1. Example: R = 2, both
    items in the rank-1 passage -> ranks 1 and 2 -> nDCG = 1.
    """
    _check(k, n_relevant)
    ranks = sorted(r for r in item_first_ranks(judgements, n_relevant) if r is not None)
    dcg = 0.0
    for j, r in enumerate(ranks, 1):
        credited = max(r, j)
        if credited <= k:
            dcg += _discount(credited)
    idcg = sum(_discount(i) for i in range(1, min(n_relevant, k) + 1))
    return dcg / idcg


def _recall(judgements: Judgements, n_relevant: int, k: int) -> float:
    return recall_at_k(judgements, n_relevant, k)


def _hit(judgements: Judgements, n_relevant: int, k: int) -> float:
    return hit_at_k(judgements, k)


def _mrr(judgements: Judgements, n_relevant: int, k: int) -> float:
    return mrr_at_k(judgements, k)


def _ndcg(judgements: Judgements, n_relevant: int, k: int) -> float:
    return ndcg_at_k(judgements, n_relevant, k)


METRICS = {"recall": _recall, "hit": _hit, "mrr": _mrr, "ndcg": _ndcg}


def parse_metric(name: str) -> tuple[str, int]:
    """Split "recall@10" into ("recall", 10); the error lists the valid names."""
    base, _, cutoff = name.partition("@")
    if base not in METRICS or not cutoff.isdigit() or int(cutoff) < 1:
        raise ValueError(f"unknown metric {name!r}: use one of {', '.join(m + '@k' for m in METRICS)}")
    return base, int(cutoff)


def metric_by_name(name: str, judgements: Judgements, n_relevant: int) -> float:
    """The metric `name` ("recall@5", "hit@10", "mrr@10", "ndcg@10") of one judged ranking."""
    base, k = parse_metric(name)
    return METRICS[base](judgements, n_relevant, k)
