"""The agency task table: the organisation's own name marked in each task, the section heading alone;
the search caption naming the province a topic was searched in."""

from __future__ import annotations

import datetime as dt

from ui.views import name_spans, scope_note, section_of, task_table


def test_the_agency_name_is_found_with_or_without_marks_and_case() -> None:
    text = "Giao Sở Y tế chủ trì, phối hợp với UBND các huyện; sở y tế báo cáo kết quả."
    assert [text[s:e] for s, e in name_spans(text, ["Sở Y tế"])] == ["Sở Y tế", "sở y tế"]
    assert name_spans(text, ["Sở Tài chính"]) == []


def test_the_section_is_the_heading_not_the_task_own_opening_words() -> None:
    path = ["II. NHIỆM VỤ VÀ GIẢI PHÁP", "3. Sở Y tế chủ trì tổ chức tiêm chủng"]
    assert section_of(path, "3. Sở Y tế chủ trì tổ chức tiêm chủng cho trẻ em trong độ tuổi") == \
        "II. NHIỆM VỤ VÀ GIẢI PHÁP"
    assert section_of(["8. Giao Sở Y tế:"], "Khẩn trương tổ chức tiêm vắc xin") == "8. Giao Sở Y tế:"
    assert section_of([], "Khẩn trương tổ chức tiêm vắc xin") == ""


def test_the_table_marks_the_name_in_the_task_cell() -> None:
    rows = [{"task": {"text": "Sở Y tế chủ trì tổ chức tiêm chủng", "role": "lead",
                      "section_path": ["II. Nhiệm vụ", "1. Sở Y tế chủ trì tổ chức tiêm chủng"]},
             "directive": {"doc_id": "d1", "type": "Kế hoạch", "number": "12/KH-UBND"}}]
    line = task_table(rows, dt.date(2025, 1, 1), ["Sở Y tế"]).splitlines()[2]
    assert line.startswith("| Chủ trì | :orange-background[Sở Y tế] chủ trì tổ chức tiêm chủng | — | ")
    assert "| II\\. Nhiệm vụ |" in line


def test_the_search_caption_names_the_province_searched_first() -> None:
    assert scope_note("Đồng Tháp") == ", trong văn bản của Đồng Tháp trước"
    assert scope_note(None) == ""
