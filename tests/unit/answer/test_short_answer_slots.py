"""The short answer is the phrase that fills the question's slot, cut from real directive sentences."""

from __future__ import annotations

from answer.intent import question_form
from answer.short_answer import short_answer


def _short(sentence: str, question: str) -> str | None:
    kind, _ = question_form(question)
    found = short_answer(sentence, question, kind)
    if found is not None:
        assert sentence[found.start:found.end] == found.text
    return found.text if found else None


def test_a_deadline_keeps_its_lead_word_and_its_recurrence() -> None:
    sentence = ("Thời điểm đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức được tiến hành trước "
                "ngày 15 tháng 12 hàng năm.")
    assert _short(sentence, "Việc đánh giá, xếp loại cán bộ hằng năm tiến hành trước ngày nào?") == \
        "trước ngày 15 tháng 12 hàng năm"
    assert _short("Tổng hợp kết quả kiểm kê, báo cáo gửi Bộ Tài chính. Thời gian hoàn thành: Trước ngày 31/5/2026",
                  "Sở Tài chính phải gửi báo cáo cho Bộ Tài chính trước ngày nào?") == "Trước ngày 31/5/2026"


def test_a_figure_is_the_number_with_its_unit_nearest_the_question_words() -> None:
    sentence = ("Tần suất thu gom tối thiểu 03 lần/tuần đối với khu vực đô thị và 02 lần/tuần đối với khu vực "
                "nông thôn.")
    assert _short(sentence, "Tần suất thu gom tối thiểu đối với khu vực đô thị là bao nhiêu?") == "03 lần/tuần"
    assert _short(sentence, "Tần suất thu gom tối thiểu đối với khu vực nông thôn là bao nhiêu?") == "02 lần/tuần"
    assert _short("Phấn đấu giá trị hàng hóa tham gia xuất khẩu đến năm 2030 đạt 400 triệu USD, tăng bình quân "
                  "hằng năm", "Giá trị hàng hóa xuất khẩu đến năm 2030 đạt bao nhiêu?") == "400 triệu USD"


def test_a_qualifier_is_kept_when_it_is_part_of_the_asked_slot() -> None:
    sentence = "Phấn đấu ít nhất 55% phường xây dựng và triển khai các mô hình giáo dục mầm non."
    assert _short(sentence, "Phấn đấu ít nhất bao nhiêu phần trăm số phường triển khai mô hình?") == "ít nhất 55%"
    # the question sets "tối thiểu" itself, outside its slot: the answer is the figure alone
    assert _short("bảo đảm tối thiểu 02 GB/tài khoản thư điện tử công vụ cá nhân, 10 GB/tài khoản thư điện tử "
                  "công vụ của cơ quan", "Dung lượng tối thiểu cho mỗi tài khoản thư điện tử công vụ cá nhân là "
                  "bao nhiêu?") == "02 GB"


def test_an_organisation_ends_before_the_verb_and_keeps_its_conjoined_name() -> None:
    assert _short("Sở Dân tộc và Tôn giáo là cơ quan thường trực trong thực hiện Quy chế này",
                  "Cơ quan nào là cơ quan thường trực thực hiện Quy chế?") == "Sở Dân tộc và Tôn giáo"
    assert _short("Hằng năm báo cáo kết quả thực hiện về Ban Chỉ huy Phòng thủ dân sự tỉnh qua Văn phòng",
                  "Các sở báo cáo kết quả thi hành hằng năm về đâu?") == "Ban Chỉ huy Phòng thủ dân sự tỉnh"


def test_no_short_answer_for_a_question_without_a_slot_or_a_phrase() -> None:
    assert _short("Tăng cường công tác tuyên truyền về phòng, chống ma túy.", "Tuyên truyền phòng chống ma túy?") is None
    assert _short("Tăng cường công tác tuyên truyền.", "Phải hoàn thành trước ngày nào?") is None
