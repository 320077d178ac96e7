"""ingest.readers.ocr without tesseract: its TSV parsing, settings, the PGM it pipes, confidences."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.readers.ocr import OcrPage, OcrSettings, mean_confidence, parse_tsv, pgm

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def row(level: int, block: int, par: int, line: int, conf: float, text: str) -> str:
    return f"{level}\t1\t{block}\t{par}\t{line}\t1\t0\t0\t10\t10\t{conf}\t{text}"


def test_parse_tsv_lines_paragraphs_and_noise() -> None:
    tsv = "\n".join([
        HEADER,
        row(1, 0, 0, 0, -1, ""),  # page, block, paragraph and line rows carry no text
        row(4, 1, 1, 1, -1, ""),
        row(5, 1, 1, 1, 96.5, "ỦY"), row(5, 1, 1, 1, 95.0, "BAN"),
        row(5, 1, 1, 2, 91.0, "TỈNH"),
        row(5, 1, 2, 1, 43.3, "~"),  # a speck of dust: dropped, with its confidence
        row(5, 1, 2, 1, 54.1, "~-"), row(5, 1, 2, 1, 90.0, "Giám"),
        row(5, 2, 1, 1, 88.0, " "),  # a blank word
        row(5, 2, 1, 1, -1.0, "đốc|"),
    ])
    text, confidences = parse_tsv(tsv)
    assert text == "ỦY BAN\nTỈNH\n\n- Giám\n\nđốc"
    assert confidences == [96.5, 95.0, 91.0, 54.1, 90.0, 0.0]


def test_parse_tsv_empty_page() -> None:
    assert parse_tsv(HEADER + "\n" + row(1, 0, 0, 0, -1, "")) == ("", [])


def test_settings_from_environment() -> None:
    assert OcrSettings.from_env({}) == OcrSettings(max_pages=50, seconds=600.0, dpi=200, language="vie")
    got = OcrSettings.from_env({"CHIDAO_OCR_MAX_PAGES": "20", "CHIDAO_OCR_SECONDS": "110"})
    assert (got.max_pages, got.seconds) == (20, 110.0)
    with pytest.raises(ValueError, match=r"^CHIDAO_OCR_MAX_PAGES='0': expected a positive number$"):
        OcrSettings.from_env({"CHIDAO_OCR_MAX_PAGES": "0"})
    with pytest.raises(ValueError, match=r"^CHIDAO_OCR_SECONDS='abc': expected a positive number$"):
        OcrSettings.from_env({"CHIDAO_OCR_SECONDS": "abc"})


def test_pgm_header_and_rows() -> None:
    grey = np.array([[0, 255, 7], [1, 2, 3]], dtype=np.uint8)
    assert pgm(grey) == b"P5 3 2 255\n" + bytes([0, 255, 7, 1, 2, 3])
    assert pgm(grey[:, :2]) == b"P5 2 2 255\n" + bytes([0, 255, 1, 2])  # a strided view


def test_mean_confidence_is_word_weighted() -> None:
    pages = [OcrPage(1, "a", 90.0, 300, 1.0), OcrPage(2, "b", 60.0, 100, 1.0), OcrPage(3, "", 0.0, 0, 1.0)]
    assert mean_confidence(pages) == 82.5
    assert mean_confidence([]) == 0.0


def test_ocr_pages_within_a_document_cut_from_the_file() -> None:
    from ingest.model import OcrInfo

    ocr = OcrInfo(pages=(1, 5), confidence=91.5, seconds=8.0, spans=((0, 1000), (4000, 5200)))
    assert ocr.within(0, 3000) == OcrInfo((1,), 91.5)
    assert ocr.within(3000, 6000) == OcrInfo((5,), 91.5)
    assert ocr.within(0, 6000) == OcrInfo((1, 5), 91.5)
    assert ocr.within(1000, 4000) is None  # the text pages between them
    assert OcrInfo((2,), 80.0).within(10, 20) == OcrInfo((2,), 80.0)  # spans unknown: the whole file's
