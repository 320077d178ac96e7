"""Assignment tables arrive as .docx/HTML rows, Markdown pipes, or one cell per line: one pass
reads them all (ingest.tables), one assignment per row and agency."""

from __future__ import annotations

import pytest

from ingest.assignments import extract_assignments
from ingest.pipeline import ingest_text
from ingest.tables import cell_deadline, column_kind, find_tables

HEAD = ("UBND TỈNH LÂM ĐỒNG\nSố: 12/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Lâm Đồng, ngày 05 tháng 01 năm 2026\n\nKẾ HOẠCH\nCông tác năm 2026\n\nPHỤ LỤC PHÂN CÔNG NHIỆM VỤ\n\n")
HEADER = ["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì", "Phối hợp", "Theo dõi"]
ROWS = [
    ["1", "Tổ chức thanh tra việc quản lý, sử dụng đất đai tại các xã", "Kết luận thanh tra", "Quý II/2026",
     "Thanh tra tỉnh", "Sở Nội vụ; Văn phòng UBND tỉnh", "Lãnh đạo UBND tỉnh"],
    ["2", "Sắp xếp, kiện toàn các đơn vị sự nghiệp công lập trực thuộc", "Đề án", "30/9/2026",
     "Sở Nội vụ", "Các sở, ban, ngành", "Văn phòng UBND tỉnh"],
]
EXPECTED = [
    ("Thanh tra tỉnh", "chu_tri", "2026-06-30", "Quý II/2026"),
    ("Sở Nội vụ", "phoi_hop", "2026-06-30", "Quý II/2026"),
    ("Văn phòng UBND tỉnh", "phoi_hop", "2026-06-30", "Quý II/2026"),
    ("Sở Nội vụ", "chu_tri", "2026-09-30", "30/9/2026"),
]


def _docx_rows() -> str:  # what ingest.readers.docx/html write: a row per line, cells joined by " | "
    return "\n".join(" | ".join(r) for r in [HEADER, *ROWS])


def _markdown() -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in ROWS])


def _cell_per_line() -> str:  # text copied out of a PDF: one cell per line, blank lines between
    return "\n\n".join(c for r in [HEADER, *ROWS] for c in r)


@pytest.mark.parametrize("layout", [_docx_rows, _markdown, _cell_per_line], ids=["docx", "markdown", "cells"])
def test_every_layout_gives_the_same_assignments(layout) -> None:  # type: ignore[no-untyped-def]
    f = ingest_text(HEAD + layout() + "\n", "t", "t.txt")
    (doc,) = f.documents
    got = [(a.agency, a.role, a.deadline, a.deadline_text) for a in extract_assignments(doc, f.chunks)]
    assert sorted(got) == sorted(EXPECTED)  # the monitoring column ("Theo dõi") assigns nothing
    first = next(a for a in extract_assignments(doc, f.chunks) if a.agency == "Thanh tra tỉnh")
    assert first.task.startswith("1") and "Tổ chức thanh tra việc quản lý" in first.task
    assert doc.text.text[first.start : first.end] == first.task  # the row's span is the citation
    # Each row is a chunk of its own, so it is searchable.
    rows = [c for c in f.chunks if c.start == first.start]
    assert len(rows) == 1 and rows[0].end == first.end


def test_header_and_rows() -> None:
    text = _cell_per_line()
    (table,) = find_tables(text)
    assert table.columns == ("stt", "task", "product", "time", "lead", "partner", "monitor")
    assert [r.number for r in table.rows] == ["1", "2"]
    assert table.rows[0].cells["lead"].text == "Thanh tra tỉnh"


def test_an_empty_cell_leaves_the_others_in_their_columns() -> None:
    # No product and no partner: "Quý II/2026" is still the time, "Sở Tài chính" the lead.
    text = "\n\n".join(["TT", "Nội dung", "Sản phẩm", "Thời gian", "Cơ quan chủ trì", "Cơ quan phối hợp",  # noqa: FLY002
                        "1", "Bố trí kinh phí thực hiện kế hoạch", "Quý II/2026", "Sở Tài chính"])
    (table,) = find_tables(text)
    assert {k: c.text for k, c in table.rows[0].cells.items()} == {
        "task": "Bố trí kinh phí thực hiện kế hoạch", "time": "Quý II/2026", "lead": "Sở Tài chính"}


@pytest.mark.parametrize(("cell", "kind"), [
    ("Cơ quan chủ trì", "lead"), ("Đơn vị phối hợp", "partner"), ("Thời gian hoàn thành", "time"),
    ("Sản phẩm dự kiến", "product"), ("Nội dung công việc", "task"), ("Theo dõi", "monitor"), ("STT", "stt"),
    ("Sở Tài chính", None),
])
def test_column_titles(cell: str, kind: str | None) -> None:
    assert column_kind(cell) == kind


@pytest.mark.parametrize(("cell", "iso"), [
    ("Quý II/2026", "2026-06-30"), ("30/11/2025", "2025-11-30"), ("Trước ngày 30/11/2025", "2025-11-30"),
    ("Tháng 12/2025", "2025-12-31"), ("Năm 2026", "2026-12-31"), ("Thường xuyên", None), ("2026 - 2030", None),
])
def test_deadline_from_the_time_column(cell: str, iso: str | None) -> None:
    assert cell_deadline(cell, 2025) == iso
