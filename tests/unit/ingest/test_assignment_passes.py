"""Each way of assigning work, on short inputs: who is assigned, in what role, by when.

The documents are dated after 1 July 2025 (a header line gives the date), like the directives
officials have on their desks today.
"""

from __future__ import annotations

import pytest

from ingest.assignments import extract_assignments
from ingest.pipeline import ingest_text

HEAD = "UBND TỈNH LÂM ĐỒNG\nSố: 12/KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nLâm Đồng, ngày 05 tháng 01 năm 2026\n\n"


def tasks(body: str) -> list[tuple[str, str, str | None]]:
    f = ingest_text(HEAD + body, "t", "t.txt")
    (doc,) = f.documents
    return [(a.agency, a.role, a.deadline) for a in extract_assignments(doc, f.chunks)]


CASES = [
    # "X có trách nhiệm ..."
    ("Thanh tra tỉnh có trách nhiệm thanh tra việc quản lý đất đai trước ngày 30/6/2026.",
     [("Thanh tra tỉnh", "giao", "2026-06-30")]),
    # "Đề nghị X ...", "Yêu cầu X ..."
    ("Đề nghị Hội Nông dân tỉnh tuyên truyền, vận động hội viên tham gia sản xuất an toàn.",
     [("Hội Nông dân tỉnh", "giao", None)]),
    ("Yêu cầu Trung tâm Phát triển quỹ đất tỉnh hoàn thành bồi thường trong quý II/2026.",
     [("Trung tâm Phát triển quỹ đất tỉnh", "giao", "2026-06-30")]),
    ("Khuyến khích Liên đoàn Lao động tỉnh, Hội Nông dân tỉnh tham gia mạng lưới hỗ trợ chuyển đổi số.",
     [("Hội Nông dân tỉnh", "giao", None), ("Liên đoàn Lao động tỉnh", "giao", None)]),
    # "X tham mưu ..."
    ("Sở Nội vụ tham mưu UBND tỉnh sắp xếp các đơn vị sự nghiệp công lập.",
     [("Sở Nội vụ", "giao", None)]),
    # "X chủ trì, phối hợp với Y": Y cooperates.
    ("Ban Quản lý dự án đầu tư xây dựng số 1 chủ trì, phối hợp với Sở Tài chính lập dự toán công trình.",
     [("Ban Quản lý dự án đầu tư xây dựng số 1", "chu_tri", None), ("Sở Tài chính", "phoi_hop", None)]),
    # Tasks addressed to the head of X.
    ("Giám đốc Sở Xây dựng chỉ đạo kiểm tra chất lượng công trình giao thông.",
     [("Sở Xây dựng", "giao", None)]),
    # "X được giao ..."
    ("Trung tâm Phục vụ hành chính công tỉnh được giao quản lý tài khoản của hệ thống.",
     [("Trung tâm Phục vụ hành chính công tỉnh", "giao", None)]),
    # Local governments named as partners cooperate; groups of departments assign no one.
    ("Sở Xây dựng chủ trì, phối hợp với các sở, ngành và Ủy ban nhân dân các xã, phường lập phương án cấp nước.",
     [("Sở Xây dựng", "chu_tri", None), ("UBND các xã, phường, đặc khu", "phoi_hop", None)]),
    # The lower tier after 1 July 2025, written as a whole.
    ("UBND các xã, phường, đặc khu rà soát, thống kê tài sản công trên địa bàn.",
     [("UBND các xã, phường, đặc khu", "collective", None)]),
    # A line of its own naming the addressees owns the paragraph after it.
    (("Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh\n\n"
     "Thực hiện tốt chức năng thực hành quyền công tố, xét xử các vụ án về ma túy."),
     [("Tòa án nhân dân tỉnh", "giao", None), ("Viện kiểm sát nhân dân tỉnh", "giao", None)]),
    # A heading that only describes its addressees owns its bullets.
    (("7. Các doanh nghiệp hoạt động trong lĩnh vực xây dựng, vận tải trên địa bàn tỉnh\n"
     "- Chủ động phối hợp triển khai các giải pháp số phục vụ quản lý hạ tầng giao thông."),
     [("Các doanh nghiệp hoạt động", "phoi_hop", None)]),
    # "Trách nhiệm của X" as a heading.
    (("Điều 30. Trách nhiệm của Cổng thông tin điện tử tỉnh\n"
     "1. Bảo đảm hạ tầng kỹ thuật, an toàn thông tin cho hệ thống thư điện tử công vụ."),
     [("Cổng thông tin điện tử tỉnh", "giao", None)]),
    # Labelled fields after a task, like a table row.
    (("- Tổ chức tập huấn kỹ năng xây dựng pháp luật cho cán bộ, công chức.\n"
     "Đơn vị chủ trì: Sở Tư pháp.\nĐơn vị phối hợp: Sở Nội vụ; các cơ quan liên quan.\n"
     "Thời gian thực hiện: Quý III/2026."),
     [("Sở Tư pháp", "chu_tri", "2026-09-30"), ("Sở Nội vụ", "phoi_hop", "2026-09-30")]),
    # The fields as bullets in their own sub-item, after the task items (a Hà Nội plan, 2025).
    (("3. Về đảm bảo an toàn thông tin\na) Nhiệm vụ:\n"
      "- Triển khai các phương án bảo đảm an toàn thông tin, an ninh mạng cho các cơ sở dữ liệu.\n"
      "- Phối hợp với Bộ Công an trong việc bảo đảm an toàn thông tin, an ninh mạng.\n"
      "b) Cơ quan thực hiện:\n- Đơn vị chủ trì: Công an tỉnh.\n- Đơn vị phối hợp: Sở Khoa học và Công nghệ.\n"
      "c) Thời gian thực hiện: Quý IV/2026."),
     [("Công an tỉnh", "chu_tri", "2026-12-31"), ("Sở Khoa học và Công nghệ", "phoi_hop", "2026-12-31")]),
    # The card of an administrative procedure names who handles it; it assigns no task.
    (("2.6. Địa điểm tiếp nhận hồ sơ: Trung tâm Phục vụ hành chính công tỉnh.\n"
      "2.7. Cơ quan thực hiện: Sở Y tế Cơ quan có thẩm quyền quyết định: Sở Y tế Cơ quan phối hợp: Không"),
     []),
    # A reply that reports rather than assigns.
    ("Sở Y tế đã tổ chức tiêm chủng cho trẻ em trên địa bàn tỉnh trong năm 2025.", []),
    # "Chỉ đạo X ...": the agency the owner directs carries the task out (a Nghệ An regulation, 2025).
    (("3. Văn phòng UBND tỉnh\n"
      "d) Chỉ đạo Cổng thông tin điện tử Nghệ An thực hiện quản lý, vận hành hệ thống Thư điện tử công vụ hoạt động ổn định."),
     [("Văn phòng UBND tỉnh", "giao", None), ("Cổng thông tin điện tử", "giao", None)]),
    # Not a portfolio: whom a leader oversees is not given a task.
    ("Phó Chủ tịch UBND tỉnh theo dõi và chỉ đạo Sở Tư pháp, Thanh tra tỉnh, Sở Nội vụ.", []),
    # A line ending in a colon that opens as an order is a task of the owner above it, whoever
    # it directs and whoever cooperates (a Cần Thơ plan, 2025).
    (("3. Ngân hàng Nhà nước chi nhánh khu vực 14\n"
      "a) Chỉ đạo các Ngân hàng thương mại trên địa bàn chủ động phối hợp với Sở Y tế triển khai thực hiện tốt "
      "Kế hoạch liên quan đến việc mở tài khoản, cụ thể như sau:\n"
      "- Hướng dẫn người hưởng trợ cấp mở tài khoản thanh toán."),
     [("Ngân hàng Nhà nước chi nhánh tỉnh", "giao", None), ("Ngân hàng thương mại", "giao", None),
      ("Sở Y tế", "phoi_hop", None), ("Ngân hàng Nhà nước chi nhánh tỉnh", "giao", None)]),
    # A colon line that only states a role introduces the tasks; it is none itself.
    (("5. Sở Khoa học và Công nghệ\n\n"
      "Chủ trì, phối hợp với các sở, ngành, UBND các xã, phường và các cơ quan, đơn vị có liên quan:\n\n"
      "- Xây dựng nền tảng số dùng chung của tỉnh."),
     [("Sở Khoa học và Công nghệ", "chu_tri", None)]),
]


@pytest.mark.parametrize(("body", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_assigning_patterns(body: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert sorted(tasks(body)) == sorted(expected)
