"""The evidence a factual answer is chosen on: question words with their marks, figures with any
unit of measure, durations, and a task's labelled deadline kept with the task. Sentences are quoted
from real 2025 provincial documents (Quảng Ngãi, Hà Tĩnh, Nghệ An, Đắk Lắk)."""

from __future__ import annotations

from answer.extract import DEADLINE, FIGURE, cue, terms, units

QUANG_NGAI = ("- Tổng hợp kết quả kiểm kê, báo cáo kết quả kiểm kê gửi Bộ Tài chính. "
              "Thời gian hoàn thành: Trước ngày 31/5/2026.\n- Hướng dẫn các cơ quan, đơn vị thực hiện kiểm kê.")


def test_a_labelled_deadline_stays_with_the_task_it_follows() -> None:
    first, second = units(QUANG_NGAI)
    assert first.text == ("- Tổng hợp kết quả kiểm kê, báo cáo kết quả kiểm kê gửi Bộ Tài chính. "
                          "Thời gian hoàn thành: Trước ngày 31/5/2026.")
    assert second.text == "- Hướng dẫn các cơ quan, đơn vị thực hiện kiểm kê."
    assert QUANG_NGAI[first.start:first.end] == first.text


def test_question_words_are_dropped_by_their_marks_not_by_their_folded_form() -> None:
    # "báo cáo", "tài chính", "cơ quan", "phấn đấu" fold to question words ("bao", "tai", "co", "dau").
    assert terms("Sở Tài chính phấn đấu báo cáo cơ quan nào ở đâu, bao nhiêu phần trăm?") == [
        "so", "tai", "chinh", "phan", "dau", "bao", "cao", "co", "quan"]
    # Typed without marks, "bao" and "dau" may be question words: they are dropped.
    assert terms("so tai chinh phan dau bao cao bao nhieu") == ["so", "chinh", "cao"]


def test_a_figure_with_any_unit_of_measure_is_full_evidence() -> None:
    asked = "Ở Hà Tĩnh, tần suất thu gom chất thải rắn sinh hoạt tối thiểu đối với khu vực đô thị là bao nhiêu?"
    assert cue(FIGURE, "- Tần suất thu gom tối thiểu 03 lần/tuần đối với khu vực đô thị.", asked) == 1.0
    assert cue(FIGURE, "bảo đảm tối thiểu 02 GB/tài khoản thư điện tử công vụ cá nhân", asked) == 1.0
    assert cue(FIGURE, "đảm bảo khoảng cách cứ 300m có bố trí 01 cụm thiết bị lưu chứa chất thải", asked) == 1.0
    assert cue(FIGURE, "báo cáo 02 lần/ngày (trước 9h00’ và 16h00’) về tình hình tiếp nhận", asked) == 1.0
    # A bare count is weaker evidence; a date is none.
    assert cue(FIGURE, "bố trí 01 cụm thiết bị lưu chứa", asked) == 0.6
    assert cue(FIGURE, "hoàn thành trước ngày 31/12/2025", asked) == 0.0


def test_a_duration_answers_a_question_asking_how_many_days() -> None:
    sentence = "Chậm nhất trong 20 ngày làm việc, kể từ ngày nhận được kiến nghị, các cơ quan phải trả lời cử tri."
    assert cue(DEADLINE, sentence, "Cơ quan phải trả lời kiến nghị chậm nhất trong bao nhiêu ngày làm việc?") == 1.0
    # Asked for a date, a duration is only a recurring-term hint ("chậm nhất").
    assert cue(DEADLINE, sentence, "Cơ quan phải trả lời kiến nghị trước ngày nào?") == 0.6
