from __future__ import annotations

from ingest.clean import clean
from tests.conftest import seed_path


def _clean(prefix: str):
    return clean(seed_path(prefix).read_text(encoding="utf-8"))


def test_portal_chrome_removed_from_seed_002() -> None:
    text = _clean("002").text
    for chrome in ("Ngày đăng", "Mặc định Cỡ chữ", "Thứ 5, Ngày 21/10/2021", "xem tại đây"):
        assert chrome not in text
    assert text.startswith("Phấn đấu hoàn thành cao nhất các mục tiêu kế hoạch phát triển KT-XH, QP-AN trong năm 2021\n")
    assert "Ngày 12/10/2021, UBND tỉnh ban hành Thông báo số 280/TB-UBND" in text


def test_portal_chrome_removed_from_seed_003() -> None:
    text = _clean("003").text
    for chrome in ("Bấm vào đây", "Thống kê truy cập", "Đang truy cập", "Thăm dò ý kiến", "700 0", "Tác giả bài viết"):
        assert chrome not in text
    assert text.endswith("trong giai đoạn dịch bệnh Covid-19 chưa được kiểm soát hoàn toàn.")


def test_hard_wraps_joined_and_emphasis_removed() -> None:
    c001 = _clean("001").text
    assert "6 tháng cuối năm 2021 đã được xác định" in c001  # a PDF page break mid-sentence
    assert "Thực hiện nghiêm túc công tác tham mưu" in c001
    c003 = _clean("003").text
    assert "Chuẩn bị, thực hiện tốt công tác tổng kết năm 2021" in c003
    c004 = _clean("004").text
    assert "**" not in c004
    assert c004.startswith("ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI\n")
    assert "trước ngày 15/8/2020." in c004


def test_map_back_to_original_highlights_the_same_words() -> None:
    c = _clean("004")
    for phrase in ("Sở Y tế", "trước ngày 15/8/2020", "Số: 8888 /UBND-THNC", "TỈNH ĐỒNG NAI"):
        start = c.text.index(phrase)
        a, b = c.to_original(start, start + len(phrase))
        assert c.original[a:b] == phrase
    # A span across a joined hard wrap maps to the original with its line break.
    c1 = _clean("001")
    start = c1.text.index("6 tháng cuối năm 2021 đã")
    a, b = c1.to_original(start, start + len("6 tháng cuối năm"))
    assert c1.original[a:b] == "6 tháng\n\ncuối năm"


def test_tone_marks_canonical_in_text_original_kept() -> None:
    c = clean("Sở Nông nghiệp hoà giải, uỷ quyền")
    assert c.text == "Sở Nông nghiệp hòa giải, ủy quyền"
    assert c.original == "Sở Nông nghiệp hoà giải, uỷ quyền"
