"""Province comparison on the seed directives (hash embedder): columns, agencies, grouping, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from answer.compare import (
    Column,
    Instruction,
    compare,
    deadlines,
    group_instructions,
    lead_agencies,
    threshold_for,
)
from chidao.cli import main
from index.index import Index
from ingest.provinces import UnknownProvince
from search.retrievers import HybridRetriever

COVID = "phòng chống dịch COVID-19"


@pytest.fixture
def root(seeds_root: Path) -> Path:
    return seeds_root


@pytest.fixture
def index(seeds_index: Index) -> Index:
    return seeds_index


def _numbers(column: Column) -> list[str | None]:
    return [d.number for d in column.directives]


def test_covid_puts_the_three_provinces_side_by_side(index: Index) -> None:
    c = compare(index, HybridRetriever(index), COVID)
    assert c.provinces == ("Kon Tum", "Thái Nguyên", "Đồng Nai")
    kon_tum, thai_nguyen, dong_nai = c.columns
    assert _numbers(kon_tum) == [None, "1536/UBND-KTTH", "280/TB-UBND"]  # 001 is a Thông báo without number
    assert _numbers(thai_nguyen) == ["5749/UBND-TH"]
    assert _numbers(dong_nai) == ["8888/UBND-THNC", "1098-KL/TU"]
    assert kon_tum.directives[0].subject == "Kết quả phiên họp Ủy ban nhân dân tỉnh thường kỳ tháng 7 năm 2021"
    assert [i.chunk_id for i in kon_tum.directives[0].instructions] == [
        "001_b75f6995bec0e83d:I/7/-1", "001_b75f6995bec0e83d:I/1/-2", "001_b75f6995bec0e83d:I/7/-2"]
    assert kon_tum.directives[0].lead_agencies == ("Sở Y tế",)  # "7. Sở Y tế:" owns its bullets
    assert thai_nguyen.directives[0].lead_agencies == ("Sở Giáo dục và Đào tạo",)
    assert dong_nai.directives[0].lead_agencies == ("Sở Y tế",)  # "8. Giao Sở Y tế:"
    # Every instruction shown is on the topic, quoted from its passage.
    for col in c.columns:
        for d in col.directives:
            for i in d.instructions:
                assert "covid" in i.excerpt.lower() or "dịch" in i.excerpt.lower()
                assert i.excerpt[:60] in i.text


def test_shared_and_unique_groups(index: Index) -> None:
    c = compare(index, HybridRetriever(index), COVID)
    assert c.threshold == 0.5  # the hash embedder's
    assert [[m.chunk_id for m in g.members] for g in c.shared] == [
        ["001_b75f6995bec0e83d:I/7/-2", "003_104911c3395eed31:-7", "004_8e1e77f4468c0f15:8"],
        ["003_104911c3395eed31:-2", "004_8e1e77f4468c0f15#2:I~4"]]
    assert c.shared[0].provinces == ("Kon Tum", "Thái Nguyên", "Đồng Nai") and c.shared[0].similarity >= 0.5
    assert all(len(g.provinces) == 1 for g in c.unique)
    shown = [i.chunk_id for col in c.columns for d in col.directives for i in d.instructions]
    grouped = [m.chunk_id for g in (*c.shared, *c.unique) for m in g.members]
    assert sorted(grouped) == sorted(shown)  # every instruction in exactly one group
    # A stricter threshold shares nothing; a looser one merges more.
    assert compare(index, HybridRetriever(index), COVID, threshold=0.99).shared == ()
    assert len(compare(index, HybridRetriever(index), COVID, threshold=0.3).unique) < len(c.unique)


def test_old_and_new_province_names(index: Index) -> None:
    c = compare(index, HybridRetriever(index), COVID, ["Quảng Ngãi", "dong nai"])  # Kon Tum is part of Quảng Ngãi since 7/2025
    assert c.provinces == ("Quảng Ngãi", "Đồng Nai")
    assert _numbers(c.columns[0]) == [None, "1536/UBND-KTTH", "280/TB-UBND"]
    assert {d.province for d in c.columns[0].directives} == {"Kon Tum"}
    assert compare(index, HybridRetriever(index), COVID, ["kon tum"]).columns == compare(index, HybridRetriever(index), COVID, ["Kon Tum"]).columns
    with pytest.raises(UnknownProvince):
        compare(index, HybridRetriever(index), COVID, ["Atlantis"])


def test_deadlines_and_given_agencies_in_a_column(index: Index) -> None:
    (dong_nai,) = compare(index, HybridRetriever(index), "báo cáo kết quả thực hiện", ["Đồng Nai"]).columns
    letter, conclusion = dong_nai.directives
    assert letter.number == "8888/UBND-THNC"
    assert letter.deadlines == ("trước ngày 20/08/2020", "trước ngày 15/8/2020")
    assert letter.lead_agencies == ("Sở Kế hoạch và Đầu tư", "Văn phòng UBND tỉnh")
    assert conclusion.deadlines == ("trước ngày 15/12/2020",)


def test_a_province_without_directives_on_the_topic_is_an_empty_column(index: Index) -> None:
    c = compare(index, HybridRetriever(index), COVID, ["Hà Nội"])
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


def test_grouping_is_complete_link() -> None:
    # a~b and b~c (cos 0.8) but a and c apart (cos 0.28): single link would chain all three.
    a = np.array([1.0, 0.0, 0.0])
    b = np.array([0.8, 0.6, 0.0])
    c = np.array([0.28, 0.96, 0.0])
    d = np.array([0.0, 0.0, 1.0])
    items = [Instruction(p, "d", f"c{n}", (), "t", "t", 1.0) for n, p in enumerate(["A", "B", "B", "A"])]
    groups = group_instructions(np.vstack([a, b, c, d]), items, threshold=0.75)
    assert [[m.chunk_id for m in g.members] for g in groups] == [["c0", "c1"], ["c2"], ["c3"]]
    assert [g.provinces for g in groups] == [("A", "B"), ("B",), ("A",)]
    assert [g.shared for g in groups] == [True, False, False]
    assert groups[0].similarity == 0.8


def test_threshold_by_embedder() -> None:
    assert threshold_for("hash-v1-256") == 0.5
    assert threshold_for("intfloat/multilingual-e5-small") == 0.915


def test_cli_side_by_side_and_json(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", COVID, "--index", str(root)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("KON TUM"))
    assert header.split() == ["KON", "TUM", "THÁI", "NGUYÊN", "ĐỒNG", "NAI"]
    assert "Điểm chung" in out and "Chỉ một tỉnh yêu cầu:" in out
    assert main(["compare", COVID, "--index", str(root), "--provinces", "Thái Nguyên,Đồng Nai", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "compare" and data["provinces"] == ["Thái Nguyên", "Đồng Nai"]
    assert data["columns"][0]["directives"][0]["number"] == "5749/UBND-TH"
    assert all(g["shared"] for g in data["shared"]) and not any(g["shared"] for g in data["unique"])


def test_cli_unknown_province_is_one_line(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", COVID, "--index", str(root), "--provinces", "Atlantis"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "chidao: không biết tỉnh 'Atlantis' (unknown province); tên cũ hoặc mới, ví dụ: Kon Tum, Quảng Ngãi"]
