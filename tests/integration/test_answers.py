"""`ask()` and the task store on a hash-embedder index of the five seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from answer.answers import AgencyAnswer, ask, classify
from chidao.cli import main
from eval.answers import evaluate_answers
from eval.datasets import load_snippet_queries
from index.embedders.base import get_embedder
from index.index import Index
from index.writer import write

ORDER_YTE = ["003_104911c3395eed31", "000_e039e5926f709e92", "004_8e1e77f4468c0f15", "001_b75f6995bec0e83d"]


def agency(index: Index, q: str) -> AgencyAnswer:
    a = ask(index, q)
    assert isinstance(a, AgencyAnswer), (q, a.kind)
    return a


def test_folded_question_gives_the_same_tasks_as_the_accented_one(index: Index) -> None:
    folded = agency(index, "nhiem vu cua so y te")
    accented = agency(index, "nhiệm vụ của Sở Y tế là gì")
    assert folded.agency == accented.agency == "Sở Y tế"
    assert folded.to_dict()["groups"] == accented.to_dict()["groups"]
    assert folded.to_dict()["collective"] == accented.to_dict()["collective"]


def test_abbreviated_question_gives_the_same_tasks(index: Index) -> None:
    short = agency(index, "Sở LĐ-TB&XH phải làm gì")
    full = agency(index, "nhiệm vụ giao Sở Lao động - Thương binh và Xã hội")
    assert short.tasks == full.tasks and len(full.tasks) == 7


def test_groups_by_directive_newest_first_with_roles(index: Index) -> None:
    a = agency(index, "nhiệm vụ của Sở Y tế là gì")
    assert [g.doc_id for g in a.groups] == ORDER_YTE
    assert [(g.number, g.date, g.province) for g in a.groups[:3]] == [
        ("5749/UBND-TH", "2021-11-19", "Thái Nguyên"), ("1536/UBND-KTTH", "2021-05-14", "Kon Tum"),
        ("8888/UBND-THNC", "2020-07-30", "Đồng Nai")]
    assert [t.role for g in a.groups for t in g.tasks] == ["phoi_hop", "chu_tri", "giao", "giao", "chu_tri", "giao"]


def test_collective_tasks_are_a_separate_group(index: Index) -> None:
    a = agency(index, "Sở Y tế phải làm gì")
    assert all(t.role != "collective" for t in a.tasks)
    shared = [t for g in a.collective for t in g.tasks]
    assert shared and all(t.role == "collective" for t in shared)
    assert any(t.text.startswith("Yêu cầu các sở, ngành, địa phương") and t.deadline == "2020-08-15" for t in shared)
    assert not {(t.citation.doc_id, t.citation.start) for t in shared} & {(t.citation.doc_id, t.citation.start) for t in a.tasks}


def test_successor_includes_predecessor_tasks_labelled(index: Index) -> None:
    a = agency(index, "Sở Tài chính phải làm gì")
    assert a.predecessors_included == ("Sở Kế hoạch và Đầu tư",)
    via = [t for t in a.tasks if t.via]
    assert via and all(t.via == t.agency == "Sở Kế hoạch và Đầu tư" for t in via)
    own = [t.text[:45] for t in a.tasks if t.via is None]
    assert own == ["Tổ chức thực hiện tốt thu - chi ngân sách nhà", "Khẩn trương tham mưu Ủy ban nhân dân tỉnh phê"]
    # The predecessor's own question never gets the successor's tasks.
    khdt = agency(index, "Sở KH&ĐT được giao gì")
    assert {t.agency for t in khdt.tasks} == {"Sở Kế hoạch và Đầu tư"} and khdt.predecessors_included == ()


def test_citation_opens_the_exact_original_span(index: Index) -> None:
    a = agency(index, "Sở Nông nghiệp và Phát triển nông thôn cần thực hiện gì")
    (t,) = [t for t in a.tasks if t.deadline == "2021-08-30"]
    doc = index.store.document(t.citation.doc_id)
    assert doc is not None
    assert doc.text.original[t.citation.start : t.citation.end] == t.citation.quote
    assert t.citation.quote.startswith("Tiếp tục chủ trì") and "(*hoàn thành trước ngày 30 tháng 8 năm 2021*)" in t.citation.quote
    assert t.citation.chunk_id == "001_b75f6995bec0e83d:I/4/-1"


def test_classify() -> None:
    assert classify("Sở Công Thương").agency == "Sở Công Thương"
    assert classify("Văn phòng UBND tỉnh theo dõi đôn đốc").kind == "agency"
    assert classify("So Noi vu chu tri nhung viec gi").agency == "Sở Nội vụ"
    assert classify("Khi nào Sở Y tế phải hoàn thành tiêm vắc-xin?").kind == "question"
    assert classify("Bao nhiêu xã của Đồng Nai đạt chuẩn nông thôn mới nâng cao?").kind == "question"


def test_factual_question_goes_to_the_extractive_answerer(index: Index) -> None:
    a = ask(index, "Khi nào phải hoàn thành chuyển giao diện tích rừng các xã?")
    assert a.kind == "question"
    d = a.to_dict()
    assert d["answered"] and "hoàn thành trước ngày 30 tháng 8 năm 2021" in d["answer_text"]


def test_store_tasks_filters(index: Index) -> None:
    store = index.store
    assert {t.doc_id for t in store.tasks(agency="so y te", province="Quảng Ngãi")} == {
        "000_e039e5926f709e92", "001_b75f6995bec0e83d"}
    assert {t.doc_id for t in store.tasks(agency="Sở Y tế", province="Đồng Nai")} == {"004_8e1e77f4468c0f15"}
    assert {t.deadline for t in store.tasks(deadline_before="2020-12-31")} == {"2020-08-15", "2020-08-20", "2020-12-15"}
    assert not [t for t in store.tasks(since="2021-01-01") if t.doc_id.startswith("004")]
    assert [t.role for t in store.tasks(agency="Giám đốc Sở Tài chính")] == ["giao", "giao"]


def test_removing_a_document_removes_its_tasks(root: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    write(copy, [], get_embedder("hash"), remove=["004_8e1e77f4468c0f15"])
    tasks = Index(copy).load().store.tasks()
    assert tasks and not [t for t in tasks if t.doc_id.startswith("004")]


def test_dev_agency_queries_meet_the_targets(index: Index, shared: Path) -> None:
    queries = load_snippet_queries(shared / "eval" / "dev_queries.jsonl")
    result = evaluate_answers(index, [q for q in queries if q.type == "agency"])
    assert result["agency_min_recall"] >= 0.9
    assert result["not_answer_total"] == 0


def test_cli_ask_json_and_text(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "nhiem vu cua so y te", "--index", str(root), "--json"]) == 0
    folded = json.loads(capsys.readouterr().out)
    assert main(["ask", "nhiệm vụ của Sở Y tế là gì", "--index", str(root), "--json"]) == 0
    accented = json.loads(capsys.readouterr().out)
    assert folded["kind"] == "agency" and folded["groups"] == accented["groups"]
    assert main(["ask", "Sở Y tế phải làm gì", "--index", str(root)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Sở Y tế: 6 nhiệm vụ trong 4 văn bản")
    assert "[chủ trì]" in text and "Nhiệm vụ giao chung" in text and "↳ 001_b75f6995bec0e83d:I/7/-2" in text


def test_filters_restrict_the_directives(index: Index) -> None:
    from domain.model import Filters

    a = ask(index, "Sở Y tế được giao gì", Filters(province="Đồng Nai"))
    assert isinstance(a, AgencyAnswer)
    assert [g.doc_id for g in a.groups] == ["004_8e1e77f4468c0f15"]
    assert {g.doc_id for g in a.collective} == {"004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2"}
    old = ask(index, "Sở Y tế được giao gì", Filters(province="Quảng Ngãi", type="Công văn"))
    assert isinstance(old, AgencyAnswer) and [g.doc_id for g in old.groups] == ["000_e039e5926f709e92"]


def test_answer_floors_are_enforced() -> None:
    from eval.runner import DEFAULT_FLOORS, EvalResult, check_floors

    bad = EvalResult(dataset="dev", k=10, depth=10, runs={},
                     answers={"agency_min_recall": 0.8, "not_answer_total": 1, "question_contains_rate": 1.0})
    assert check_floors(bad, DEFAULT_FLOORS) == [
        "dev/answers: agency_min_recall = 0.8 < floor 0.9",
        "dev/answers: not_answer_total = 1 > ceiling 0",
    ]
    good = EvalResult(dataset="dev", k=10, depth=10, runs={},
                      answers={"agency_min_recall": 1.0, "not_answer_total": 0, "question_contains_rate": 1.0})
    assert check_floors(good, DEFAULT_FLOORS) == []


def test_a_group_can_be_asked_about(index: Index) -> None:
    a = agency(index, "UBND các huyện, thành phố phải làm gì")
    assert a.agency == "UBND các huyện, thành phố" and a.collective == ()
    # Addressed to the districts as a whole, or naming them as partners ("phối hợp với UBND các huyện").
    assert {t.role for t in a.tasks} == {"collective", "phoi_hop"}
    assert any(t.text.startswith("Công an tỉnh, UBND các huyện, thành phố tăng cường") for t in a.tasks)
    # An agency named beside a group is the one asked about.
    assert classify("Sở Y tế phối hợp với các sở, ban, ngành làm gì").agency == "Sở Y tế"


def test_tasks_follow_the_assignment_rules_version(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import answer.answers
    import index.writer
    from index.generation import IndexNotReady, current_generation, read_manifest

    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    before = Index(copy).load().store.tasks()
    built = answer.answers.ASSIGNMENTS_VERSION
    monkeypatch.setattr(answer.answers, "ASSIGNMENTS_VERSION", "next")
    with pytest.raises(IndexNotReady, match=f"assignment rules {built}, this chidao has next"):
        ask(Index(copy).load(), "Sở Y tế phải làm gì")
    # The next write re-reads every stored document under the new rules (no re-embedding).
    monkeypatch.setattr(index.writer, "ASSIGNMENTS_VERSION", "next")
    write(copy, [], get_embedder("hash"))
    gen = current_generation(copy)
    assert gen is not None and read_manifest(gen).assignments_version == "next"
    assert Index(copy).load().store.tasks() == before
    assert isinstance(ask(Index(copy).load(), "Sở Y tế phải làm gì"), AgencyAnswer)
