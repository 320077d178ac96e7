"""Alignment across provinces: mutual best matches with shared key terms; unique = no match."""

from __future__ import annotations

import numpy as np

from answer.align import align, key_terms, links


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


TEXTS = [
    "Sở Tài chính chủ trì phổ biến, triển khai quyết định này",  # A0
    "Ủy ban nhân dân cấp xã niêm yết công khai thủ tục hành chính",  # A1
    "Sở Tài chính chủ trì phổ biến, triển khai quyết định đến các cơ quan",  # B0: like A0
    "Ủy ban nhân dân cấp xã niêm yết công khai thủ tục tại trụ sở",  # B1: like A1
    "Trung tâm chuyển đổi số cấu hình thủ tục trên hệ thống",  # C0: like nothing
]
OWNERS = ["A", "A", "B", "B", "C"]
VECTORS = np.vstack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(0.95, 0.1, 0), _unit(0.1, 0.95, 0.1), _unit(0.6, 0.6, 0.5)])


def test_alike_instructions_of_two_provinces_are_grouped_and_the_rest_is_unique() -> None:
    groups = align(VECTORS, OWNERS, TEXTS, threshold=0.9)
    assert [m for m, _ in groups] == [[0, 2], [1, 3], [4]]
    assert groups[0][1] == round(float(VECTORS[0] @ VECTORS[2]), 4) and groups[2][1] == 1.0


def test_no_link_without_shared_key_terms_whatever_the_cosine() -> None:
    texts = [*TEXTS[:2], "Hội nghị tổng kết năm", "Đoàn viên thanh niên tình nguyện", TEXTS[4]]
    assert links(VECTORS, OWNERS, key_terms(texts), threshold=0.9) == []


def test_instructions_of_one_province_are_never_linked() -> None:
    vectors = np.vstack([_unit(1, 0, 0), _unit(1, 0.01, 0)])
    assert links(vectors, ["A", "A"], key_terms(TEXTS[:2] * 1), threshold=0.5) == []


def test_only_mutual_best_matches_link() -> None:
    # B0 and B1 both resemble A0, B0 more: A0-B0 link; B1 stays alone though above the threshold.
    texts = ["Sở Tài chính chủ trì phổ biến quyết định", "Sở Tài chính chủ trì phổ biến quyết định này",
             "Sở Tài chính chủ trì phổ biến quyết định kịp thời"]
    vectors = np.vstack([_unit(1, 0), _unit(0.99, 0.14), _unit(0.95, 0.31)])
    assert [m for m, _ in align(vectors, ["A", "B", "B"], texts, threshold=0.9)] == [[0, 1], [2]]
