"""ingest.readers: format sniffing, decoding, legacy Vietnamese encodings, limits and errors.

Every fixture is generated in tmp_path from the sample seeds (real directives) or built
by hand (a minimal PDF, docx files written with python-docx).
"""

from __future__ import annotations

import io
import os
import pathlib
import random
import shutil
import stat
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from pypdf import PdfReader, PdfWriter

import ingest.readers.doc as doc_reader
import ingest.readers.docx as docx_reader
import ingest.readers.pdf as pdf_reader
from ingest import readers
from ingest.model import IngestError, RawText
from ingest.readers import read, reader_for
from ingest.readers.docx_numbering import Numbering
from ingest.readers.legacy import TCVN3_BYTES, VNI_TABLE, detect_legacy, is_syllable, to_unicode
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[3]
SEEDS = sorted((ROOT / "sample" / "seeds").glob("*.txt"))
PROVINCES = ROOT.parent / "shared" / "corpus" / "provinces"  # read only, never copied here
SEED_TEXTS = {p.name: p.read_text(encoding="utf-8") for p in SEEDS}
SEED0 = SEED_TEXTS["000_e039e5926f709e92.txt"]
LINE = "Ủy ban nhân dân tỉnh Kon Tum yêu cầu các Sở, ban ngành thực hiện nghiêm Công văn số 1536/UBND-KTTH."

TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # acute grave hook tilde dot: VNI's order
_LOWER = {unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in ("", *TONES)}
VIETNAMESE_LETTERS = frozenset(_LOWER | {ch.upper() for ch in _LOWER} | {"đ", "Đ"})
NON_ASCII_LETTERS = frozenset(ch for ch in VIETNAMESE_LETTERS if not ch.isascii())


# --- legacy encoders, written independently of the decoders ------------------------------------

TCVN3_ENCODE = {letter: byte for byte, letter in TCVN3_BYTES.items() if len(letter) == 1} | {"ý": 0xFD}
VNI_TONE = dict(zip(TONES, "ùøûõï"))
VNI_CIRCUMFLEX = dict(zip(("", *TONES), "âáàåãä"))
VNI_BREVE = dict(zip(("", *TONES), "êéèúüë"))
VNI_I = dict(zip(("", *TONES), "iíìæóò"))


def vni_letter(letter: str) -> str:
    """One Unicode letter in VNI-Windows: ASCII base + modifier, or a single byte."""
    upper = letter.isupper()
    nfd = unicodedata.normalize("NFD", letter.lower())
    base, marks = nfd[0], nfd[1:]
    tone = next((m for m in marks if m in TONES), "")
    quality = next((m for m in marks if m not in TONES), "")
    if base == "đ":
        out = "ñ"
    elif base == "i":
        out = VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        out = "î"
    elif quality == "\u031b":  # horn: ơ -> ô, ư -> ö, then the tone
        out = {"o": "ô", "u": "ö"}[base] + (VNI_TONE[tone] if tone else "")
    elif quality == "\u0302":
        out = base + VNI_CIRCUMFLEX[tone]
    elif quality == "\u0306":
        out = base + VNI_BREVE[tone]
    else:
        out = base + (VNI_TONE[tone] if tone else "")
    return out.upper() if upper else out


def to_vni(text: str) -> str:
    return "".join(vni_letter(ch) if ch in NON_ASCII_LETTERS else ch for ch in text)


def to_tcvn3(text: str) -> str:
    """Latin-1 view of the TCVN3 bytes; characters TCVN3 lacks stay as they are."""
    return "".join(chr(TCVN3_ENCODE[ch]) if ch in TCVN3_ENCODE else ch for ch in text)


# Characters of the seeds that no 8-bit Vietnamese encoding has ("ő" is a typo in seed 001).
BYTE_SAFE = str.maketrans({"“": '"', "”": '"', "–": "-", "•": "*", "ő": "ố"})


def legacy_bytes(text: str, encoding: str) -> bytes:
    view = to_tcvn3(text) if encoding == "tcvn3" else to_vni(text)
    return view.encode("latin-1")


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 has ă â ê ô ơ ư đ precomposed but the five tones only as combining marks:
    'Ủy ban'.encode('cp1258') fails, 'U' + hook + 'y ban' encodes."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        nfd = unicodedata.normalize("NFD", ch)
        tone = "".join(m for m in nfd if m in TONES)
        base = unicodedata.normalize("NFC", "".join(m for m in nfd if m not in TONES))
        out += (base + tone).encode("cp1258")
    return bytes(out)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def reason(path: Path) -> str:
    with pytest.raises(IngestError) as info:
        read(path)
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: {info.value.reason}"
    assert "\n" not in str(info.value)
    return info.value.reason


# --- legacy tables -------------------------------------------------------------------------------


def test_vietnamese_letter_set_is_the_134_of_the_standards() -> None:
    assert len(NON_ASCII_LETTERS) == 134


def test_tcvn3_table_has_every_letter_once() -> None:
    letters = [ch for ch in TCVN3_BYTES.values() if not unicodedata.combining(ch)]
    assert len(letters) == len(set(letters)) == 133  # + ý, which is its own byte 0xFD
    assert set(letters) | {"ý"} == NON_ASCII_LETTERS
    assert [TCVN3_BYTES[b] for b in range(0xB0, 0xB5)] == ["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def test_tcvn3_table_matches_glibc_iconv() -> None:
    """glibc's TCVN5712-1 converter is an independent implementation of TCVN 5712:1993 (VN1)."""
    iconv = shutil.which("iconv")
    probe = subprocess.run([iconv or "iconv", "-l"], check=False, capture_output=True, text=True) if iconv else None
    if probe is None or "TCVN5712-1" not in probe.stdout:
        pytest.skip("glibc iconv with TCVN5712-1 not available")
    codes = sorted(TCVN3_BYTES)
    raw = b"\n".join(bytes([b]) for b in codes)
    command = ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"]
    done = subprocess.run(command, input=raw, capture_output=True, check=True)
    assert done.stdout.decode("utf-8").split("\n") == [TCVN3_BYTES[b] for b in codes]


def test_vni_table_has_every_letter() -> None:
    assert set(VNI_TABLE.values()) | {"í", "ì", "Í", "Ì"} == NON_ASCII_LETTERS
    for letter in NON_ASCII_LETTERS - {"í", "ì", "Í", "Ì"}:
        assert VNI_TABLE[vni_letter(letter)] == letter


def test_brief_examples_convert() -> None:
    assert to_unicode("Uû ban nh©n d©n tØnh", "tcvn3") == "Uỷ ban nhân dân tỉnh"
    assert to_unicode("UÛy ban nhaân daân tænh", "vni") == "Ủy ban nhân dân tỉnh"
    assert detect_legacy("Uû ban nh©n d©n tØnh") == "tcvn3"
    assert detect_legacy("UÛy ban nhaân daân tænh") == "vni"


def test_vni_national_motto() -> None:
    motto = "COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM\nÑoäc laäp - Töï do - Haïnh phuùc"
    assert to_unicode(motto, "vni") == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    assert to_unicode("ngöôøi söû duïng", "vni") == "người sử dụng"


def test_tcvn3_windows_1252_view_keeps_real_punctuation() -> None:
    # Bytes 0x97 (Ộ) and 0x85 (Ặ) read as Windows-1252 are an em dash and an ellipsis:
    # converted between letters, left alone next to spaces and quotes.
    assert to_unicode("C—NG H…T", "tcvn3") == "CỘNG HẶT"
    assert to_unicode("“Quy chÕ” – v.v…", "tcvn3") == "“Quy chế” – v.v…"
    assert to_unicode("\x97", "tcvn3") == "Ộ"  # the Latin-1 view is never ambiguous


@pytest.mark.parametrize("name", sorted(SEED_TEXTS))
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_seed_round_trip(name: str, encoding: str) -> None:
    original = unicodedata.normalize("NFC", SEED_TEXTS[name])
    encoded = to_tcvn3(original) if encoding == "tcvn3" else to_vni(original)
    assert encoded != original
    assert detect_legacy(encoded) == encoding
    assert to_unicode(encoded, encoding) == original  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(SEED_TEXTS))
def test_detector_ignores_unicode_seeds(name: str) -> None:
    assert detect_legacy(SEED_TEXTS[name]) is None


def test_detector_ignores_province_documents() -> None:
    files = sorted(PROVINCES.glob("*.md"))[:20]
    if len(files) < 20:
        pytest.skip("shared corpus not available")
    assert [detect_legacy(p.read_text(encoding="utf-8")) for p in files] == [None] * 20


def test_detector_ignores_english() -> None:
    english = (
        "The Provincial People's Committee © 2021 asked the café owners in Kon Tum to keep a naïve "
        "résumé of “hygiene rules” — déjà vu for the façade façon, Müller said… ±5 °C, 50% × 2."
    )
    assert detect_legacy(english) is None
    assert detect_legacy("") is None
    assert detect_legacy("plain ASCII only, 1536/UBND-KTTH") is None


def test_syllable_check() -> None:
    assert [is_syllable(w) for w in ("người", "khuỷu", "Nghiêng", "quốc", "giữa", "oanh")] == [True] * 6
    assert [is_syllable(w) for w in ("nhaân", "tổnh", "cafộ", "café", "nh©n", "tiờỡng")] == [False] * 6


# --- text files and encodings --------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_seed_files_read_exactly(seed: Path) -> None:
    assert read(seed) == RawText(str(seed), SEED_TEXTS[seed.name], "txt", "utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe" + SEED0.encode("utf-16-le"),
        b"\xfe\xff" + SEED0.encode("utf-16-be"),
        SEED0.encode("utf-16-le"),
        SEED0.encode("utf-16-be"),
    ],
    ids=["le-bom", "be-bom", "le", "be"],
)
def test_utf16(tmp_path: Path, data: bytes) -> None:
    raw = read(write(tmp_path, "seed.txt", data))
    assert (raw.text, raw.encoding, raw.format) == (SEED0, "utf-16", "txt")


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "seed.md", b"\xef\xbb\xbf" + SEED0.encode("utf-8")))
    assert (raw.text, raw.encoding, raw.format) == (SEED0, "utf-8", "md")


def test_cp1258(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        "Ủy ban".encode("cp1258")
    assert cp1258_bytes("Ủy ban") == b"U\xd2y ban"
    for name, text in SEED_TEXTS.items():
        safe = text.translate(BYTE_SAFE)
        raw = read(write(tmp_path, name, cp1258_bytes(safe)))
        assert (raw.text, raw.encoding) == (safe, "cp1258")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_files(tmp_path: Path, encoding: str) -> None:
    for name, text in SEED_TEXTS.items():
        safe = text.translate(BYTE_SAFE)
        raw = read(write(tmp_path, name, legacy_bytes(safe, encoding)))
        assert (raw.text, raw.encoding) == (safe, encoding)


def test_utf8_with_a_damaged_byte(tmp_path: Path) -> None:
    data = SEED0.encode("utf-8")
    cut = data.index("tỉnh".encode()) + 2  # inside the three bytes of "ỉ"
    raw = read(write(tmp_path, "crawl.txt", data[:cut] + data[cut + 1 :]))
    assert (raw.text, raw.encoding) == (SEED0.replace("tỉnh", "t\ufffdnh", 1), "utf-8")


def test_legacy_gibberish_saved_as_utf8(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "pasted.txt", "Uû ban nh©n d©n tØnh Kon Tum\n".encode()))
    assert (raw.text, raw.encoding) == ("Uỷ ban nhân dân tỉnh Kon Tum\n", "tcvn3")
    for name, text in SEED_TEXTS.items():
        for encoding, encode in (("tcvn3", to_tcvn3), ("vni", to_vni)):
            raw = read(write(tmp_path, name, encode(text).encode("utf-8")))
            assert (raw.text, raw.encoding) == (text, encoding)


# --- HTML ------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Cổng thông tin</title><style>p { color: red }</style>
<script>var x = "<p>không hiện</p>";</script></head>
<body><nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a></nav>
<div class="content"><h1>THÔNG BÁO</h1>
<p>Kết quả phiên họp   Ủy ban nhân dân&nbsp;tỉnh<br>tháng 7 năm 2021</p>
<table><tr><td><p>ỦY BAN NHÂN DÂN</p><p>TỈNH KON TUM</p></td><td></td><td>CỘNG HÒA</td></tr>
<tr><td>Số: 280/TB-UBND</td><th>Kon Tum, ngày 12/10/2021</th></tr></table>
<ul><li>Sở Y tế &amp; Sở Tài chính</li><li>UBND các <b>huyện</b></li></ul>
<script>track();</script><!-- bình luận --><noscript>Bật JavaScript</noscript></div></body></html>
"""
PAGE_TEXT = (
    "THÔNG BÁO\nKết quả phiên họp Ủy ban nhân dân tỉnh\ntháng 7 năm 2021\n"
    "ỦY BAN NHÂN DÂN TỈNH KON TUM | | CỘNG HÒA\n"
    "Số: 280/TB-UBND | Kon Tum, ngày 12/10/2021\nSở Y tế & Sở Tài chính\nUBND các huyện"
)


def test_html(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "page.html", PAGE.encode("utf-8")))
    assert raw == RawText(str(tmp_path / "page.html"), PAGE_TEXT, "html", "utf-8")


def test_html_saved_as_doc_is_read_as_html(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "export.doc", PAGE.encode("utf-16")))
    assert (raw.text, raw.format, raw.encoding) == (PAGE_TEXT, "html", "utf-16")


def test_html_in_vntime_font(tmp_path: Path) -> None:
    page = '<html><body><p><font face=".VnTime">Uû ban nh&#169;n d&copy;n tØnh</font> Kon Tum</p></body>'
    raw = read(write(tmp_path, "old.htm", page.encode("utf-8")))
    assert (raw.text, raw.encoding) == ("Uỷ ban nhân dân tỉnh Kon Tum", "tcvn3")


def test_html_in_raw_tcvn3_bytes(tmp_path: Path) -> None:
    page = b"<html><body><p>" + legacy_bytes(LINE, "tcvn3") + b"</p></body></html>"
    raw = read(write(tmp_path, "old.htm", page))
    assert (raw.text, raw.encoding) == (LINE, "tcvn3")


def test_html_mixing_unicode_menu_and_tcvn3_article(tmp_path: Path) -> None:
    article = f"{LINE}\nNgày 14/5/2021, UBND tỉnh ban hành Công văn số 1536/UBND-KTTH chỉ đạo triển khai."
    page = (
        "<html><body><div>Trang chủ</div><div>Giới thiệu</div><div class=bai>"
        + "".join(f'<p><font face=".VnTime">{to_tcvn3(line)}</font></p>' for line in article.split("\n"))
        + "</div></body></html>"
    )
    raw = read(write(tmp_path, "tin.html", page.encode("utf-8")))
    assert (raw.text, raw.encoding) == (f"Trang chủ\nGiới thiệu\n{article}", "tcvn3")


def test_html_without_visible_text(tmp_path: Path) -> None:
    page = b"<html><head><title>Trang</title></head><body><script>x()</script><nav>Menu</nav></body></html>"
    assert reason(write(tmp_path, "blank.html", page)) == "no visible text in HTML"


def test_html_suffix_without_tags_is_text(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "note.html", LINE.encode("utf-8")))
    assert (raw.text, raw.format) == (LINE, "txt")


# --- docx ------------------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH KON TUM")
    document.add_paragraph("Thực hiện nghiêm Công văn số 1536/UBND-KTTH", style="List Number")
    document.add_paragraph("Báo cáo kết quả trước ngày 30/6/2021", style="List Number")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "Số: 280/TB-UBND"
    table.cell(0, 1).text = "Kon Tum, ngày 12/10/2021"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Sở Y tế"
    table.cell(1, 1).text = "Sở Tài chính"
    table.cell(2, 1).paragraphs[0].add_run("UBND các huyện")
    table.cell(2, 1).add_paragraph("thành phố")
    document.add_paragraph("")
    run = document.add_paragraph().add_run("Uû ban nh©n d©n tØnh")
    run.font.name = ".VnTime"
    run = document.add_paragraph().add_run("Sè: 12/UBND")  # "Sè" is also a Unicode syllable
    run.font.name = ".VnTime"
    run = document.add_paragraph().add_run("céng hoµ x· héi chñ nghÜa viÖt nam")
    run.font.name = ".VnTimeH"
    run = document.add_paragraph().add_run("Ñoäc laäp - Töï do - Haïnh phuùc")
    run.font.name = "VNI-Times"
    paragraph = document.add_paragraph()
    run = paragraph.add_run("Văn bản đã gõ lại bằng Unicode")
    run.font.name = ".VnTime"
    run.add_break(WD_BREAK.LINE)
    paragraph.add_run("và các đơn vị")
    document.save(str(path))
    return path


DOCX_TEXT = (
    "ỦY BAN NHÂN DÂN TỈNH KON TUM\n"
    "1. Thực hiện nghiêm Công văn số 1536/UBND-KTTH\n"
    "2. Báo cáo kết quả trước ngày 30/6/2021\n"
    "Số: 280/TB-UBND | Kon Tum, ngày 12/10/2021\n"
    "Sở Y tế | Sở Tài chính\n"
    "| UBND các huyện thành phố\n"  # the second row of the merged cell is empty
    "Uỷ ban nhân dân tỉnh\n"
    "Số: 12/UBND\n"
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Độc lập - Tự do - Hạnh phúc\n"
    "Văn bản đã gõ lại bằng Unicode\nvà các đơn vị"
)


def test_docx(tmp_path: Path) -> None:
    path = make_docx(tmp_path / "chi-thi.docx")
    raw = read(path)
    assert raw == RawText(str(path), DOCX_TEXT, "docx", "tcvn3")


NUMBERING_XML = """<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="7">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
 <w:lvl w:ilvl="3"><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf0b7"/></w:lvl>
 <w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%5."/></w:lvl>
</w:abstractNum>
<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
<w:num w:numId="4"><w:abstractNumId w:val="7"/>
 <w:lvlOverride w:ilvl="0"><w:startOverride w:val="4"/></w:lvlOverride></w:num>
</w:numbering>"""


def test_docx_numbering_levels() -> None:
    """The outline of a directive: I. / 1. / a) / bullets, a restart override, an unknown list."""
    numbering = Numbering(parse_xml(NUMBERING_XML))
    calls = [("3", 0), ("3", 1), ("3", 2), ("3", 2), ("3", 3), ("3", 1), ("3", 2), ("3", 4)]
    calls += [("3", 0), ("3", 1), ("4", 0), ("4", 0), ("9", 0)]
    labels = [numbering.label(num_id, ilvl) for num_id, ilvl in calls]
    assert labels == ["I.", "1.", "a)", "b)", "-", "2.", "a)", "2.1.", "II.", "1.", "IV.", "V.", ""]


def test_docx_retyped_in_unicode_keeps_vntime_text(tmp_path: Path) -> None:
    """Unikey converts the text of a ".VnTime" document but may leave the font: nothing to convert."""
    document = docx.Document()
    lines = [LINE, "và các", "Sở Y tế", "Hà Nội, ngày 14/5/2021"]
    for line in lines:
        document.add_paragraph().add_run(line).font.name = ".VnTime"
    document.save(str(tmp_path / "unikey.docx"))
    raw = read(tmp_path / "unikey.docx")
    assert (raw.text, raw.encoding) == ("\n".join(lines), "docx")


def test_docx_without_legacy_fonts(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(LINE)
    document.save(str(tmp_path / "a.docx"))
    assert read(tmp_path / "a.docx").encoding == "docx"


def test_docx_without_text(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("   ")
    document.add_table(rows=1, cols=2)
    document.save(str(tmp_path / "blank.docx"))
    assert reason(tmp_path / "blank.docx") == "no text in .docx (images or text boxes only?)"


def test_pdf_named_docx_is_read_as_pdf(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "misnamed.docx", make_pdf([PAGE_ONE])))
    assert (raw.format, raw.text) == ("pdf", PDF_TEXT.split("\n\n")[0])


def test_broken_docx(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "ok.docx").read_bytes()
    cut = write(tmp_path, "cut.docx", data[: len(data) // 2])
    assert reason(cut) == "broken .docx: truncated or corrupt zip archive"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert reason(write(tmp_path, "book.docx", buf.getvalue())) == (
        "zip archive is not a Word .docx (no word/document.xml)"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            zf.writestr(info, b"<w:document" if info.filename == "word/document.xml" else src.read(info))
    assert reason(write(tmp_path, "bad.docx", buf.getvalue())).startswith("broken .docx: XMLSyntaxError: ")


def test_docx_zip_bombs(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", " " * (2 * 1024 * 1024))
    ratio = write(tmp_path, "ratio.docx", buf.getvalue())
    assert reason(ratio) == "docx compression ratio 1023:1 > 100:1 (zip bomb?)"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("word/document.xml", "w") as fh:
        for _ in range(101):
            fh.write(bytes(1024 * 1024))
    big = write(tmp_path, "big.docx", buf.getvalue())
    assert reason(big) == "docx unpacks to 101.0 MB > 100 MB limit (zip bomb?)"


def test_docx_unpacked_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_docx(tmp_path / "ok.docx")
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 1024)
    assert reason(path).endswith(" MB > 0.000976562 MB limit (zip bomb?)")


# --- PDF -------------------------------------------------------------------------------------------


def make_pdf(pages: list[bytes]) -> bytes:
    """A minimal PDF 1.4: Helvetica (a standard font, WinAnsiEncoding), one content stream a page."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PAGE_ONE = b"BT /F1 12 Tf 72 720 Td (Uy ban nhan dan tinh Kon Tum) Tj 0 -16 Td (So: 1536/UBND-KTTH) Tj ET"
PAGE_TWO = b"BT /F1 12 Tf 72 720 Td (Dieu 2. Trach nhiem thi hanh) Tj ET"
PDF_TEXT = "Uy ban nhan dan tinh Kon Tum\nSo: 1536/UBND-KTTH\n\nDieu 2. Trach nhiem thi hanh"


def test_pdf(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf", make_pdf([PAGE_ONE, PAGE_TWO]))
    assert read(path) == RawText(str(path), PDF_TEXT, "pdf", "pdf")


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "a.txt", make_pdf([PAGE_ONE, PAGE_TWO])))
    assert (raw.format, raw.text) == ("pdf", PDF_TEXT)


def test_pdf_header_after_junk(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "mail.pdf", b"From: van-thu\r\n\r\n" + make_pdf([PAGE_ONE, PAGE_TWO])))
    assert (raw.format, raw.text) == ("pdf", PDF_TEXT)
    note = write(tmp_path, "note.txt", b"A PDF file starts with %PDF-1.4 and ends with %%EOF.")
    assert read(note).format == "txt"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", make_pdf([b"0 0 m 100 100 l S"]))  # a line drawing, no image
    assert reason(path) == "no text: no text layer and no scanned page"


def test_pdf_page_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 1)
    two = write(tmp_path, "two.pdf", make_pdf([PAGE_ONE, PAGE_TWO]))
    assert reason(two) == "too many pages: 2 > 1 page limit"


def test_broken_pdf(tmp_path: Path) -> None:
    data = make_pdf([PAGE_ONE])
    cut = write(tmp_path, "cut.pdf", data[:200])
    assert reason(cut) == "broken PDF: PdfStreamError: Stream has ended unexpectedly"
    junk = write(tmp_path, "junk.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    assert reason(junk).startswith("broken PDF: ")


def test_encrypted_pdf(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([PAGE_ONE]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert reason(write(tmp_path, "locked.pdf", buf.getvalue())) == "encrypted PDF (password required)"


# --- legacy .doc -----------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_doc_without_antiword(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: None)
    assert reason(write(tmp_path, "old.doc", OLE2)) == doc_reader.NO_ANTIWORD
    assert doc_reader.NO_ANTIWORD == "legacy .doc needs Debian's antiword (apt-get install antiword)"


def test_doc_that_antiword_rejects(tmp_path: Path) -> None:
    require_tool("antiword")
    assert reason(write(tmp_path, "old.doc", OLE2)) == "antiword failed: file is not a Word Document."


def test_doc_antiword_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "antiword"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(doc_reader.shutil, "which", lambda name: str(slow))
    monkeypatch.setattr(doc_reader, "TIMEOUT_S", 0.5)
    assert reason(write(tmp_path, "old.doc", OLE2)) == "antiword timed out after 0.5 s"


# --- errors and limits -----------------------------------------------------------------------------


def test_missing_empty_and_directory(tmp_path: Path) -> None:
    assert reason(tmp_path / "nope.txt") == "no such file"
    assert reason(write(tmp_path, "empty.txt", b"")) == "empty file"
    assert reason(tmp_path) == "is a directory"
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert reason(fifo) == "not a regular file (device, pipe or socket)"  # and no blocking read
    assert reason(tmp_path / "nul\0.txt") == "invalid path"


def test_binary_junk(tmp_path: Path) -> None:
    junk = random.Random(7).randbytes(4096)
    assert reason(write(tmp_path, "junk.txt", junk)) == "binary or undecodable content"
    assert reason(write(tmp_path, "junk.md", junk.replace(b"\0", b"\1"))) == "binary or undecodable content"


def test_undecodable_text(tmp_path: Path) -> None:
    western = "Café crème, naïve façade — déjà vu. Müller's Straße.".encode("cp1252")
    assert reason(write(tmp_path, "fr.txt", western)) == "binary or undecodable content"
    lone_surrogate = b"\xff\xfe\x00\xd8a\x00b\x00"
    bad16 = write(tmp_path, "bad16.txt", lone_surrogate)
    assert reason(bad16) == "binary or undecodable content (invalid utf-16)"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("junk.docx", "not a .docx (not a zip archive): wrong extension or damaged file"),
        ("junk.pdf", "not a PDF (no %PDF header): wrong extension or damaged file"),
        ("junk.doc", "not a Word .doc (no OLE2 header): wrong extension or damaged file"),
    ],
)
def test_mislabelled_binary_extension(tmp_path: Path, name: str, expected: str) -> None:
    assert reason(write(tmp_path, name, LINE.encode("utf-8"))) == expected


def test_rtf_is_refused(tmp_path: Path) -> None:
    rtf = write(tmp_path, "a.doc", b"{\\rtf1\\ansi Uy ban}")
    assert reason(rtf) == "RTF is not supported (save it as .docx)"


def test_file_too_large_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(250 * 1024 * 1024)  # sparse: no disk used, and never read
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    assert reason(huge) == "file too large: 250.0 MB > 200 MB limit"
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024 * 1024)
    small = tmp_path / "small.txt"
    with small.open("wb") as fh:
        fh.truncate(2 * 1024 * 1024)
    assert reason(small) == "file too large: 2.0 MB > 1 MB limit"


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    path = write(tmp_path, "secret.txt", b"x")
    path.chmod(0)
    assert reason(path) == "cannot read: Permission denied"


def test_reader_table() -> None:
    assert sorted(readers.READERS) == ["doc", "docx", "html", "md", "pdf", "txt"]
    with pytest.raises(ValueError, match=r"unknown format 'odt'; valid: doc, docx, html, md, pdf, txt"):
        reader_for("odt")


def test_forced_format(tmp_path: Path) -> None:
    raw = read(write(tmp_path, "page.html", PAGE.encode("utf-8")), fmt="txt")
    assert (raw.format, raw.text) == ("txt", PAGE)


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
def test_damaged_files_fail_cleanly(tmp_path: Path, kind: str) -> None:
    """Random byte damage gives a RawText or a one-line IngestError, never another exception
    (this found zipfile's NotImplementedError for a bad "version needed" field)."""
    originals = {
        "pdf": make_pdf([PAGE_ONE, PAGE_TWO]),
        "docx": make_docx(tmp_path / "ok.docx").read_bytes(),
        "html": PAGE.encode("utf-8"),
    }
    rng = random.Random(kind)
    outcomes = set()
    for _ in range(150):
        data = bytearray(originals[kind])
        for _ in range(rng.choice((1, 3, 10))):
            pos = rng.randrange(len(data))
            if rng.random() < 0.7:
                data[pos] = rng.randrange(256)
            else:
                del data[pos : pos + rng.randrange(1, 40)]
        path = write(tmp_path, f"damaged.{kind}", bytes(data))
        try:
            outcomes.add(read(path).format)
        except IngestError as exc:
            assert "\n" not in exc.reason and exc.reason
            outcomes.add("error")
    assert "error" in outcomes


def test_read_reports_the_digest_of_the_file_bytes(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "a.txt"
    path.write_bytes("Sở Y tế chủ trì\n".encode())
    assert read(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
