"""Metadata, provinces and attachments on the five seed directives (exact values).

Gold values are the ones of shared/eval/dev_metadata.jsonl, copied here so the tests run on a fresh
machine; `test_matches_shared_gold_file` re-reads the shared file when it is present. Cites are
compared as sets against gold (gold does not always list them in text order) and as exact lists
against what the extractor documents: order of first appearance in the text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from ingest import provinces
from ingest.attachments import signatures, split_documents
from ingest.clean import clean
from ingest.metadata import DOC_NUMBER, explain_metadata, extract_metadata, find_doc_numbers, type_from_number
from ingest.model import CleanText, Metadata
from tests.conftest import seed_path

GOLD: dict[str, dict[str, object]] = {
    "000": {
        "type": "Công văn",
        "number": "1536/UBND-KTTH",
        "date": "2021-05-14",
        "issuer": "UBND tỉnh",
        "province": "Kon Tum",
        "signer": None,
        "cites": ["203-TB/TU", "117/2020/NĐ-CP"],
    },
    "001": {
        "type": "Thông báo",
        "number": None,
        "date": None,
        "issuer": "UBND tỉnh",
        "province": "Kon Tum",
        "signer": "Đặng Quang Hà",
        "cites": [
            "37/2016/QĐ-UBND",
            "03-NQ/TU",
            "21/NQ-HĐND",
            "2697/CTr-UBND",
            "13/2017/QĐ-UBND",
            "12/CT-UBND",
            "79/NQ-CP",
            "68/NQ-CP",
        ],
    },
    "002": {
        "type": "Thông báo",
        "number": "280/TB-UBND",
        "date": "2021-10-12",
        "issuer": "UBND tỉnh",
        "province": "Kon Tum",
        "signer": None,
        "cites": ["01-NQ/TU", "64/2020/NQ-HĐND"],
    },
    "003": {
        "type": "Công văn",
        "number": "5749/UBND-TH",
        "date": "2021-11-19",
        "issuer": "UBND tỉnh",
        "province": "Thái Nguyên",
        "signer": None,
        "cites": ["138/NQ-CP", "88/NQ-CP", "128/NQ-CP", "68/NQ-CP", "126/NQ-CP", "1498/QĐ-TTg"],
    },
    "004": {
        "type": "Công văn",
        "number": "8888/UBND-THNC",
        "date": "2020-07-30",
        "issuer": "UBND tỉnh Đồng Nai",
        "province": "Đồng Nai",
        "signer": "Cao Tiến Dũng",
        "cites": ["1098-KL/TU", "14-NQ/TU", "184/NQ-HĐND", "4019/QĐ-UBND", "01/NQ-CP"],
    },
}
GOLD_004_ATTACHMENT = {
    "type": "Kết luận",
    "number": "1098-KL/TU",
    "date": "2020-07-16",
    "issuer": "Tỉnh ủy Đồng Nai",
    "signer": "Hồ Thanh Sơn",
}
# The extractor's own order: first appearance in the text (gold lists 1498/QĐ-TTg last for 003).
CITES_IN_TEXT_ORDER = {
    "003": ("138/NQ-CP", "88/NQ-CP", "128/NQ-CP", "1498/QĐ-TTg", "68/NQ-CP", "126/NQ-CP"),
    "004#2": ("14-NQ/TU", "35-CT/TW", "290-CT/TU", "01/NQ-CP"),
}
SUCCESSOR = {"Kon Tum": "Quảng Ngãi", "Thái Nguyên": "Thái Nguyên", "Đồng Nai": "Đồng Nai"}


def _clean(prefix: str) -> CleanText:
    return clean(seed_path(prefix).read_text(encoding="utf-8"))


def _parts(prefix: str) -> list[Metadata]:
    """Like the pipeline: split, then extract each part on its own."""
    text = _clean(prefix)
    return [extract_metadata(text.slice(a, b), str(seed_path(prefix))) for a, b in split_documents(text)]


def _assert_gold(meta: Metadata, gold: Mapping[str, object]) -> None:
    for field in ("type", "number", "date", "issuer", "province", "signer"):
        if field in gold:
            assert getattr(meta, field) == gold[field], field
    if "cites" in gold:
        cites = gold["cites"]
        assert isinstance(cites, list)
        assert set(meta.cites) == set(cites)
        assert len(meta.cites) == len(set(meta.cites))
        assert meta.number not in meta.cites


@pytest.mark.parametrize("prefix", sorted(GOLD))
def test_seed_metadata_matches_gold(prefix: str) -> None:
    meta = _parts(prefix)[0]
    _assert_gold(meta, GOLD[prefix])
    province = GOLD[prefix]["province"]
    assert meta.province_2025 == SUCCESSOR[str(province)]


@pytest.mark.parametrize("prefix", sorted(GOLD))
def test_whole_file_gives_its_first_document(prefix: str) -> None:
    """extract_metadata on an unsplit file reads only the first document (004: not the Kết luận's cites)."""
    assert extract_metadata(_clean(prefix), "x") == _parts(prefix)[0]


def test_cites_in_order_of_first_appearance() -> None:
    assert _parts("000")[0].cites == ("203-TB/TU", "117/2020/NĐ-CP")
    assert _parts("003")[0].cites == CITES_IN_TEXT_ORDER["003"]
    assert _parts("004")[0].cites == ("1098-KL/TU", "14-NQ/TU", "184/NQ-HĐND", "4019/QĐ-UBND", "01/NQ-CP")
    assert _parts("004")[1].cites == CITES_IN_TEXT_ORDER["004#2"]


def test_seed_004_carries_the_ket_luan_after_the_signature() -> None:
    text = _clean("004")
    spans = split_documents(text)
    assert len(spans) == 2
    (a1, b1), (a2, b2) = spans
    assert a1 == 0 and b2 == len(text.text)
    assert text.text[a1:b1].endswith("CHỦ TỊCH\n\nCao Tiến Dũng")
    assert text.text[a2:b2].startswith("TỈNH ỦY ĐỒNG NAI\n\nSố 1098-KL/TU")
    attachment = _parts("004")[1]
    _assert_gold(attachment, GOLD_004_ATTACHMENT)
    assert attachment.province == "Đồng Nai"
    # The received-stamp "UBND TỈNH ĐỒNG NAI / Số: 7.17.BCS / ĐẾN Ngày: 23.7.2020" is not the header.
    assert attachment.number != "7.17.BCS" and attachment.date != "2020-07-23"
    assert attachment.subject is not None and "6 tháng cuối năm 2020" in attachment.subject


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_single_documents_are_not_split(prefix: str) -> None:
    text = _clean(prefix)
    assert split_documents(text) == [(0, len(text.text))]


def test_subjects_and_recipients() -> None:
    m000, m001, m002, m003 = (_parts(p)[0] for p in ("000", "001", "002", "003"))
    m004 = _parts("004")[0]
    assert m000.subject == (
        "chỉ đạo triển khai thực hiện Kết luận của Thường trực Tỉnh ủy tại Thông báo số 203-TB/TU ngày 10/5/2021"
    )
    assert m001.subject == "Kết quả phiên họp Ủy ban nhân dân tỉnh thường kỳ tháng 7 năm 2021"
    assert (
        m002.subject
        == "Phấn đấu hoàn thành cao nhất các mục tiêu kế hoạch phát triển KT-XH, QP-AN trong năm 2021"
    )
    assert m003.subject == "Triển khai thực hiện Nghị quyết Phiên họp Chính phủ thường kỳ tháng 10 năm 2021"
    assert m004.subject is not None and "triển khai thực hiện Kết luận số 1098-KL/TU" in m004.subject
    assert m004.recipients[:3] == (
        "Giám đốc, Thủ trưởng các sở, ngành tỉnh",
        "Chủ tịch UBND các huyện, thành phố",
        "Như trên (thực hiện)",
    )
    assert m001.recipients[0] == "Thường trực Tỉnh ủy (b/c)"  # the seed writes "Noi nhận"
    assert m001.recipients[-1] == "Lưu: VT, KTTH. VTH"
    assert m000.recipients == ()


def test_sources_say_where_each_field_came_from() -> None:
    assert explain_metadata(_clean("002")).sources["date"] == "lede"  # never the web "Ngày đăng"
    assert explain_metadata(_clean("003")).sources["province"] == "page around the text"
    assert explain_metadata(_clean("004")).sources["number"] == "header"


def test_signature_blocks_of_seed_004() -> None:
    found = signatures(_clean("004").text)
    assert [(s.title, s.name) for s in found] == [
        ("CHỦ TỊCH", "Cao Tiến Dũng"),
        ("T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ", "Hồ Thanh Sơn"),
    ]


def test_matches_shared_gold_file(shared: Path) -> None:
    path = shared / "eval" / "dev_metadata.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not present")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {r["doc"][:3] for r in rows} == set(GOLD)
    for row in rows:
        parts = _parts(row["doc"][:3])
        _assert_gold(parts[0], row)
        assert list(GOLD[row["doc"][:3]]["cites"]) == row["cites"]  # type: ignore[call-overload]
        if "subject_contains" in row:
            assert row["subject_contains"] in (parts[0].subject or "")
        for meta, gold in zip(parts[1:], row.get("attachments", []), strict=True):
            _assert_gold(meta, gold)


# --- document numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "1098-KL/TU",
        "14-NQ/TU",
        "37/2016/QĐ-UBND",
        "01/NQ-CP",
        "5348/CT-CS",
        "324/QTR-KTr2",
        "23/2025/TT-BTP",
        "2697/CTr-UBND",
        "60/2024/QH15",
        "1661/NQ-UBTVQH15",
        "21/2025/TT-BGDĐT",
        "347/TTr-CP",
        "94/VBHN-BQP",
    ],
)
def test_doc_number_regex_reads_real_numbers(number: str) -> None:
    assert find_doc_numbers(f"theo văn bản số {number}, ngày 15/8/2020.") == [number]


def test_doc_number_spacing_and_glued_so_are_normalised() -> None:
    assert find_doc_numbers("Số: 8888 /UBND-THNC") == ["8888/UBND-THNC"]
    assert find_doc_numbers("Tờ trình số347/TTr-CP và Thông tư số 16/2023/TT- BNV") == [
        "347/TTr-CP",
        "16/2023/TT-BNV",
    ]
    assert find_doc_numbers("Báo cáo thẩm tra 413\n/BC-UBPLTP15 ngày") == ["413/BC-UBPLTP15"]
    assert find_doc_numbers("Quyết định số 12/QÐ-UBND") == ["12/QĐ-UBND"]  # Icelandic eth of old fonts


@pytest.mark.parametrize(
    "text",
    [
        "trước ngày 15/8/2020",
        "ngày 20/08/2020.",
        "đã có 40/121 xã (chiếm tỷ lệ 33,05%)",
        "2021-2026/2030",
        "1/ Ban Chỉ đạo tỉnh",
        "QCVN 01:2021/BYT",
        "TI-M3/KL1098/92",
        "Số: 7.17.BCS",
        "COVID-19/2020",
        "tỷ lệ 3/4 số xã",
        "điểm 5/Ban",
    ],
)
def test_doc_number_regex_ignores_dates_ratios_and_codes(text: str) -> None:
    assert find_doc_numbers(text) == []


def test_doc_number_regex_is_linear_on_adversarial_input() -> None:
    t0 = time.perf_counter()
    for text in (
        "1/" + "A" * 100_000 + "é",
        "1/AB" + "-AB" * 30_000 + "é",
        "1-AB/" + "CD-" * 30_000,
        "1" * 100_000,
    ):
        list(DOC_NUMBER.finditer(text))
    assert time.perf_counter() - t0 < 5


def test_type_from_number_codes() -> None:
    assert type_from_number("37/2016/QĐ-UBND") == "Quyết định"
    assert type_from_number("1098-KL/TU") == "Kết luận"
    assert type_from_number("1536/UBND-KTTH") == "Công văn"
    assert type_from_number("2697/CTr-UBND") == "Chương trình"
    assert type_from_number("60/2024/QH15") is None  # a law or a resolution: the heading decides


# --- provinces ---------------------------------------------------------------------------------


def test_province_table_has_63_before_and_34_after() -> None:
    data = json.loads(
        (Path(provinces.__file__).parent / "data" / "provinces.json").read_text(encoding="utf-8")
    )
    assert "Nghị quyết 202/2025/QH15" in data["_source"]
    assert len(data["provinces_pre_2025"]) == 63 and len(data["provinces_2025"]) == 34
    current = {p["name"] for p in data["provinces_2025"]}
    assert {p["successor"] for p in data["provinces_pre_2025"]} == current
    absorbed = [n for p in data["provinces_2025"] for n in p["predecessors"]]
    assert sorted(absorbed) == sorted(p["name"] for p in data["provinces_pre_2025"])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Kon Tum", "Quảng Ngãi"),
        ("Bình Phước", "Đồng Nai"),
        ("Bắc Kạn", "Thái Nguyên"),
        ("Thừa Thiên Huế", "Huế"),
        ("Bình Dương", "TP Hồ Chí Minh"),
        ("Bà Rịa - Vũng Tàu", "TP Hồ Chí Minh"),
        ("Hà Giang", "Tuyên Quang"),
        ("Hòa Bình", "Phú Thọ"),
        ("Quảng Nam", "Đà Nẵng"),
        ("Hậu Giang", "Cần Thơ"),
        ("Đồng Nai", "Đồng Nai"),
        ("Hà Nội", "Hà Nội"),
    ],
)
def test_successor(old: str, new: str) -> None:
    assert provinces.successor(old) == new


@pytest.mark.parametrize(
    "spelling",
    ["Kon Tum", "kon tum", "KON TUM", "Kontum", "tỉnh Kon Tum", "Tỉnh Kon Tum", "kon  tum"],
)
def test_canonical_is_diacritic_and_case_insensitive(spelling: str) -> None:
    assert provinces.canonical(spelling) == "Kon Tum"


def test_canonical_variants_and_prefixes() -> None:
    assert provinces.canonical("Thừa Thiên - Huế") == "Thừa Thiên Huế"
    assert provinces.canonical("thanh pho Hue") == "Huế"
    assert (
        provinces.canonical("Bà Rịa-Vũng Tàu")
        == provinces.canonical("ba ria vung tau")
        == "Bà Rịa - Vũng Tàu"
    )
    for hcm in ("TP HCM", "TP.HCM", "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "tphcm"):
        assert provinces.canonical(hcm) == "TP Hồ Chí Minh"
    assert provinces.canonical("Đăk Lăk") == "Đắk Lắk"
    assert provinces.canonical("Hoà Bình") == "Hòa Bình"
    assert provinces.canonical("Biên Hòa") is None
    assert provinces.canonical("Tỉnh ủy Đồng Nai") is None


def test_names_for_and_predecessors() -> None:
    assert provinces.names_for("Quảng Ngãi") >= {"Kon Tum", "Quảng Ngãi"}
    assert provinces.names_for("quang ngai") == {"Kon Tum", "Quảng Ngãi"}
    assert provinces.names_for("Kon Tum") == {"Kon Tum"}  # a 2026 Quảng Ngãi directive is not Kon Tum's
    assert provinces.names_for("Thừa Thiên Huế") == {"Thừa Thiên Huế", "Huế"}  # a rename, not a merger
    assert provinces.predecessors("Đồng Nai") == ("Đồng Nai", "Bình Phước")
    assert provinces.predecessors("TP Hồ Chí Minh") == ("TP Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu")
    assert provinces.predecessors("Kon Tum") == ("Kon Tum",)
    assert provinces.names_for("Atlantis") == set()
    with pytest.raises(provinces.UnknownProvince):
        provinces.successor("Atlantis")


def test_a_2020_kon_tum_directive_is_found_under_both_names() -> None:
    meta = _parts("000")[0]
    assert meta.province in provinces.names_for("Kon Tum")
    assert meta.province in provinces.names_for("Quảng Ngãi")
    assert meta.province_2025 == "Quảng Ngãi"


def test_find_in_text() -> None:
    assert provinces.find_in_text("UBND TỈNH ĐỒNG NAI\n\nĐồng Nai, ngày 30 tháng 7 năm 2020") == "Đồng Nai"
    assert provinces.find_in_text("trên địa bàn thành phố Kon Tum, huyện Kon Plông") == "Kon Tum"
    assert provinces.find_in_text("Bạn biết tới Cổng thông tin PBGDPL Thái Nguyên qua đâu ?") == "Thái Nguyên"
    assert provinces.find_in_text("UBND tp. Hồ Chí Minh; tỉnh Bà Rịa-Vũng Tàu; TP. HCM") == "TP Hồ Chí Minh"
    # The person, and "hòa bình" (peace), are not provinces.
    assert provinces.find_in_text("học tập và làm theo tư tưởng Hồ Chí Minh vì hòa bình") is None
    assert provinces.find_in_text("KON TUM, NGÀY 1 THÁNG 2 NĂM 2021") == "Kon Tum"
