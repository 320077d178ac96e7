"""A document's opening passage: its number, date, kind and subject head the paragraph after them
(ingest.chunk: an upper-case title never ends a chunk)."""

from __future__ import annotations

from pathlib import Path

from ingest.chunk import chunk_document
from ingest.pipeline import ingest_file

# The head of Chỉ thị 09/CT-UBND of Cần Thơ (18/11/2025), as the cleaner leaves it.
HEAD = (
    "Số: 09/CT-UBND\n\nCần Thơ, ngày 18 tháng 11 năm 2025\n\nCHỈ THỊ\n\n"
    "VỀ TĂNG CƯỜNG CÔNG TÁC QUẢN LÝ, BẢO VỆ TÀI NGUYÊN NƯỚC DƯỚI ĐẤT TRÊN ĐỊA BÀN THÀNH PHỐ CẦN THƠ\n\n"
    "Nước là nguồn tài nguyên có vai trò đặc biệt quan trọng trong phát triển kinh tế - xã hội cũng "
    "như đời sống sinh hoạt của con người.\n\n"
    "Thời gian qua, công tác quản lý nhà nước về tài nguyên nước, đặc biệt là quản lý nguồn nước "
    "dưới đất luôn được lãnh đạo đảng, chính quyền địa phương quan tâm chỉ đạo thực hiện."
)


def test_the_title_opens_the_first_paragraph() -> None:
    chunks = chunk_document("d", HEAD)
    assert [c.text[:14] for c in chunks] == ["Số: 09/CT-UBND", "Thời gian qua,"]
    assert chunks[0].text.endswith("đời sống sinh hoạt của con người.")


def test_a_sentence_case_paragraph_still_ends_a_chunk() -> None:
    text = HEAD.replace("CHỈ THỊ\n\nVỀ TĂNG CƯỜNG CÔNG TÁC QUẢN LÝ, BẢO VỆ TÀI NGUYÊN NƯỚC DƯỚI ĐẤT TRÊN ĐỊA BÀN "
                        "THÀNH PHỐ CẦN THƠ", "Chỉ thị về tăng cường công tác quản lý, bảo vệ tài nguyên nước "
                        "dưới đất trên địa bàn thành phố Cần Thơ")
    assert [c.text[:14] for c in chunk_document("d", text)] == ["Số: 09/CT-UBND", "Nước là nguồn ", "Thời gian qua,"]


def test_a_decision_opens_on_its_title_and_first_legal_basis(shared: Path) -> None:
    (path,) = (shared / "eval" / "dev2025" / "corpus").glob("ac0f18a2d1b4fb56*")
    opening = next(c for c in ingest_file(path).chunks if "74/2025/QĐ-UBND" in c.text)
    assert opening.text.split("\n\n")[-3:] == [
        "QUYẾT ĐỊNH",
        "BAN HÀNH QUY ĐỊNH VỀ QUẢN LÝ CHẤT THẢI RẮN SINH HOẠT TRÊN ĐỊA BÀN TỈNH",
        "Căn cứ Luật Tổ chức Chính quyền địa phương ngày 16/6/2025;",
    ]
