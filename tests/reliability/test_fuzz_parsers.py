"""Parser fuzzing (issue 7.6): Hypothesis over the normaliser, cleaner, section parser, metadata
extractor, chunker and every reader. No input may raise anything but the reader's IngestError,
and none may take over 2 s (Hypothesis's deadline, not a timed assertion).

Inputs mix arbitrary text with lines of the seed directives and the characters their layout
rests on (numbering "1.", "a)", "Điều 2", roman numerals, slashes of document numbers), so the
parsers see both garbage and near-real documents.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunk import chunk_document
from ingest.clean import clean
from ingest.metadata import explain_metadata, extract_metadata, find_doc_numbers
from ingest.model import IngestError
from ingest.pipeline import ingest_text
from ingest.readers import READERS, detect_format
from ingest.sections import parse_sections
from ingest.vietnamese import fold, normalize
from tests.conftest import SEEDS

FUZZ = settings(deadline=2000, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
READER_FUZZ = settings(deadline=2000, max_examples=100, suppress_health_check=[HealthCheck.too_slow])

SEED_LINES = sorted({line for p in sorted(SEEDS.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines()})
LAYOUT = list("0123456789IVXLivx./-:;,()[]*|_#\"'") + [
    " ", "\n", "\t", "\u00a0", "\u200b", "\ufeff", "\r", "Điều ", "Chương ", "Mục ", "khoản ", "điểm ",
    "Số: ", "/UBND-", "/CT-", "ngày ", " tháng ", " năm ", "UBND", "TỈNH ", "Ủy ban nhân dân", "Kính gửi:",
    "Nơi nhận:", "hoà", "hòa", "ủy", "uỷ", "Đ", "ư", "ơ", "ệ", "ạ", "o\u0300", "a\u0301\u0323", "PHỤ LỤC",
]
text_part = st.one_of(
    st.sampled_from(SEED_LINES),
    st.lists(st.sampled_from(LAYOUT), max_size=40).map("".join),
    st.text(max_size=60),
)
documents = st.lists(text_part, max_size=40).map("\n".join)


@FUZZ
@given(documents)
def test_normalize_and_fold_are_total_and_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert fold(once) == fold(fold(once))


@FUZZ
@given(documents)
def test_clean_maps_every_clean_span_back_to_the_original(text: str) -> None:
    cleaned = clean(text)
    start, end = cleaned.to_original(0, len(cleaned.text))
    assert 0 <= start <= end <= len(cleaned.original)


@FUZZ
@given(documents)
def test_sections_lie_inside_the_text_in_order(text: str) -> None:
    sections = parse_sections(text)
    for s in sections:
        assert 0 <= s.start <= s.body_start <= s.end <= len(text)
    assert [s.start for s in sections] == sorted(s.start for s in sections)


@FUZZ
@given(documents)
def test_metadata_extraction_never_raises(text: str) -> None:
    cleaned = clean(text)
    meta = extract_metadata(cleaned, "fuzz.txt")
    explain_metadata(cleaned, "fuzz.txt")
    if meta.number:
        assert meta.number in find_doc_numbers(cleaned.text) or "/" in meta.number


@FUZZ
@given(documents)
def test_chunks_cover_only_the_text(text: str) -> None:
    for chunk in chunk_document("fuzz", text):
        assert 0 <= chunk.start <= chunk.end <= len(text)


@FUZZ
@given(documents)
def test_ingest_text_raises_only_ingest_error(text: str) -> None:
    try:
        ingested = ingest_text(text, "fuzz", "fuzz.txt")
    except IngestError as exc:
        assert exc.path == "fuzz.txt"
        return
    assert ingested.documents[0].id == "fuzz"


def _docx_bytes() -> bytes:
    d = docx.Document()
    for line in SEED_LINES[:40]:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


SAMPLES = {
    "txt": min(SEEDS.glob("*.txt")).read_bytes()[:4000],
    "md": b"# Ch\xe1\xbb\x89 th\xe1\xbb\x8b\n\n1. N\xe1\xbb\x99i dung\n",
    "html": b"<html><body><p>UBND T\xe1\xbb\x88NH</p><table><tr><td>1</td></tr></table></body></html>",
    "docx": _docx_bytes(),
    "pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
}


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """A real file with a few bytes flipped, a slice cut out, or cut short."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()) and data:
        a = draw(st.integers(0, len(data)))
        b = draw(st.integers(a, min(len(data), a + 200)))
        del data[a:b]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.parametrize("fmt", [f for f in READERS if f != "doc"])
@READER_FUZZ
@given(data=st.data())
def test_reader_raises_only_ingest_error(fmt: str, data: st.DataObject) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=2000), mutated(SAMPLES[fmt])))
    try:
        text = READERS[fmt](raw, f"fuzz.{fmt}")
    except IngestError as exc:
        assert exc.path == f"fuzz.{fmt}" and exc.reason
        return
    assert isinstance(text.text, str)


@READER_FUZZ
@given(st.binary(max_size=3000), st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf", ".doc", ""]))
def test_format_sniffing_raises_only_ingest_error(raw: bytes, suffix: str) -> None:
    try:
        fmt = detect_format(raw, suffix, "fuzz" + suffix)
    except IngestError:
        return
    assert fmt in READERS


def test_a_docx_sample_is_a_valid_zip() -> None:
    assert zipfile.ZipFile(io.BytesIO(SAMPLES["docx"])).testzip() is None


# ---- regexes reviewed for catastrophic backtracking (scripts/regex_scan.py finds them) ----------
# Both were `\s*,?\s*` / `[ \t]*\n?[ \t]*` followed by a token that can fail: a run of n blanks
# then split between the two stars in n ways, O(n^2) per match (a query of 100k spaces hung).

@settings(deadline=2000, max_examples=5)
@given(st.integers(20_000, 60_000), st.sampled_from([" ", "\t", "\u00a0"]))
def test_tokenizer_gap_before_a_number_is_linear(n: int, blank: str) -> None:
    from index.tokenize import tokenize

    assert tokenize("UBND" + blank * n + "x") == tokenize("UBND x")


@settings(deadline=2000, max_examples=5)
@given(st.integers(20_000, 60_000))
def test_date_after_an_attachment_reference_is_linear(n: int) -> None:
    from ingest.metadata import _DATE_AFTER

    assert _DATE_AFTER.match(" " * n + "x") is None
    assert _DATE_AFTER.match(" " * n + ", ngày 5 tháng 3 năm 2024") is not None


@settings(deadline=2000, max_examples=5)
@given(st.integers(20_000, 60_000))
def test_cleaning_long_blank_lines_and_rules_is_linear(n: int) -> None:
    # clean's chrome-line pattern ("^[ \t]*(?:.*Bấm vào đây...)") and Markdown rule pattern
    # ("-{3,}[ \t|:-]*$") re-split a run between two stars: O(n^2) on one long line.
    assert clean(" " * n + "Chỉ thị số 05\n").text == "Chỉ thị số 05"
    assert clean("Chỉ thị\n" + "-" * n + "#\n").text.startswith("Chỉ thị")
