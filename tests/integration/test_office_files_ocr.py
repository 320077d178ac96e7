"""Real office files (issue 17): a Word 97-2003 .doc read by antiword, and scanned PDFs read by OCR.

The fixtures in tests/fixtures/office/ were made once from seed 004 (Đồng Nai, 8888/UBND-THNC)
by scripts/make_ocr_fixtures.py: the .doc by LibreOffice, the scans by rendering page 1 of
LibreOffice's PDF at 200 dpi to an image-only PDF (one clean, one turned 1.2° with noise), and a
mixed PDF (page 1 scanned, pages 2-8 with their text layer). scan_page1.truth is the text of
page 1 before it was rasterised. These tests need Debian's antiword and tesseract (+ the 'vie'
model): they skip without them, and fail in CI (CI=true), where scripts/setup.sh installs them.
"""

from __future__ import annotations

import io
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from ingest.assignments import extract_assignments
from ingest.model import IngestError, Metadata, RawText
from ingest.pipeline import IngestedFile, ingest_file, ingest_text
from ingest.readers import read
from ingest.sandbox import ingest_upload
from ingest.sections import parse_sections
from tests.conftest import SEEDS, require_tool

OFFICE = Path(__file__).resolve().parents[1] / "fixtures" / "office"
SEED = (SEEDS / "004_8e1e77f4468c0f15.txt").read_text(encoding="utf-8")
SEED_LINES = [line.strip() for line in SEED.replace("**", "").split("\n") if line.strip()]
TRUTH = (OFFICE / "scan_page1.truth").read_text(encoding="utf-8")
META = Metadata(
    type="Công văn", number="8888/UBND-THNC", date="2020-07-30", issuer="UBND tỉnh Đồng Nai",
    province="Đồng Nai", province_2025="Đồng Nai",
    subject="triển khai thực hiện Kết luận số 1098-KL/TU ngày 16/7/2020 về một số nhiệm vụ trọng tâm "
            "cần thực hiện trong 6 tháng cuối năm 2020",
)
SO_Y_TE = ("Giao Sở Y tế: Chủ động nắm thông tin, phối hợp chặt chẽ với các sở, ban, ngành, địa phương liên "
           "quan tổ chức thực hiện tốt công tác phòng chống dịch bệnh Covid -19 đang diễn biến phức tạp trở lại.")


def words(text: str) -> str:
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute: 1 each), row by row."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(ocr: str, truth: str) -> float:
    """1 - edit distance / length of the truth, over whitespace-collapsed NFC text."""
    a, b = words(unicodedata.normalize("NFC", ocr)), words(unicodedata.normalize("NFC", truth))
    return 1 - edit_distance(a, b) / len(b)


@cache
def raw_read(name: str) -> RawText:
    """Each scan is OCR'd once per run (the sandbox test reads its own)."""
    return read(OFFICE / name)


@cache
def ocr_read(name: str) -> IngestedFile:
    """What `ingest_file` makes of the file, from the one reading."""
    raw = raw_read(name)
    return ingest_text(raw.text, Path(name).stem, str(OFFICE / name), raw.sha256, raw.ocr)


def meta_core(m: Metadata) -> Metadata:
    return Metadata(m.type, m.number, m.date, m.issuer, m.province, m.province_2025, m.subject)


# --- legacy .doc ------------------------------------------------------------------------------


def test_doc_text_is_the_seed_in_nfc() -> None:
    require_tool("antiword")
    raw = read(OFFICE / "dong_nai_8888.doc")
    assert (raw.format, raw.encoding, raw.ocr) == ("doc", "doc", None)
    assert unicodedata.is_normalized("NFC", raw.text)
    assert [line for line in raw.text.split("\n") if line.strip()] == SEED_LINES
    assert raw.text.split("\n")[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI", "Số: 8888 /UBND-THNC"]
    assert "- Chủ tịch UBND các huyện, thành phố." in raw.text.split("\n")


def test_doc_metadata_and_sections() -> None:
    require_tool("antiword")
    ingested = ingest_file(OFFICE / "dong_nai_8888.doc")
    doc, annex = ingested.documents
    assert meta_core(doc.meta) == META
    assert doc.meta.signer == "Cao Tiến Dũng"
    assert (annex.id, annex.meta.number, annex.meta.date, annex.meta.type) == (
        "dong_nai_8888#2", "1098-KL/TU", "2020-07-16", "Kết luận")
    top = [s.path[0] for s in parse_sections(doc.text.text) if len(s.path) == 1]
    assert top[:15] == [
        "Kính gửi:",
        "1. Yêu cầu các sở, ngành và UBND các huyện, thành phố",
        "2. Giao Sở Kế hoạch và Đầu tư",
        "3. Giao Sở Công Thương",
        "4. Giao Sở Nông nghiệp và Phát triển Nông thôn:",
        "5. Giao Sở Giao thông Vận tải:",
        "6. Giao Sở Tài nguyên và Môi trường",
        "7. Sở Lao động - Thương binh và Xã hội:",
        "8. Giao Sở Y tế:",
        "9. Giao Sở Nội vụ:",
        "10. Giao Công an tỉnh:",
        "11. Giao Thanh tra tỉnh:",
        "12. Giao Cục thuế tỉnh:",
        "13. Giao Bảo hiểm xã hội tỉnh:",
        "14. Giao Cục Quản lý Thị trường tỉnh:",
    ]
    assert top[-2:] == ["Nơi nhận:", "CHỦ TỊCH Cao Tiến Dũng"]  # the signature is a named section
    tasks = extract_assignments(doc, [c for c in ingested.chunks if c.doc_id == doc.id])
    assert ("Sở Y tế", "giao", SO_Y_TE) in {(a.agency, a.role, a.task) for a in tasks}


# --- scanned PDFs -----------------------------------------------------------------------------


def test_truth_is_the_seed_page() -> None:
    """The ground truth is the seed's own text (page 1 of it), not an earlier OCR."""
    seed = words(SEED.replace("**", ""))
    assert len(words(TRUTH)) > 2000
    assert seed.startswith(words(TRUTH))


@pytest.mark.parametrize("name", ["scan_page1.pdf", "scan_page1_skewed.pdf"])
def test_scan_ocr_accuracy(name: str) -> None:
    require_tool("tesseract", "vie")
    raw = raw_read(name)
    assert raw.format == "pdf"
    assert raw.ocr is not None and raw.ocr.pages == (1,)
    assert raw.ocr.confidence >= 90.0
    assert unicodedata.is_normalized("NFC", raw.text)
    accuracy = char_accuracy(raw.text, TRUTH)
    print(f"{name}: character accuracy {accuracy:.4f} vs the seed page, confidence {raw.ocr.confidence}")
    assert accuracy >= 0.95
    assert raw.text.split("\n")[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG NAI", "Số: 8888 /UBND-THNC"]


@pytest.mark.parametrize("name", ["scan_page1.pdf", "scan_page1_skewed.pdf"])
def test_scan_metadata_and_tasks(name: str) -> None:
    require_tool("tesseract", "vie")
    ingested = ocr_read(name)
    (doc,) = ingested.documents
    assert meta_core(doc.meta) == META
    assert doc.ocr is not None and doc.ocr.pages == (1,)
    heading = "1. Yêu cầu các sở, ngành và UBND các huyện, thành phố"
    assert heading in [s.path[0] for s in parse_sections(doc.text.text)]
    tasks = extract_assignments(doc, ingested.chunks)
    first = "Tiếp tục triển khai thực hiện có hiệu quả Nghị quyết số 01/NQ-CP của Chính phủ về nhiệm vụ"
    found = {(a.agency, a.role) for a in tasks if a.task.startswith(first)}
    assert found == {("Các sở, ban, ngành", "collective"), ("UBND các huyện, thành phố", "collective")}


def test_mixed_pdf_text_pages_and_scanned_page() -> None:
    require_tool("tesseract", "vie")
    ingested = ocr_read("mixed.pdf")
    doc, annex = ingested.documents
    assert doc.ocr is not None and doc.ocr.pages == (1,)
    assert annex.ocr is None  # the annex (Kết luận 1098, later pages) has its text layer: no OCR mark
    assert meta_core(doc.meta) == META
    assert annex.meta.number == "1098-KL/TU"
    text = doc.text.text
    assert text.startswith("ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI\nSố: 8888 /UBND-THNC\n")  # OCR, page 1
    assert "8. " + SO_Y_TE in text  # text layer, page 3
    tasks = {(a.agency, a.role, a.task, a.deadline) for a in extract_assignments(doc, ingested.chunks)}
    assert ("Sở Y tế", "giao", SO_Y_TE, None) in tasks
    deadlines = {(agency, deadline) for agency, _, _, deadline in tasks if deadline}
    assert deadlines == {("Các sở, ngành và địa phương", "2020-08-15"), ("Sở Kế hoạch và Đầu tư", "2020-08-20")}


# --- limits: the upload sandbox -----------------------------------------------------------------


def image_pdf(pages: int) -> bytes:
    """`pages` pages that are images only (a blank grey sheet each): a scan with no text layer."""
    sheet = Image.new("L", (170, 240), 250)
    buf = io.BytesIO()
    sheet.save(buf, "PDF", resolution=20.0, save_all=True, append_images=[sheet] * (pages - 1))
    return buf.getvalue()


def test_300_page_scan_is_refused_before_ocr(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        ingest_upload(image_pdf(300), "scan-300.pdf", tmp_path)
    assert str(err.value) == ("scan-300.pdf: 300 scanned pages (no text layer) need OCR, over the "
                              "20-page OCR limit (CHIDAO_OCR_MAX_PAGES)")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_ocr_inside_the_sandbox_and_its_time_limit(tmp_path: Path) -> None:
    require_tool("tesseract", "vie")
    from ingest.sandbox import Limits

    data = (OFFICE / "mixed.pdf").read_bytes()
    with pytest.raises(IngestError) as err:
        ingest_upload(data, "mixed.pdf", tmp_path, Limits(seconds=11.0))  # an OCR budget of 1 s
    assert err.value.reason == "OCR stopped at page 1: over the 1 s OCR time limit (CHIDAO_OCR_SECONDS)"
    ingested = ingest_upload(data, "mixed.pdf", tmp_path)  # the default limits: 1 GB, 20 pages, 110 s
    assert [d.ocr.pages if d.ocr else None for d in ingested.documents] == [(1,), None]
    assert meta_core(ingested.documents[0].meta) == META
    assert re.fullmatch(r"\d+\.\d", f"{ingested.documents[0].ocr.confidence}")  # type: ignore[union-attr]


def test_scan_without_tesseract_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    with pytest.raises(IngestError) as err:
        read(OFFICE / "scan_page1.pdf")
    assert err.value.reason == ("scanned PDF: OCR needs Debian's tesseract-ocr (apt-get install tesseract-ocr "
                                "tesseract-ocr-vie, or run scripts/setup.sh as root)")


def test_ocr_info_in_the_store_and_the_api_metadata(tmp_path: Path) -> None:
    require_tool("tesseract", "vie")
    from api.models import DocMetaOut
    from index.embedders.base import get_embedder
    from index.index import Index
    from index.writer import write
    from service.reading import doc_meta

    ingested = ocr_read("scan_page1_skewed.pdf")
    write(tmp_path / "idx", [ingested], get_embedder("hash"))
    stored = Index(tmp_path / "idx").load().store.document("scan_page1_skewed")
    assert stored is not None and stored.ocr == ingested.documents[0].ocr
    out = DocMetaOut.from_meta(doc_meta(stored)).model_dump(mode="json")
    assert out["number"] == "8888/UBND-THNC"
    assert out["ocr"] == {"pages": [1], "confidence": stored.ocr.confidence}  # type: ignore[union-attr]
    from ui.views import doc_label

    assert doc_label(out) == f"Công văn 8888/UBND-THNC · 30/07/2020 · Đồng Nai · OCR {stored.ocr.confidence:.0f}%"  # type: ignore[union-attr]
