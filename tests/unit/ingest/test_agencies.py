"""The agency alias table: spellings from real headers, folded and abbreviated forms, the 2025
reorganisation (Nghị định 45/2025/NĐ-CP)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from ingest.agencies import UnknownAgency, canonical, name_key, predecessors, successors, table
from ingest.pipeline import ingest_file
from tests.conftest import seed_path

LDTBXH = "Sở Lao động - Thương binh và Xã hội"


@pytest.mark.parametrize("spelling", [
    "Sở LĐ-TB&XH", "Sở LĐTB&XH", "Sở LĐTBXH", "Sở Lao động - Thương binh và Xã hội",
    "Sở Lao động, Thương binh và Xã hội", "so lao dong thuong binh va xa hoi", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    "Giám đốc Sở Lao động, Thương binh và Xã hội", "so ld-tb&xh",
])
def test_every_spelling_of_ldtbxh_is_one_agency(spelling: str) -> None:
    assert canonical(spelling) == LDTBXH


@pytest.mark.parametrize(("spelling", "name"), [
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH và ĐT", "Sở Kế hoạch và Đầu tư"),
    ("so ke hoach va dau tu", "Sở Kế hoạch và Đầu tư"),
    ("Giám đốc Sở Kế hoạch và Đầu tư", "Sở Kế hoạch và Đầu tư"),
    ("ngành Y tế", "Sở Y tế"),
    ("so y te", "Sở Y tế"),
    ("Sở VH-TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),  # old tone placement
    ("Cục thuế tỉnh", "Cục Thuế tỉnh"),
    ("Sở Nông nghiệp và Phát triển Nông thôn", "Sở Nông nghiệp và Phát triển nông thôn"),
])
def test_abbreviations_titles_and_folding(spelling: str, name: str) -> None:
    assert canonical(spelling) == name


def test_abbreviation_letters_join_whatever_separates_them() -> None:
    assert name_key("Sở LĐ-TB&XH") == name_key("Sở LĐTBXH") == name_key("sở lđ tb&xh") == "so ldtbxh"
    assert name_key("Sở Y tế") == "so y te"  # "Y" has a vowel: a word, not an abbreviation piece


def test_unknown_name_is_an_error() -> None:
    with pytest.raises(UnknownAgency):
        canonical("Sở Hàng không Vũ trụ")


def test_2025_reorganisation() -> None:
    assert successors("Sở KH&ĐT") == ("Sở Tài chính",)
    assert predecessors("Sở Tài chính") == ("Sở Kế hoạch và Đầu tư",)
    assert predecessors("Sở Nông nghiệp và Môi trường") == ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn")
    assert successors("Sở Giao thông Vận tải") == ("Sở Xây dựng",)
    assert successors("Sở TT&TT") == ("Sở Khoa học và Công nghệ",)
    assert successors("Sở LĐ-TB&XH") == ("Sở Nội vụ",)
    assert successors("Sở Y tế") == () and predecessors("Sở Y tế") == ()


def test_the_data_file_names_its_source() -> None:
    raw = json.loads(resources.files("ingest").joinpath("data/agencies.json").read_text(encoding="utf-8"))
    assert "Nghị định 45/2025/NĐ-CP" in raw["reorganisation"]["source"]
    assert table().source == raw["reorganisation"]["source"]


def test_find_in_a_seed_sentence_keeps_the_written_spans() -> None:
    doc = ingest_file(seed_path("000")).documents[0]
    text = doc.text.text
    start = text.index("Công an tỉnh, UBND các huyện")
    found = table().find(text[start : start + 60])
    assert [(m.name, text[start + m.start : start + m.end], m.agency.collective) for m in found] == [
        ("Công an tỉnh", "Công an tỉnh", False),
        ("UBND các huyện, thành phố", "UBND các huyện, thành phố", True),
    ]


def test_collectives_covering_a_department() -> None:
    assert "Các sở, ban, ngành" in table().collectives_covering("Sở Y tế")
    assert "UBND các huyện, thành phố" not in table().collectives_covering("Sở Y tế")
