"""Every character of a document's clean text is in a chunk or in a region the code names as
excluded (recipients, address, signature, a heading its children carry): nothing is silently
unsearchable (ingest.coverage)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.coverage import coverage, excluded_regions
from ingest.pipeline import expand_paths, ingest_file, ingest_text

SEEDS = Path(__file__).resolve().parents[3] / "sample" / "seeds"


def _uncovered(path: Path) -> list[tuple[str, str]]:
    f = ingest_file(path)
    out = []
    for d in f.documents:
        c = coverage(d.id, d.text.text, f.chunks)
        out += [(d.id, d.text.text[a:b][:80]) for a, b in c.uncovered]
        # An excluded region never swallows content: a recipients list or a signature is short.
        for name, a, b in excluded_regions(d.text.text):
            if name in ("recipients", "signature"):
                assert b - a < 3000, f"{d.id}: {name} region of {b - a} characters at {a}"
    return out


def test_bundled_seeds_are_fully_covered() -> None:
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5
    assert [u for p in paths for u in _uncovered(p)] == []


@pytest.mark.parametrize("folder", ["corpus/seeds", "corpus/provinces", "eval/dev2025/corpus"])
def test_every_shared_document_is_fully_covered(shared: Path, folder: str) -> None:
    paths = expand_paths([shared / folder])
    assert paths
    assert [u for p in paths for u in _uncovered(p)] == []


def test_a_line_appended_after_the_signature_is_searchable() -> None:
    # Seed 003 is a crawled portal page: what follows its site trailer is web chrome, cut by clean.
    kept = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8") + "\n\nGhi chú bổ sung: gửi báo cáo về Văn phòng trước ngày 20/12.\n"
        f = ingest_text(raw, path.stem, str(path))
        in_text = any("Ghi chú bổ sung: gửi báo cáo" in d.text.text for d in f.documents)
        in_chunk = any("Ghi chú bổ sung: gửi báo cáo" in c.text for c in f.chunks)
        assert in_text == in_chunk, path.name
        kept.append(in_chunk)
    assert kept == [True, True, True, False, True]


def test_an_annex_after_the_signature_is_a_section_with_chunks() -> None:
    raw = ("UBND TỈNH LÂM ĐỒNG\nSố: 12/KH-UBND\nLâm Đồng, ngày 05 tháng 01 năm 2026\n\nKẾ HOẠCH\nCông tác năm 2026\n\n"
           "1. Sở Y tế chủ trì triển khai tiêm chủng mở rộng.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
           "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An\n\n"
           "PHỤ LỤC I\nDANH MỤC NHIỆM VỤ\n(Kèm theo Kế hoạch số 12/KH-UBND ngày 05/01/2026)\n\n"
           "Sở Tài chính bố trí kinh phí thực hiện các nhiệm vụ của kế hoạch.\n")
    f = ingest_text(raw, "k", "k.txt")
    (doc,) = f.documents
    annex = [c for c in f.chunks if c.section_path[:1] == ("PHỤ LỤC I DANH MỤC NHIỆM VỤ",)]
    assert [c.chunk_id for c in annex] == ["k:PLI"]
    assert "Sở Tài chính bố trí kinh phí" in annex[0].text
    regions = [(n, doc.text.text[a:b].strip()) for n, a, b in excluded_regions(doc.text.text)]
    assert regions == [("recipients", "Nơi nhận:\n- Như trên;\n- Lưu: VT."),
                       ("signature", "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH\nNguyễn Văn An")]
    assert coverage(doc.id, doc.text.text, f.chunks).share == 1.0
