"""Instruction units of a directive: the operative text, one measure each; never the header,
legal bases, enactment formula, recipients or signature."""

from __future__ import annotations

from pathlib import Path

from ingest.instructions import instruction_units
from ingest.pipeline import ingest_file

DECISION = """ỦY BAN NHÂN DÂN
TỈNH GIA LAI

Số: 44/2025/QĐ-UBND

Gia Lai, ngày 20 tháng 11 năm 2025

QUYẾT ĐỊNH
Phân cấp thẩm quyền quyết định trong quản lý, sử dụng tài sản công

Căn cứ Luật Tổ chức chính quyền địa phương số
72/2025/QH15;

Theo đề nghị của Sở Tài chính tại Tờ trình số 421/TTr-STC ngày 29/10/2025;

Chủ tịch Ủy ban nhân dân ban hành Quyết định phân cấp thẩm quyền quyết định trong quản lý, sử dụng tài sản công.

Điều 1. Phạm vi điều chỉnh

1. Sở Tài chính quyết định điều chuyển tài sản công có nguyên giá theo sổ kế toán
từ 01 tỷ đồng trở lên.
a) Ủy ban nhân dân cấp xã quyết định giao tài sản bằng hiện vật (trừ xe ô tô); báo cáo Sở Tài chính trước ngày 15/12/2025.

Điều 2. Tổ chức thực hiện

Sở Tài chính chủ trì phổ biến, triển khai quyết định này đến các cơ quan, tổ chức, đơn vị có liên quan.

Điều 3. Hiệu lực thi hành

Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 12 năm 2025.

Điều 4. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Tài chính và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này./.

Nơi nhận:
- Như Điều 2;
- Bộ Tài chính;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn A

PHỤ LỤC
(Kèm theo Quyết định số 44/2025/QĐ-UBND ngày 20/11/2025)

- Nghị định số 186/2025/NĐ-CP ngày 01/7/2025 của Chính phủ quy định chi tiết.
- Quyết định số 12/2024/QĐ-UBND ngày 02/5/2024 hết hiệu lực kể từ ngày Quyết định này có hiệu lực.
"""


def test_a_decision_keeps_its_articles_and_annex_and_nothing_else() -> None:
    # Not its header, bases, enactment formula, entry into force, execution clause, recipients, signature.
    assert [u.text for u in instruction_units(DECISION)] == [
        "1. Sở Tài chính quyết định điều chuyển tài sản công có nguyên giá theo sổ kế toán từ 01 tỷ đồng trở lên.",
        ("a) Ủy ban nhân dân cấp xã quyết định giao tài sản bằng hiện vật (trừ xe ô tô); báo cáo Sở Tài chính "
        "trước ngày 15/12/2025."),
        "Sở Tài chính chủ trì phổ biến, triển khai quyết định này đến các cơ quan, tổ chức, đơn vị có liên quan.",
        "- Quyết định số 12/2024/QĐ-UBND ngày 02/5/2024 hết hiệu lực kể từ ngày Quyết định này có hiệu lực.",
    ]


def test_units_are_spans_of_the_text() -> None:
    for u in instruction_units(DECISION):
        assert " ".join(DECISION[u.start:u.end].split()) == u.text


def test_a_letter_drops_its_opening_basis_but_keeps_a_numbered_one() -> None:
    letter = ("V/v triển khai nhiệm vụ\n\nThực hiện Công văn số 12/BTC ngày 01/02/2025 của Bộ Tài chính, UBND tỉnh yêu cầu:\n"
              "1. Thực hiện Quyết định số 2304/QĐ-BNNMT, cơ quan Thuế không ban hành văn bản xác nhận việc hoàn thành "
              "nghĩa vụ tài chính.\n"
              "2. Sở Nội vụ tổng hợp, báo cáo UBND tỉnh trước ngày 30/6/2025.\n")
    assert [u.text for u in instruction_units(letter, "triển khai nhiệm vụ")] == [
        ("1. Thực hiện Quyết định số 2304/QĐ-BNNMT, cơ quan Thuế không ban hành văn bản xác nhận việc hoàn thành "
        "nghĩa vụ tài chính."),
        "2. Sở Nội vụ tổng hợp, báo cáo UBND tỉnh trước ngày 30/6/2025.",
    ]


def test_a_long_paragraph_is_cut_at_sentences_not_at_semicolons() -> None:
    cases = "; ".join(f"trường hợp thứ {n} được xử lý theo quy định của pháp luật hiện hành" for n in range(6))
    text = f"Điều 1. Quy định chung\n\nCác cơ quan thực hiện như sau: {cases}. Sở Tài chính theo dõi, tổng hợp kết quả thực hiện."
    got = [u.text for u in instruction_units(text)]
    assert got == [f"Các cơ quan thực hiện như sau: {cases}.", "Sở Tài chính theo dõi, tổng hợp kết quả thực hiện."]


def test_a_seed_letter(seeds_root: Path) -> None:
    (path,) = (Path(__file__).resolve().parents[3] / "sample" / "seeds").glob("003_*.txt")
    doc = ingest_file(path).documents[0]
    units = instruction_units(doc.text.text, doc.meta.subject)
    assert len(units) == 11
    assert units[0].text.startswith("- Các Sở, Ban, ngành, UBND các huyện, thành phố, thị xã căn cứ chức năng")
    assert units[-1].text.startswith("- Giao Sở Giáo dục và Đào tạo chủ trì, phối hợp với Sở Lao động")
    assert not any(u.text.startswith("Thực hiện Nghị quyết số 138/NQ-CP") for u in units)  # the opening basis


def test_compare_dev_procedure_annex(shared: Path) -> None:
    doc = ingest_file(shared / "eval" / "compare_dev" / "corpus" / "c07_0a147e.md").documents[0]
    texts = [u.text for u in instruction_units(doc.text.text, doc.meta.subject)]
    assert "Trong thời hạn 02 ngày làm việc (cắt giảm 01/03 ngày làm việc, tỷ lệ 33,33%) kể từ ngày nhận đủ hồ sơ hợp lệ." in texts
    assert texts[:2] == [  # the header, legal bases and enactment formula before "Điều 1" are not units
        "Điều 1. Công bố, phê duyệt kèm theo Quyết định này:",
        ("1. Công bố Danh mục thủ tục hành chính mới ban hành lĩnh vực Báo chí, xuất bản thuộc thẩm quyền "
        "giải quyết của Sở Văn hóa, Thể thao và Du lịch tỉnh Cà Mau (kèm theo Danh mục).")]
    assert not any(t.startswith(("Căn cứ", "- Như Điều", "- Lưu", "KT.")) for t in texts)
