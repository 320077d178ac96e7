"""Factual answers carry their short answer inside the answer sentence (seed directives, hash index)."""

from __future__ import annotations

import pytest

from answer.qa import answer_question
from index.index import Index
from ingest.vietnamese import fold


@pytest.mark.parametrize(("question", "short"), [
    ("Khi nào phải hoàn thành chuyển giao diện tích rừng các xã?", "trước ngày 30 tháng 8 năm 2021"),
    ("Tốc độ tăng trưởng kinh tế 9 tháng năm 2021 của Kon Tum đạt bao nhiêu?", "6,05%"),
    ("Thu ngân sách 6 tháng đầu năm 2020 của Đồng Nai đạt bao nhiêu phần trăm dự toán?", "49%"),
    ("Bao nhiêu xã của Đồng Nai đạt chuẩn nông thôn mới nâng cao?", "40/121 xã (chiếm tỷ lệ 33,05%)"),
])
def test_the_short_answer_is_inside_the_answer_sentence(seeds_index: Index, question: str, short: str) -> None:
    a = answer_question(seeds_index, question)
    assert a.answered and a.short == short
    assert a.passage is not None and a.span is not None and a.short_span is not None
    s, e = a.short_span
    assert a.passage.text[s:e] == short and a.span[0] <= s < e <= a.span[1]
    assert a.sentence_marked() is not None and f"«{short}»" in a.sentence_marked()
    d = a.to_dict()
    assert d["short"] == short and d["short_span"] == [s, e]


@pytest.mark.parametrize(("question", "short"), [
    ("Khi nào phải hoàn thành chuyển giao diện tích rừng các xã?", "trước ngày 30 tháng 8 năm 2021"),
    ("Thu ngân sách 6 tháng đầu năm 2020 của Đồng Nai đạt bao nhiêu phần trăm dự toán?", "49%"),
    ("Bao nhiêu xã của Đồng Nai đạt chuẩn nông thôn mới nâng cao?", "40/121 xã (chiếm tỷ lệ 33,05%)"),
])
def test_a_question_typed_without_marks_gets_the_same_answer(seeds_index: Index, question: str, short: str) -> None:
    typed = fold(question)
    assert typed != question
    a, b = answer_question(seeds_index, question), answer_question(seeds_index, typed)
    assert b.answered and b.short == short == a.short and b.span == a.span
    assert b.question == typed
