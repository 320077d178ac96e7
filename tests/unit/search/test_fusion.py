from __future__ import annotations

import pytest

from search.fusion import get_fusion, rrf, weighted


def test_rrf_hand_computed() -> None:
    bm25 = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("b", 0.9), ("d", 0.8), ("a", 0.1)]
    fused = rrf([bm25, dense], k=60)
    # a: 1/61 + 1/63 = 0.032266; b: 1/62 + 1/61 = 0.032522; c: 1/63 = 0.015873; d: 1/62 = 0.016129
    assert [d for d, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1][1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[2][1] == pytest.approx(1 / 62)


def test_rrf_k_changes_the_order() -> None:
    # k=1:  a = 1/2 + 1/5 = 0.700 beats b = 1/3 + 1/3 = 0.667
    # k=60: a = 1/61 + 1/64 = 0.032018 loses to b = 1/62 + 1/62 = 0.032258
    bm25 = [("a", 3.0), ("b", 2.0)]
    dense = [("x", 1.0), ("b", 0.5), ("y", 0.3), ("a", 0.1)]
    assert [d for d, _ in rrf([bm25, dense], k=1)][:2] == ["a", "b"]
    assert [d for d, _ in rrf([bm25, dense], k=60)][:2] == ["b", "a"]


def test_weighted_min_max_hand_computed() -> None:
    bm25 = [("a", 10.0), ("b", 6.0), ("c", 2.0)]  # norm: a 1.0, b 0.5, c 0.0
    dense = [("c", 0.9), ("a", 0.5), ("b", 0.4)]  # norm: c 1.0, a 0.2, b 0.0
    fused = weighted([bm25, dense], [0.7, 0.3])
    # a = 0.7*1.0 + 0.3*0.2 = 0.76; b = 0.7*0.5 + 0 = 0.35; c = 0 + 0.3*1.0 = 0.30
    assert [d for d, _ in fused] == ["a", "b", "c"]
    assert [round(s, 6) for _, s in fused] == [0.76, 0.35, 0.3]


def test_ties_keep_first_appearance() -> None:
    fused = rrf([[("a", 1.0)], [("b", 1.0)]])
    assert [d for d, _ in fused] == ["a", "b"]
    assert weighted([[("x", 2.0), ("y", 2.0)]]) == [("x", 1.0), ("y", 1.0)]


def test_unknown_fusion_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="valid: rrf, weighted"):
        get_fusion("borda")
