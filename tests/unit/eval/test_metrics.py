"""Ranking metrics on hand-computed examples. Discounts used below: 1/log2(r+1) is
r=1: 1, r=2: 0.6309298, r=3: 0.5, r=4: 0.4306766, r=5: 0.3868528.

A ranking is written as one set per rank (rank 1 first): the indices of the relevant items
that passage matches.
"""

from __future__ import annotations

import pytest

from eval.metrics import (
    first_relevant_rank,
    hit_at_k,
    item_first_ranks,
    metric_by_name,
    mrr_at_k,
    ndcg_at_k,
    parse_metric,
    recall_at_k,
)

NONE: frozenset[int] = frozenset()


def test_rank_one_beats_rank_three_on_mrr_and_ndcg() -> None:
    at_1 = [{0}, NONE, NONE]
    at_3 = [NONE, NONE, {0}]
    # MRR: 1/1 = 1 against 1/3.
    assert mrr_at_k(at_1) == 1.0
    assert mrr_at_k(at_3) == pytest.approx(1 / 3)
    # nDCG, R = 1, IDCG = 1: 1/log2(2) = 1 against 1/log2(4) = 0.5.
    assert ndcg_at_k(at_1, 1) == 1.0
    assert ndcg_at_k(at_3, 1) == pytest.approx(0.5)
    assert mrr_at_k(at_1) > mrr_at_k(at_3)
    assert ndcg_at_k(at_1, 1) > ndcg_at_k(at_3, 1)
    # Recall and hit at 10 cannot tell them apart; at k = 2 they can.
    assert recall_at_k(at_1, 1, 10) == recall_at_k(at_3, 1, 10) == 1.0
    assert (hit_at_k(at_1, 2), hit_at_k(at_3, 2)) == (1.0, 0.0)


def test_recall_and_hit_grow_with_k() -> None:
    # R = 3; item 0 at rank 2, item 2 at rank 4, item 1 never.
    ranking = [NONE, {0}, NONE, {2}]
    recalls = [recall_at_k(ranking, 3, k) for k in (1, 2, 3, 4, 10)]
    assert recalls == pytest.approx([0, 1 / 3, 1 / 3, 2 / 3, 2 / 3])
    assert [hit_at_k(ranking, k) for k in (1, 2, 10)] == [0.0, 1.0, 1.0]
    assert first_relevant_rank(ranking) == 2
    assert item_first_ranks(ranking, 3) == (2, None, 4)


def test_an_item_matched_by_two_passages_counts_once() -> None:
    # R = 2; item 0 is in the passages at ranks 1 and 2, item 1 at rank 3.
    ranking = [{0}, {0}, {1}]
    # Recall@2 = |{0}| / 2 = 0.5, not 2/2.
    assert recall_at_k(ranking, 2, 2) == 0.5
    assert recall_at_k(ranking, 2, 3) == 1.0
    # DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5 (rank 2 earns nothing: item 0 already counted)
    # IDCG = 1 + 0.6309298 = 1.6309298; nDCG = 1.5 / 1.6309298 = 0.9197208.
    assert ndcg_at_k(ranking, 2) == pytest.approx(0.9197208, abs=1e-7)
    # The same ranking with the duplicate replaced by a miss scores exactly the same.
    assert ndcg_at_k([{0}, NONE, {1}], 2) == ndcg_at_k(ranking, 2)


def test_ndcg_three_relevant_two_found() -> None:
    # R = 3; items found at ranks 2 and 5, the third never.
    ranking = [NONE, {1}, NONE, NONE, {0}, NONE]
    # DCG = 0.6309298 + 0.3868528 = 1.0177826
    # IDCG = 1 + 0.6309298 + 0.5 = 2.1309298 (all three at ranks 1..3)
    # nDCG = 1.0177826 / 2.1309298 = 0.4776237
    assert ndcg_at_k(ranking, 3) == pytest.approx(0.4776237, abs=1e-7)
    assert recall_at_k(ranking, 3, 10) == pytest.approx(2 / 3)
    # Swapping the found items' ranks into 1 and 2 raises it: (1 + 0.6309298) / 2.1309298 = 0.7653606.
    assert ndcg_at_k([{1}, {0}], 3) == pytest.approx(0.7653606, abs=1e-7)


def test_one_passage_matching_several_items_never_beats_the_ideal() -> None:
    # R = 2, both items in the rank-1 passage: credited at ranks 1 and 2, nDCG = 1 exactly.
    assert ndcg_at_k([{0, 1}], 2) == pytest.approx(1.0)
    # R = 3, items 0 and 1 at rank 1, item 2 at rank 5: credited at ranks 1, 2, 5.
    # DCG = 1 + 0.6309298 + 0.3868528 = 2.0177826; / IDCG 2.1309298 = 0.9469024.
    # (Crediting both at rank 1 would give (1 + 1 + 0.3868528) / 2.1309298 = 1.1201 > 1.)
    assert ndcg_at_k([{0, 1}, NONE, NONE, NONE, {2}], 3) == pytest.approx(0.9469024, abs=1e-7)


def test_cutoffs() -> None:
    # First relevant passage at rank 11: reported, but worth nothing at 10.
    ranking = [NONE] * 10 + [{0}]
    assert first_relevant_rank(ranking) == 11
    assert mrr_at_k(ranking) == 0.0
    assert ndcg_at_k(ranking, 1) == 0.0
    assert recall_at_k(ranking, 1, 10) == 0.0
    assert mrr_at_k(ranking, 20) == pytest.approx(1 / 11)
    # R = 12 found at ranks 1..12: the ideal at 10 holds only 10, so nDCG@10 = 1.
    assert ndcg_at_k([{i} for i in range(12)], 12) == pytest.approx(1.0)
    assert first_relevant_rank([]) is None
    assert first_relevant_rank([NONE, NONE]) is None


def test_metric_names() -> None:
    ranking = [NONE, {0}]
    assert parse_metric("recall@10") == ("recall", 10)
    assert metric_by_name("mrr@10", ranking, 1) == 0.5
    assert metric_by_name("hit@1", ranking, 1) == 0.0
    assert metric_by_name("ndcg@10", ranking, 1) == pytest.approx(0.6309298, abs=1e-7)
    with pytest.raises(ValueError, match="recall@k, hit@k, mrr@k, ndcg@k"):
        parse_metric("map@10")
    with pytest.raises(ValueError):
        parse_metric("recall@")


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="at least one relevant"):
        recall_at_k([{0}], 0, 10)
    with pytest.raises(ValueError, match="outside"):
        ndcg_at_k([{3}], 2)
    with pytest.raises(ValueError, match="k must be"):
        hit_at_k([{0}], 0)
