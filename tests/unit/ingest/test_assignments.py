"""Assignments read from the five seed directives: exact agencies, roles, deadlines, spans."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ingest.assignments import Assignment, extract_assignments
from ingest.pipeline import ingest_file
from ingest.vietnamese import fold
from tests.conftest import seed_path


@cache
def tasks(prefix: str, part: int = 0) -> tuple[Assignment, ...]:
    f = ingest_file(seed_path(prefix))
    return extract_assignments(f.documents[part], f.chunks)


def of(prefix: str, agency: str, part: int = 0) -> list[Assignment]:
    return [a for a in tasks(prefix, part) if a.agency == agency]


def test_named_task_with_role_iso_deadline_section_and_chunk() -> None:
    (a,) = [a for a in of("001", "Sở Nông nghiệp và Phát triển nông thôn") if "diện tích rừng" in a.task]
    assert a.role == "chu_tri"
    assert (a.deadline, a.deadline_text) == ("2021-08-30", "trước ngày 30 tháng 8 năm 2021")
    assert a.section_path[1] == "4. Sở Nông nghiệp và Phát triển nông thôn:"
    assert a.chunk_id == "001_b75f6995bec0e83d:I/4/-1"
    assert a.agency_text == "Sở Nông nghiệp và Phát triển nông thôn"


def test_heading_owns_its_bullets() -> None:
    # "7. Sở Y tế:" then three bullets that never name the agency.
    mine = of("001", "Sở Y tế")
    assert [a.section_path[-1][:30] for a in mine] == [
        "- Tiếp tục duy trì tình trạng ", "- Chủ trì, phối hợp với các đơ", "- Tăng cường kiểm tra việc thự"]
    assert [a.role for a in mine] == ["giao", "chu_tri", "giao"]
    assert all(a.section_path[1] == "7. Sở Y tế:" for a in mine)
    # "2. Giao Sở Kế hoạch và Đầu tư" (no colon) then bullets; the heading itself is no task.
    khdt = [a for a in of("004", "Sở Kế hoạch và Đầu tư") if a.section_path[0] == "2. Giao Sở Kế hoạch và Đầu tư"]
    assert [a.task[:40] for a in khdt] == [
        "Tiếp tục thực hiện đồng bộ các giải pháp",
        "Tập trung chỉ đạo bảo đảm việc cân đối c",
        "Chủ trì, phối hợp với Ban Quản lý dự án ",
    ]
    assert [a.role for a in khdt] == ["giao", "giao", "chu_tri"]


def test_subject_sentences_roles_and_partners() -> None:
    by_agency = {a.agency: a for a in tasks("000") if a.task.startswith("Liên minh Hợp tác xã tỉnh chủ trì")}
    assert {k: v.role for k, v in by_agency.items()} == {
        "Liên minh Hợp tác xã tỉnh": "chu_tri", "Sở Nông nghiệp và Phát triển nông thôn": "phoi_hop"}
    (yte,) = of("000", "Sở Y tế")
    assert yte.role == "chu_tri" and yte.task.startswith("UBND tỉnh giao Sở Y tế chủ trì")
    pair = {(a.agency, a.role) for a in tasks("000") if a.task.startswith("Công an tỉnh, UBND các huyện")}
    assert pair == {("Công an tỉnh", "giao"), ("UBND các huyện, thành phố", "collective")}


def test_collective_addressees_are_collective() -> None:
    (star,) = [a for a in tasks("004") if a.task.startswith("Yêu cầu các sở, ngành, địa phương")]
    assert (star.agency, star.role) == ("Các sở, ngành và địa phương", "collective")
    assert (star.deadline, star.deadline_text, star.reports_to) == ("2020-08-15", "trước ngày 15/8/2020", "Thường trực UBND tỉnh")
    # "... qua Sở Kế hoạch và Đầu tư" in that sentence is a channel, not an assignee.
    assert not [a for a in tasks("004") if a.start == star.start and a.agency == "Sở Kế hoạch và Đầu tư"]
    heads = {a.agency for a in tasks("001") if a.section_path[1:2] == ("1. Thủ trưởng các sở, ban ngành, đơn vị thuộc tỉnh, Chủ tịch Ủy ban nhân dân các huyện, thành phố:",)}
    assert heads == {"Các sở, ban, ngành", "UBND các huyện, thành phố"}


def test_giao_sentence_after_a_collective_one_in_the_same_paragraph() -> None:
    kl = tasks("004", part=1)  # the Kết luận attached to công văn 8888
    (vptu,) = [a for a in kl if a.agency == "Văn phòng Tỉnh ủy"]
    assert vptu.role == "chu_tri" and vptu.task.startswith("Giao Văn phòng Tỉnh ủy chủ trì")
    (before,) = [a for a in kl if a.end == vptu.start - 1 and a.agency == "Các cấp ủy, tổ chức đảng"]
    assert (before.deadline, before.reports_to) == ("2020-12-15", "Ban Thường vụ Tỉnh ủy")


def test_deadline_inside_a_bullet_given_by_a_heading() -> None:
    (a,) = [a for a in of("004", "Sở Kế hoạch và Đầu tư") if a.deadline]
    assert (a.deadline, a.deadline_text, a.reports_to) == ("2020-08-20", "trước ngày 20/08/2020", "Thường trực UBND tỉnh")
    recurring = [a for a in of("001", "Sở Kế hoạch và Đầu tư") if a.deadline_text == "định kỳ hàng tháng"]
    assert len(recurring) == 1 and recurring[0].deadline is None


def test_spans_map_to_the_original_text() -> None:
    f = ingest_file(seed_path("004"))
    doc = f.documents[0]
    for a in extract_assignments(doc, f.chunks):
        assert doc.text.text[a.start : a.end] == a.task
    (star,) = [a for a in extract_assignments(doc, f.chunks) if a.deadline == "2020-08-15"]
    o_start, o_end = doc.text.to_original(star.start, star.end)
    assert doc.text.original[o_start:o_end].startswith("Yêu cầu các sở, ngành, địa phương")
    assert "**trước ngày 15/8/2020**" in doc.text.original[o_start:o_end]


def test_no_tasks_from_recipients_closings_or_bylines() -> None:
    everything = [a for p in ("000", "001", "002", "003", "004") for a in tasks(p)]
    assert not [a for a in everything if fold(a.task).lower().startswith(("thong bao den", "vu hue", "noi nhan"))]
    assert not [a for a in everything if "(b/c)" in a.task]


def test_giao_after_a_colon_keeps_the_sentence() -> None:
    (vh,) = of("002", "Sở Văn hóa, Thể thao và Du lịch")
    assert vh.role == "giao"
    assert "UBND tỉnh Giao Giám đốc Sở Văn hóa, Thể thao và Du lịch tiếp tục hoàn chỉnh nội dung" in vh.task
    assert vh.agency_text == "Sở Văn hóa, Thể thao và Du lịch"


def _province_doc(shared: Path, stem: str) -> tuple[Assignment, ...]:
    (path,) = (shared / "corpus" / "provinces").glob(f"{stem}*")
    f = ingest_file(path)
    return extract_assignments(f.documents[0], f.chunks)


def test_province_decision_execution_clause(shared: Path) -> None:
    # "Điều 4. ... Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Y tế, Thủ trưởng các cơ quan
    # chuyên môn ..., Chủ tịch Ủy ban nhân dân các xã, phường ... chịu trách nhiệm thi hành"
    got = {(a.agency, a.role) for a in _province_doc(shared, "329d9e97")}
    assert got == {("Văn phòng UBND tỉnh", "giao"), ("Sở Y tế", "giao"),
                   ("Các sở, ban, ngành", "collective"), ("UBND các xã, phường, đặc khu", "collective")}


def test_province_plan_heading_over_bullets(shared: Path) -> None:
    got = [a for a in _province_doc(shared, "ceb89a53") if a.agency == "Ban Quản lý Khu kinh tế tỉnh"]
    assert [a.task[:25] for a in got] == ["Đề xuất những khu công ng", "Phối hợp chặt chẽ Sở Khoa",
                                          "Tạo điều kiện thuận lợi đ", "Tích cực hướng dẫn các ch"]
    assert all(a.section_path[1] == "2. Ban Quản lý Khu kinh tế Đông Nam" for a in got)
    (deadline,) = [a for a in _province_doc(shared, "ceb89a53") if a.deadline]
    assert (deadline.agency, deadline.deadline, deadline.deadline_text) == (
        "Sở Khoa học và Công nghệ", "2025-12-15", "Trước ngày 15/12")


def test_a_tax_office_reply_assigns_only_its_request(shared: Path) -> None:
    # "đề nghị Thuế tỉnh Quảng Trị trao đổi với cơ quan ..." asks the provincial tax office to act;
    # "Cục Thuế có ý kiến để Thuế tỉnh Quảng Trị được biết./." is a closing formula.
    got = _province_doc(shared, "005d8820")
    assert [(a.agency, a.role, a.task[:30]) for a in got] == [("Thuế tỉnh", "giao", "Về việc góp vốn điều lệ của Cô")]
