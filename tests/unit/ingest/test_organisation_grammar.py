"""The grammar of Vietnamese administrative names (ingest.organisations), one line at a time."""

from __future__ import annotations

import pytest

from ingest.organisations import COMMUNES, DISTRICTS, finder, org_key

# (line, date of the document, [(spelling as found, canonical organisation)])
CASES = [
    ("Công an tỉnh Ninh Bình có trách nhiệm bảo đảm kết nối", "2025-11-25",
     [("Công an tỉnh", "Công an tỉnh")]),
    ("Giao Ban Quản lý các khu chế xuất và công nghiệp Cần Thơ chỉ đạo", "2025-11-18",
     [("Ban Quản lý các khu chế xuất và công nghiệp Cần Thơ", "Ban Quản lý các khu chế xuất và công nghiệp")]),
    ("Báo và Phát thanh, Truyền hình Đồng Nai chủ động phối hợp với Sở Khoa học và Công nghệ", "2025-11-18",
     [("Báo và Phát thanh, Truyền hình Đồng Nai", "Báo và Phát thanh, Truyền hình"),
      ("Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ")]),
    ("Trung tâm Phát triển quỹ đất tỉnh chủ trì thực hiện", "2026-01-05",
     [("Trung tâm Phát triển quỹ đất tỉnh", "Trung tâm Phát triển quỹ đất tỉnh")]),
    ("7. Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "2025-11-20",
     [("Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch")]),
    ("Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II chủ trì hướng dẫn", "2025-11-20",
     [("Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II", "Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II")]),
    ("Thuế tỉnh Đắk Lắk có ý kiến thẩm định", "2025-11-20", [("Thuế tỉnh Đắk Lắk", "Thuế tỉnh")]),
    ("Viện kiểm sát nhân dân tỉnh phối hợp", "2025-11-20",
     [("Viện kiểm sát nhân dân tỉnh", "Viện kiểm sát nhân dân tỉnh")]),
    ("Bộ CHQS tỉnh; UBND cấp xã", "2025-11-18",
     [("Bộ CHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh"), ("UBND cấp xã", COMMUNES)]),
    ("Văn phòng Ban Chỉ huy và cơ quan, địa phương liên quan", "2025-11-18",
     [("Văn phòng Ban Chỉ huy", "Văn phòng Ban Chỉ huy")]),
    ("Các đơn vị cấp nước sạch trên địa bàn thành phố có trách nhiệm", "2025-11-18",
     [("Các đơn vị cấp nước sạch", "Các đơn vị cấp nước sạch")]),
    ("Giám đốc Sở Y tế chỉ đạo các bệnh viện", "2025-11-18", [("Sở Y tế", "Sở Y tế")]),
    ("Báo cáo kết quả về Sở Tài chính và Sở Nội vụ trước ngày 15/12", "2025-11-18",
     [("Sở Tài chính", "Sở Tài chính"), ("Sở Nội vụ", "Sở Nội vụ")]),
    ("Đề nghị Liên minh Hợp tác xã tỉnh, Đoàn TNCS Hồ Chí Minh tỉnh, Hội nông dân tỉnh", "2025-11-18",
     [("Liên minh Hợp tác xã tỉnh", "Liên minh Hợp tác xã tỉnh"),
      ("Đoàn TNCS Hồ Chí Minh tỉnh", "Đoàn TNCS Hồ Chí Minh tỉnh"), ("Hội nông dân tỉnh", "Hội nông dân tỉnh")]),
    # A plural head over a list of names.
    ("3. Các Sở: Xây dựng, Tài chính, Công Thương:", "2025-11-18",
     [("Các Sở: Xây dựng", "Sở Xây dựng"), ("Tài chính", "Sở Tài chính"), ("Công Thương", "Sở Công Thương")]),
    # Words that only look like heads: "Ban hành", "Hội nghị", "Báo cáo"; folded look-alikes
    # (Số/Sở, Đại/Đài, Thuê/Thuế, Quy/Quỹ); a title in capitals; a tax, not a tax office.
    ("Ban hành kế hoạch tổ chức Hội nghị tổng kết", "2025-11-18", []),
    ("Đại lý thu Thuê nhà ở thương mại theo Quy trình Số 1", "2025-11-18", []),
    ("QUY TRÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "2025-11-18", []),
    ("Thuế giá trị gia tăng được khấu trừ", "2025-11-18", []),
    # Two-syllable nouns whose syllables alone would end a name ("thông", "bảo", "vệ" = "về").
    ("Chủ trì, chỉ đạo các doanh nghiệp viễn thông, doanh nghiệp công nghệ thông tin nghiên cứu", "2025-11-18",
     [("các doanh nghiệp viễn thông", "Các doanh nghiệp viễn thông"),
      ("doanh nghiệp công nghệ thông tin", "Doanh nghiệp công nghệ thông tin")]),
    ("Bộ Nông nghiệp và Môi trường chỉ đạo Cục Bảo vệ thực vật kiểm soát chặt chẽ", "2025-11-18",
     [("Bộ Nông nghiệp và Môi trường", "Bộ Nông nghiệp và Môi trường"), ("Cục Bảo vệ thực vật", "Cục Bảo vệ thực vật")]),
    ("Chỉ đạo các doanh nghiệp kinh doanh bảo hiểm khẩn trương rà soát", "2025-11-18",
     [("các doanh nghiệp kinh doanh bảo hiểm", "Các doanh nghiệp kinh doanh bảo hiểm")]),
    # ... but the verb "bảo vệ" in lower case ends the name; "Cơ quan" after a comma opens a list item.
    ("Các chủ rừng bảo vệ rừng, phòng cháy, chữa cháy rừng", "2025-11-18", [("Các chủ rừng", "Các chủ rừng")]),
    ("Cục trưởng Cục Trồng trọt và Bảo vệ thực vật, Cơ quan, Thủ trưởng các Vụ", "2025-11-18",
     [("Cục Trồng trọt và Bảo vệ thực vật", "Cục Trồng trọt và Bảo vệ thực vật")]),
    # Abbreviations the table normalises.
    ("Sở NN&MT; BCH Quân sự tỉnh", "2025-11-18",
     [("Sở NN&MT", "Sở Nông nghiệp và Môi trường"), ("BCH Quân sự tỉnh", "Bộ Chỉ huy Quân sự tỉnh")]),
]


@pytest.mark.parametrize(("line", "date", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_organisations_in_one_line(line: str, date: str, expected: list[tuple[str, str]]) -> None:
    got = [(line[m.start : m.end], m.name) for m in finder(date).find(line)]
    assert got == expected


def test_a_declared_alias_names_the_organisation_from_then_on() -> None:
    line = ("Ban Quản lý dự án đầu tư xây dựng số 1 (sau đây gọi tắt là Ban QLDA số 1) chủ trì. "
            "Ban QLDA số 1 báo cáo kết quả.")
    got = [(line[m.start : m.end], m.name) for m in finder("2026-01-05").find(line)]
    assert got == [("Ban Quản lý dự án đầu tư xây dựng số 1", "Ban Quản lý dự án đầu tư xây dựng số 1"),
                   ("Ban QLDA số 1", "Ban Quản lý dự án đầu tư xây dựng số 1")]


def test_named_communes_are_one_organisation_each() -> None:
    line = "12. Ủy ban nhân dân các xã: Gia Thuận, Tân Điền, Gò Công Đông, Tân Phú Đông"
    assert [m.name for m in finder("2025-11-20").find(line)] == [
        "UBND xã Gia Thuận", "UBND xã Tân Điền", "UBND xã Gò Công Đông", "UBND xã Tân Phú Đông"]


def test_communes_counted_before_their_names() -> None:
    line = "phối hợp với Ủy ban nhân dân 04 xã: Gia Thuận, Tân Điền, Gò Công Đông, Tân Phú Đông"
    assert [m.name for m in finder("2025-11-20").find(line)] == [
        "UBND xã Gia Thuận", "UBND xã Tân Điền", "UBND xã Gò Công Đông", "UBND xã Tân Phú Đông"]


@pytest.mark.parametrize(("line", "date", "expected"), [
    # From 1 July 2025 a province has communes directly under it; "các xã" never means districts.
    ("Ủy ban nhân dân các xã, phường chịu trách nhiệm", "2025-11-20", COMMUNES),
    ("UBND các xã, phường, đặc khu tổ chức kiểm kê", "2025-11-20", COMMUNES),
    ("Ủy ban nhân dân các xã, phường chịu trách nhiệm", "2021-05-14", COMMUNES),
    ("UBND các huyện, thành phố triển khai", "2021-05-14", DISTRICTS),
    ("các địa phương triển khai", "2026-01-05", COMMUNES),
    ("các địa phương triển khai", "2021-05-14", DISTRICTS),
])
def test_local_government_follows_the_document_date(line: str, date: str, expected: str) -> None:
    assert [m.name for m in finder(date).find(line)] == [expected]


@pytest.mark.parametrize(("name", "key"), [
    ("Công an tỉnh Ninh Bình", "cong an"),
    ("Báo và Phát thanh, Truyền hình Đồng Nai", "bao va phat thanh truyen hinh"),
    ("Các đơn vị cấp nước sạch", "don vi cap nuoc sach"),
    ("Sở Y tế thành phố Cần Thơ", "so y te"),
])
def test_org_key_drops_place_and_plural(name: str, key: str) -> None:
    assert org_key(name) == key
