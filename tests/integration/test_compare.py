"""Province comparison on the seed directives (hash embedder): columns, agencies, grouping, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from answer.compare import (
    Column,
    Comparison,
    compare,
    deadlines,
    lead_agencies,
    threshold_for,
)
from chidao.cli import main
from index.index import Index
from ingest.provinces import UnknownProvince
from ingest.vietnamese import normalize
from search.retrievers import HybridRetriever

COVID = "phòng chống dịch COVID-19"
KON_TUM_LETTER_UNITS = 10  # 1536/UBND-KTTH: every instruction of the letter
DEFAULT_THRESHOLD_E5 = 0.91  # chosen on compare_dev (search/compare.py)


def _compare(index: Index, topic: str, provinces: list[str] | None = None, **kw: float) -> Comparison:
    return compare(index, HybridRetriever(index), topic, provinces, **kw)  # type: ignore[arg-type]


def _numbers(column: Column) -> list[str | None]:
    return [d.number for d in column.directives]


def test_covid_puts_the_three_provinces_side_by_side(index: Index) -> None:
    c = _compare(index, COVID)
    assert c.provinces == ("Kon Tum", "Thái Nguyên", "Đồng Nai")
    kon_tum, thai_nguyen, dong_nai = c.columns
    assert _numbers(kon_tum) == [None, "1536/UBND-KTTH"]  # 001 is a Thông báo without number
    assert _numbers(thai_nguyen) == ["5749/UBND-TH"]
    assert _numbers(dong_nai) == ["8888/UBND-THNC"]
    assert kon_tum.directives[0].subject == "Kết quả phiên họp Ủy ban nhân dân tỉnh thường kỳ tháng 7 năm 2021"
    # A meeting's conclusions on many matters: only its instructions on the subject, read with headings.
    assert len(kon_tum.directives[0].instructions) == 20
    assert all(i.relevance >= 0.5 for i in kon_tum.directives[0].instructions)
    # A letter on one matter (COVID-19 measures) counts whole, its words on the subject or not.
    letter = kon_tum.directives[1]
    assert len(letter.instructions) == KON_TUM_LETTER_UNITS
    assert min(i.relevance for i in letter.instructions) < 0.5
    (given,) = [i for i in dong_nai.instructions if i.text.startswith("8. Giao Sở Y tế:")]
    assert given.lead_agencies == ("Sở Y tế",) and given.source == "assignment"
    assert "Sở Giáo dục và Đào tạo" in thai_nguyen.directives[0].lead_agencies
    # Every instruction is the directive's own wording, at its span of the clean text.
    for i in (i for col in c.columns for i in col.instructions):
        doc = index.store.document(i.doc_id)  # the directive or its attachment ("004_...#2")
        assert doc is not None
        assert " ".join(doc.text.text[i.start:i.end].split())[:40] == normalize(i.text)[:40]  # "hoá" -> "hóa"
    assert {i.doc_id for i in dong_nai.instructions} == {"004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2"}


def test_rows_shared_first_then_unique_one_cell_per_province(index: Index) -> None:
    c = _compare(index, COVID)
    assert c.threshold == 0.5  # the hash embedder's
    assert c.shared and c.unique
    assert all(g.shared and len(g.provinces) >= 2 for g in c.shared)
    assert all(len(g.provinces) == 1 for g in c.unique)
    assert [len(g.provinces) for g in c.shared] == sorted((len(g.provinces) for g in c.shared), reverse=True)
    for g in c.rows:  # one cell per column, in column order; members are the cells' instructions
        assert tuple(cell.province for cell in g.cells) == c.provinces
        assert g.members == tuple(i for cell in g.cells for i in cell.instructions)
        assert all(i.province == cell.province for cell in g.cells for i in cell.instructions)
        assert len({i.province for i in g.members}) == len(g.provinces)
    shown = sorted((i.doc_id, i.start) for col in c.columns for i in col.instructions)
    assert sorted((m.doc_id, m.start) for g in c.rows for m in g.members) == shown  # each in one row
    first = c.shared[0]
    assert first.provinces == ("Kon Tum", "Thái Nguyên", "Đồng Nai") and first.similarity >= 0.5
    # A stricter threshold shares nothing; a looser one shares more.
    assert _compare(index, COVID, threshold=0.99).shared == ()
    assert len(_compare(index, COVID, threshold=0.3).shared) > len(c.shared)


def test_old_and_new_province_names(index: Index) -> None:
    c = _compare(index, COVID, ["Quảng Ngãi", "dong nai"])  # Kon Tum is part of Quảng Ngãi since 7/2025
    assert c.provinces == ("Quảng Ngãi", "Đồng Nai")
    assert _numbers(c.columns[0]) == [None, "1536/UBND-KTTH"]
    assert {d.province for d in c.columns[0].directives} == {"Kon Tum"}
    assert _compare(index, COVID, ["kon tum"]).columns == _compare(index, COVID, ["Kon Tum"]).columns
    with pytest.raises(UnknownProvince):
        _compare(index, COVID, ["Atlantis"])


def test_deadlines_and_given_agencies_in_a_column(index: Index) -> None:
    (dong_nai,) = _compare(index, "báo cáo kết quả thực hiện", ["Đồng Nai"]).columns
    (letter,) = dong_nai.directives
    assert letter.number == "8888/UBND-THNC"
    assert letter.deadlines == ("trước ngày 15/8/2020", "trước ngày 20/08/2020", "trước ngày 15/12/2020")
    # The two instructions on reporting results, not any "triển khai thực hiện".
    assert letter.lead_agencies[:2] == ("Sở Kế hoạch và Đầu tư", "Văn phòng UBND tỉnh")


def test_a_province_without_directives_on_the_topic_is_an_empty_column(index: Index) -> None:
    c = _compare(index, COVID, ["Hà Nội"])
    assert c.provinces == ("Hà Nội",) and c.columns[0].directives == () and c.shared == c.unique == ()


@pytest.mark.parametrize(("text", "path", "agencies"), [
    ("- Giao Giám đốc Sở Kế hoạch và Đầu tư: Tổng hợp, xây dựng báo cáo.", (), ("Sở Kế hoạch và Đầu tư",)),
    ("- Giao Văn phòng UBND tỉnh (Phòng Tổng hợp): Theo dõi, đôn đốc.", (), ("Văn phòng UBND tỉnh",)),
    ("UBND tỉnh giao Sở Y tế chủ trì, phối hợp với các đơn vị có liên quan.", (), ("Sở Y tế",)),
    ("- Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư bố trí kinh phí.", (), ("Sở Tài chính",)),
    ("- Chủ trì, phối hợp cải tạo các khu cách ly tập trung.", ("I. Về công tác", "7. Sở Y tế:"), ("Sở Y tế",)),
    ("- Tăng cường tuyên truyền.", ("1. Thủ trưởng các sở, ban ngành:",), ()),
    # Forms from ../shared/corpus/provinces plans:
    ("*- Đơn vị chủ trì: *Sở Tư pháp.", (), ("Sở Tư pháp",)),
    ("Giám đốc Sở Y tế có trách nhiệm chủ trì, phối hợp các cơ quan liên quan tham mưu.", (), ("Sở Y tế",)),
    ("**Giao Sở Tài chính chủ trì theo dõi, tổng hợp các khó khăn.", (), ("Sở Tài chính",)),
])
def test_lead_agencies(text: str, path: tuple[str, ...], agencies: tuple[str, ...]) -> None:
    assert lead_agencies(text, path) == agencies


def test_deadlines_keep_the_written_form() -> None:
    assert deadlines("Báo cáo hằng tháng; hoàn thành trước ngày 30 tháng 8 năm 2021, chậm nhất ngày 20/9.") == (
        "hằng tháng", "hoàn thành trước ngày 30 tháng 8 năm 2021", "chậm nhất ngày 20/9")
    assert deadlines("han chot truoc ngay 15/8/2020") == ("truoc ngay 15/8/2020",)


def test_threshold_by_embedder() -> None:
    assert threshold_for("hash-v1-256") == 0.5
    assert threshold_for("intfloat/multilingual-e5-small") == DEFAULT_THRESHOLD_E5


def test_cli_side_by_side_and_json(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", COVID, "--index", str(root)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("KON TUM"))
    assert header.split() == ["KON", "TUM", "THÁI", "NGUYÊN", "ĐỒNG", "NAI"]
    assert "Điểm chung" in out and "Chỉ một tỉnh yêu cầu:" in out
    assert "  [1] ✓ Kon Tum  ✓ Thái Nguyên  ✓ Đồng Nai (cosine ≥ " in out
    assert main(["compare", COVID, "--index", str(root), "--provinces", "Thái Nguyên,Đồng Nai", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "compare" and data["provinces"] == ["Thái Nguyên", "Đồng Nai"]
    assert data["columns"][0]["directives"][0]["number"] == "5749/UBND-TH"
    assert all(g["shared"] for g in data["shared"]) and not any(g["shared"] for g in data["unique"])
    row = data["unique"][0]
    assert [c["province"] for c in row["cells"]] == ["Thái Nguyên", "Đồng Nai"]
    assert {"text", "doc_id", "start", "end", "lead_agencies", "deadlines", "section_path"} <= set(row["members"][0])


def test_cli_unknown_province_is_one_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", COVID, "--index", str(root), "--provinces", "Atlantis"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "chidao: không biết tỉnh 'Atlantis' (unknown province); tên cũ hoặc mới, ví dụ: Kon Tum, Quảng Ngãi"]


def test_cli_eval_compare_scores_and_enforces_the_floors(root: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    query = {"id": "s-1", "topic": COVID, "provinces": ["Thái Nguyên", "Đồng Nai"], "relevant": {
        "Thái Nguyên": [{"doc": "003_104911c3395eed31",
                         "text": "có biện pháp linh hoạt đối với tình huống cụ thể trong công tác phòng, chống dịch"}],
        "Đồng Nai": [{"doc": "004_8e1e77f4468c0f15", "text": "giao sở y tế: chủ động nắm thông tin"},
                     {"doc": "004_8e1e77f4468c0f15", "text": "no such words in the letter"}]}}
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps(query, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", "--compare", str(queries), "--index", str(root), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["pairs"], out["hits"], out["province_hit"], out["instruction_recall"], out["misplaced"]) == (2, 2, 1.0, 0.75, 0)
    assert out["per_pair"][1]["missed"] == ["no such words in the letter"]
    assert main(["eval", "--compare", str(queries), "--index", str(root), "--floors"]) == 0  # 0.75 >= 0.60
    assert "floors hold for " in capsys.readouterr().err
