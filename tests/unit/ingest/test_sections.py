from __future__ import annotations

from ingest.chunk import chunk_document
from ingest.clean import clean
from ingest.sections import parse_sections
from tests.conftest import seed_path

HEAD_001_I = (
    "I. Về công tác chỉ đạo, điều hành của Ủy ban nhân dân tỉnh và tình hình kinh tế - xã hội "
    "tháng 7 và 7 tháng đầu năm 2021:"
)


def _text(prefix: str) -> str:
    return clean(seed_path(prefix).read_text(encoding="utf-8")).text


def test_seed_001_has_14_numbered_units_under_I_and_II_on_its_own() -> None:
    sections = parse_sections(_text("001"))
    top = [s for s in sections if len(s.keys) == 1]
    assert [s.keys[0] for s in top] == ["I", "II", "recipients", "signature"]
    assert top[0].path == (HEAD_001_I,)
    assert top[1].path == ("II. Giao Sở Kế hoạch và Đầu tư:",)
    under_i = [s for s in sections if len(s.keys) == 2 and s.keys[0] == "I"]
    assert [s.keys[1] for s in under_i] == [str(n) for n in range(1, 15)]
    assert [s.path[-1] for s in under_i][:8] == [
        "1. Thủ trưởng các sở, ban ngành, đơn vị thuộc tỉnh, Chủ tịch Ủy ban nhân dân các huyện, thành phố:",
        "2. Sở Kế hoạch và Đầu tư:",
        "3. Sở Tài chính:",
        "4. Sở Nông nghiệp và Phát triển nông thôn:",
        "5. Sở Công Thương:",
        "6. Sở Tài nguyên và Môi trường:",
        "7. Sở Y tế:",
        "8. Sở Lao động, Thương binh và Xã hội:",
    ]


def test_seed_001_bullets_of_so_y_te_carry_its_heading() -> None:
    chunks = chunk_document("001", _text("001"))
    yte = [c for c in chunks if c.chunk_id.startswith("001:I/7/")]
    assert [c.chunk_id for c in yte] == ["001:I/7/-1", "001:I/7/-2", "001:I/7/-3"]
    for c in yte:
        assert c.section_path == (HEAD_001_I, "7. Sở Y tế:")
        assert c.index_text.startswith(HEAD_001_I + " > 7. Sở Y tế:\n- ")
    assert yte[1].text.startswith("- Chủ trì, phối hợp với các đơn vị có liên quan thực hiện cải tạo cơ sở vật chất")
    # No chunk for the bare heading: its bullets carry it.
    assert "001:I/7" not in {c.chunk_id for c in chunks}


def test_seed_001_inline_heading_and_section_ii() -> None:
    chunks = {c.chunk_id: c for c in chunk_document("001", _text("001"))}
    c10 = chunks["001:I/10"]
    assert c10.section_path == (HEAD_001_I, "10. Sở Văn hóa, Thể thao và Du lịch:")
    assert c10.text.startswith("10. Sở Văn hóa, Thể thao và Du lịch: Đẩy mạnh công tác tuyên truyền")
    c2 = chunks["001:II"]
    assert c2.section_path == ("II. Giao Sở Kế hoạch và Đầu tư:",)
    assert c2.text.startswith("II. Giao Sở Kế hoạch và Đầu tư: Tổng hợp kết quả triển khai nhiệm vụ nêu trên")


def test_chunk_spans_point_at_their_text() -> None:
    text = _text("004")
    for c in chunk_document("004", text):
        assert text[c.start : c.end] == c.text
        assert len(c.text) <= 1200


def test_chunk_ids_are_unique_and_stable() -> None:
    text = _text("001")
    first = [c.chunk_id for c in chunk_document("001", text)]
    assert len(first) == len(set(first))
    assert first == [c.chunk_id for c in chunk_document("001", text)]


def test_unnumbered_letter_is_chunked_by_paragraph() -> None:
    chunks = chunk_document("000", _text("000"))
    assert [c.chunk_id for c in chunks] == [f"000:p{n}" for n in range(1, 9)]
    assert chunks[2].text.startswith("UBND tỉnh giao Sở Y tế chủ trì")


def test_004_numbered_items_do_not_nest_under_the_address_bullets() -> None:
    sections = parse_sections(_text("004"))
    tops = [s.keys[0] for s in sections if len(s.keys) == 1]
    assert tops[:16] == ["address"] + [str(n) for n in range(1, 15)] + ["*1"]
    giao_yte = next(s for s in sections if s.keys == ("8",))
    assert giao_yte.path == ("8. Giao Sở Y tế:",)
