"""Question kinds and the app's escaping: exact outputs on the app's own example questions."""

from __future__ import annotations

import pytest

from answer.intent import compare_request, compare_topic, question_kind
from ui.text import escape, highlighted


@pytest.mark.parametrize(("question", "kind"), [
    ("Nhiệm vụ của Sở Y tế là gì?", "ask"),
    ("nhiem vu cua so y te", "ask"),
    ("Sở KH&ĐT được giao gì", "ask"),
    ("Ai chủ trì giải ngân vốn đầu tư công?", "ask"),
    ("Giải ngân vốn đầu tư công", "search"),
    ("Công văn 1536/UBND-KTTH", "search"),
    ("So sánh chỉ đạo phòng chống dịch giữa các tỉnh", "compare"),
    ("so sanh chi dao phong chong dich giua cac tinh", "compare"),
])
def test_question_kind(question: str, kind: str) -> None:
    assert question_kind(question) == kind


def test_compare_topic() -> None:
    assert compare_topic("So sánh chỉ đạo phòng chống dịch giữa các tỉnh") == "phòng chống dịch"
    assert compare_topic("so sánh giải ngân vốn đầu tư công") == "giải ngân vốn đầu tư công"


@pytest.mark.parametrize(("question", "expected"), [
    ("So sánh chỉ đạo phòng chống dịch giữa các tỉnh", ("phòng chống dịch", ())),
    ("So sánh phân cấp quản lý tài sản công giữa Cần Thơ, Gia Lai và Huế?",
     ("phân cấp quản lý tài sản công", ("Cần Thơ", "Gia Lai", "Huế"))),
    ("so sanh thu tuc hanh chinh linh vuc dau thau giua An Giang va Ha Tinh",
     ("thu tuc hanh chinh linh vuc dau thau", ("An Giang", "Hà Tĩnh"))),
    ("So sánh chỉ đạo phòng chống dịch giữa Kon Tum với TP Hồ Chí Minh", ("phòng chống dịch", ("Kon Tum", "TP Hồ Chí Minh"))),
    # A name that is no province: nothing is taken from the question.
    ("So sánh phòng chống dịch giữa Kon Tum và Sao Hỏa", ("phòng chống dịch giữa Kon Tum và Sao Hỏa", ())),
])
def test_compare_request_reads_the_named_provinces(question: str, expected: tuple[str, tuple[str, ...]]) -> None:
    assert compare_request(question) == expected


def test_escape_shows_markup_as_text() -> None:
    assert escape('<img src=x onerror="alert(1)">') == '\\<img src\\=x onerror\\=\\"alert\\(1\\)\\"\\>'
    assert escape(":red[x] $y$ **z**\n- a") == "\\:red\\[x\\] \\$y\\$ \\*\\*z\\*\\*  \n\\- a"


def test_highlight_joins_neighbouring_words_and_escapes() -> None:
    text = "Giao Sở Y tế <b>chủ trì</b>"
    assert highlighted(text, [(5, 7), (8, 9), (10, 12)]) == ("Giao :orange-background[Sở Y tế] "
                                                              "\\<b\\>chủ trì\\</b\\>")
