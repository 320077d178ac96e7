"""A question that asks for a rule is answered by the rule, not by its exception ("Trường hợp ...
thì ..."); a question that states the case gets the exception. Text from a Nghệ An regulation on
voters' petitions (2025)."""

from __future__ import annotations

from answer.extract import question_form
from answer.qa import Passage, _candidates

RULE = ("Chậm nhất trong 20 ngày làm việc, kể từ ngày nhận được kiến nghị, các cơ quan, đơn vị phải có "
        "trách nhiệm tiếp nhận, giải quyết và trả lời cử tri có kiến nghị.")
EXCEPTION = ("Trường hợp kiến nghị có nội dung chưa rõ ràng hoặc không thuộc chức năng, nhiệm vụ giải quyết "
             "của mình thì chậm nhất 05 ngày làm việc, cơ quan nhận được kiến nghị phải trả lời cử tri.")
# The exception sits under the heading that names the question's words, beside another sentence
# that does: around it the passage covers the question better than the rule's passage does.
PASSAGES = [
    Passage("c1", "d", ("Điều 8. Tiếp nhận kiến nghị",), RULE, 1.0),
    Passage("c2", "d", ("Điều 9. Thời hạn trả lời kiến nghị của cử tri",),
            EXCEPTION + "\n\nViệc trả lời kiến nghị của cử tri phải bảo đảm đúng quy định của Quy chế này.", 0.9),
]


def _best(question: str) -> str:
    kind, asked = question_form(question)
    return _candidates(asked, question, kind, PASSAGES)[0].unit.text


def test_the_rule_answers_a_question_that_states_no_case() -> None:
    assert _best("Cơ quan phải trả lời kiến nghị của cử tri chậm nhất trong bao nhiêu ngày làm việc?") == RULE


def test_the_exception_answers_a_question_that_states_its_case() -> None:
    question = ("Trường hợp kiến nghị không thuộc chức năng, nhiệm vụ giải quyết của mình thì cơ quan "
                "phải trả lời cử tri chậm nhất trong bao nhiêu ngày làm việc?")
    assert _best(question) == EXCEPTION
