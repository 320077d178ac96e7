"""Issue 13's reproduction: a .docx plan whose annex table assigns the work, asked about."""

from __future__ import annotations

from pathlib import Path

import docx

from answer.answers import AgencyAnswer, ask
from index.embedders.base import get_embedder
from index.index import Index
from index.writer import write
from ingest.pipeline import ingest_file


def _plan(path: Path) -> Path:
    d = docx.Document()
    for line in ["ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", "Số: 15/KH-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Lâm Đồng, ngày 05 tháng 01 năm 2026", "KẾ HOẠCH", "Công tác thanh tra năm 2026",
                 "1. Báo và Phát thanh, Truyền hình Lâm Đồng tuyên truyền kết quả công tác thanh tra trên các nền tảng.",
                 "PHỤ LỤC PHÂN CÔNG NHIỆM VỤ"]:
        d.add_paragraph(line)
    rows = [["STT", "Nhiệm vụ", "Sản phẩm", "Thời gian hoàn thành", "Chủ trì", "Phối hợp", "Theo dõi"],
            ["1", "Tổ chức thanh tra việc quản lý, sử dụng đất đai", "Kết luận thanh tra", "Quý II/2026",
             "Thanh tra tỉnh", "Sở Nội vụ; Văn phòng UBND tỉnh", "Lãnh đạo UBND tỉnh"]]
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.save(path)
    return path


def test_an_annex_table_answers_agency_questions(tmp_path: Path) -> None:
    root = tmp_path / "index"
    write(root, [ingest_file(_plan(tmp_path / "ke-hoach.docx"))], get_embedder("hash"))
    index = Index(root).load()
    a = ask(index, "Thanh tra tỉnh được giao nhiệm vụ gì")
    assert isinstance(a, AgencyAnswer)
    assert [(t.role, t.deadline, t.deadline_text) for t in a.tasks] == [("chu_tri", "2026-06-30", "Quý II/2026")]
    assert "Tổ chức thanh tra việc quản lý, sử dụng đất đai" in a.tasks[0].text
    partner = ask(index, "so noi vu phai lam gi")
    assert isinstance(partner, AgencyAnswer)
    assert [t.role for t in partner.tasks] == ["phoi_hop"]
    b = ask(index, "Báo và Phát thanh, Truyền hình Lâm Đồng phải làm gì")
    assert isinstance(b, AgencyAnswer)
    assert [t.text[:40] for t in b.tasks] == ["Báo và Phát thanh, Truyền hình Lâm Đồng "]
    unknown = ask(index, "Trung tâm Phát triển quỹ đất phải làm gì")
    assert isinstance(unknown, AgencyAnswer) and not unknown.known and not unknown.tasks
