"""compare_dev scoring: found snippets bound to their document, hit, recall, misplaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.compare import CompareQuery, CompareResult, check_compare_floors, load_compare_queries, score_query
from eval.datasets import RelevantItem, normalize_for_match

Q = CompareQuery("cd-x", "tài sản công", ("Cần Thơ", "Gia Lai"), {
    "Cần Thơ": (RelevantItem("ct", "quyết định mức khoán kinh phí nhà ở công vụ"),
                RelevantItem("ct", "phê duyệt đề án sử dụng tài sản công")),
    "Gia Lai": (RelevantItem("gl", "sở tài chính chủ trì phổ biến"),),
})


def test_normalize_for_match_is_the_readme_rule() -> None:
    assert normalize_for_match("**Sở Tài  chính**\n| chủ_trì #") == "sở tài chính chủtrì"


def test_found_hit_recall_and_misplaced() -> None:
    shown = {
        "Cần Thơ": [("ct", "b) **Quyết định mức khoán kinh phí nhà ở\ncông vụ** cụ thể"),  # found
                    ("other", "Phê duyệt đề án sử dụng tài sản công"),  # right words, wrong document
                    ("gl#1", "an attachment of Gia Lai's gold document")],  # misplaced
        "Gia Lai": [("gl#2", "Sở Tài chính chủ trì phổ biến, triển khai")],  # an attachment counts for its file
    }
    ct, gl = score_query(Q, shown)
    assert (ct.found, ct.gold, ct.hit, ct.recall, ct.misplaced, ct.shown) == (1, 2, True, 0.5, 1, 3)
    assert ct.missed == ("phê duyệt đề án sử dụng tài sản công",)
    assert (gl.found, gl.recall, gl.misplaced) == (1, 1.0, 0)
    result = CompareResult("t", (ct, gl))
    assert (result.province_hit, result.instruction_recall, result.misplaced) == (1.0, 0.75, 1)
    assert check_compare_floors(result) == ["t: 1 misplaced instructions > 0"]


def test_an_empty_column_misses_everything() -> None:
    ct, gl = score_query(Q, {"Cần Thơ": []})
    assert (ct.hit, ct.recall, gl.hit, gl.shown) == (False, 0.0, False, 0)
    assert check_compare_floors(CompareResult("t", (ct, gl))) == [
        "t: province hit 0.000 < 0.95", "t: instruction recall 0.000 < 0.6"]


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "topic": "t", "provinces": ["Huế"], "relevant": {}}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:2: not a compare query \(KeyError"):
        load_compare_queries(path)
    with pytest.raises(FileNotFoundError, match="missing.jsonl: compare queries file not found"):
        load_compare_queries(tmp_path / "missing.jsonl")


def test_the_shared_dev_set_loads(shared: Path) -> None:
    queries = load_compare_queries(shared / "eval" / "compare_dev" / "queries.jsonl")
    assert len(queries) == 8 and sum(len(q.provinces) for q in queries) == 29
    assert sum(len(s) for q in queries for s in q.relevant.values()) == 121
