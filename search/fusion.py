"""Fusing ranked lists from several retrievers.

- Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009):
  score(d) = sum over lists of w_i / (k + rank(d)), rank starting at 1, k = 60 by default,
  w_i = 1 unless weights are given.
- Weighted score fusion: each list's scores min-max normalised to [0, 1] (a list whose scores
  are all equal gives 1.0 to each), then score(d) = sum of weight_i * norm_i(d).
Ties are broken by first appearance across the lists in the order given, so results are
deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Ranked = Sequence[tuple[str, float]]  # (id, score), best first


def _order(scores: dict[str, float], first_seen: dict[str, int]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))


def _first_seen(lists: Sequence[Ranked]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for ranked in lists:
        for doc_id, _ in ranked:
            seen.setdefault(doc_id, len(seen))
    return seen


def rrf(lists: Sequence[Ranked], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    weights = list(weights) if weights is not None else [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(lists)} lists but {len(weights)} weights")
    scores: dict[str, float] = {}
    for ranked, w in zip(lists, weights):
        for rank, (doc_id, _) in enumerate(ranked, 1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
    return _order(scores, _first_seen(lists))


def weighted(lists: Sequence[Ranked], weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    weights = list(weights) if weights is not None else [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(lists)} lists but {len(weights)} weights")
    scores: dict[str, float] = {}
    for ranked, w in zip(lists, weights):
        if not ranked:
            continue
        values = [s for _, s in ranked]
        lo, hi = min(values), max(values)
        for doc_id, s in ranked:
            norm = 1.0 if hi == lo else (s - lo) / (hi - lo)
            scores[doc_id] = scores.get(doc_id, 0.0) + w * norm
    return _order(scores, _first_seen(lists))


FUSIONS: Mapping[str, Callable[..., list[tuple[str, float]]]] = {"rrf": rrf, "weighted": weighted}


def get_fusion(name: str) -> Callable[..., list[tuple[str, float]]]:
    try:
        return FUSIONS[name]
    except KeyError:
        raise ValueError(f"unknown fusion {name!r}; valid: {', '.join(FUSIONS)}") from None
