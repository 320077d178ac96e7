"""Agency questions for any organisation (search.agency_question): who, where, on what topic."""

from __future__ import annotations

import pytest

from ingest.organisations import COMMUNES
from search.agency_question import AgencyQuestion, closest, match, on_topic, parse

DATE = "2026-01-05"

CASES = [
    ("Trung tâm Phát triển quỹ đất tỉnh phải làm gì?",
     AgencyQuestion("Trung tâm Phát triển quỹ đất tỉnh", ("Trung tâm Phát triển quỹ đất tỉnh",), None, None)),
    ("Ban Quản lý dự án đầu tư xây dựng số 1 được giao gì",
     AgencyQuestion("Ban Quản lý dự án đầu tư xây dựng số 1", ("Ban Quản lý dự án đầu tư xây dựng số 1",), None, None)),
    ("Công an tỉnh Ninh Bình có trách nhiệm gì đối với hệ thống thông tin",
     AgencyQuestion("Công an tỉnh Ninh Bình", ("Công an tỉnh",), "Ninh Bình", "he thong thong tin")),
    ("Thuế tỉnh Đắk Lắk chịu trách nhiệm gì",
     AgencyQuestion("Thuế tỉnh Đắk Lắk", ("Thuế tỉnh",), "Đắk Lắk", None)),
    ("Nhiệm vụ của Sở Dân tộc và Tôn giáo tỉnh Thái Nguyên là gì?",
     AgencyQuestion("Sở Dân tộc và Tôn giáo tỉnh Thái Nguyên", ("Sở Dân tộc và Tôn giáo",), "Thái Nguyên", None)),
    ("Ủy ban nhân dân các xã, phường ở Cần Thơ phải làm gì để bảo vệ nước dưới đất?",
     AgencyQuestion("Ủy ban nhân dân các xã, phường ở Cần Thơ", (COMMUNES,), "Cần Thơ", "nuoc duoi dat")),
    ("Sở Y tế chủ trì việc gì về cải cách hành chính",
     AgencyQuestion("Sở Y tế", ("Sở Y tế",), None, "cai cach hanh chinh")),
    ("nhiem vu cua so y te la gi", AgencyQuestion("so y te", ("Sở Y tế",), None, None)),
    ("ban quan ly cac khu che xuat va cong nghiep phai lam gi",
     AgencyQuestion("ban quan ly cac khu che xuat va cong nghiep", ("Ban quan ly cac khu che xuat va cong nghiep",),
                    None, None)),
    ("Sở Công Thương", AgencyQuestion("Sở Công Thương", ("Sở Công Thương",), None, None)),
]


@pytest.mark.parametrize(("question", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_parse(question: str, expected: AgencyQuestion) -> None:
    assert parse(question, DATE) == expected


@pytest.mark.parametrize("question", [
    "Khi nào Sở Y tế phải hoàn thành tiêm vắc-xin?",
    "Bao nhiêu xã của Đồng Nai đạt chuẩn nông thôn mới nâng cao?",
    "Giải ngân vốn đầu tư công",
    "Sở Văn hóa, Thể thao và Du lịch phải báo cáo kết quả trong thời gian nào?",
    "UBND các xã, phường phải báo cáo bao nhiêu lần mỗi ngày?",
    # A statement to judge (ALQAC's legal questions): whether it holds, not a list of tasks.
    "Viện kiểm sát nhân dân có trách nhiệm bồi dưỡng kỹ năng giải quyết tranh chấp cho trọng tài viên, đúng hay sai?",
    "Doanh nghiệp phải ưu tiên tuyển dụng thanh niên là người dân tộc thiểu số, đúng không?",
])
def test_factual_questions_are_not_agency_questions(question: str) -> None:
    assert parse(question, DATE) is None


SEEN = {"Ban Quản lý các khu chế xuất và công nghiệp": 3, "Công an tỉnh": 9, "Các doanh nghiệp hoạt động": 3,
        "doanh nghiệp": 4, "UBND xã Gia Thuận": 2, "UBND xã Tân Điền": 2, COMMUNES: 20, "Sở Y tế": 12}


@pytest.mark.parametrize(("question", "names"), [
    ("ban quan ly cac khu che xuat va cong nghiep phai lam gi", ("Ban Quản lý các khu chế xuất và công nghiệp",)),
    ("Công an tỉnh Đồng Tháp phải làm gì", ("Công an tỉnh",)),
    # Named communes are shown under the collective question too.
    ("UBND các xã, phường phải làm gì", (COMMUNES, "UBND xã Gia Thuận", "UBND xã Tân Điền")),
    ("Ủy ban nhân dân các xã Gia Thuận, Tân Điền được giao gì", ("UBND xã Gia Thuận", "UBND xã Tân Điền")),
    # An open description ("Các doanh nghiệp vận tải", a name the index has not seen) matches
    # by its generic head noun, the nearest name first.
    ("Các doanh nghiệp vận tải, logistics ở Đồng Tháp được yêu cầu làm gì",
     ("Các doanh nghiệp hoạt động", "doanh nghiệp")),
    ("Trung tâm Phát triển quỹ đất phải làm gì", ()),
])
def test_match_against_the_organisations_the_index_has_seen(question: str, names: tuple[str, ...]) -> None:
    q = parse(question, DATE)
    assert q is not None
    assert match(q, SEEN) == names


def test_closest_known_organisations_for_an_unknown_one() -> None:
    assert closest("Ban Quản lý khu công nghệ cao", SEEN, 1) == ("Ban Quản lý các khu chế xuất và công nghiệp",)


def test_topic_qualifier() -> None:
    assert on_topic("về cải cách hành chính", "Kế hoạch cải cách hành chính năm 2026 của tỉnh")
    assert not on_topic("về cải cách hành chính", "Kế hoạch phòng, chống ma túy năm 2026")
