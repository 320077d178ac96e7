"""PDF: the text layer, page by page, via pypdf; pages without one (scans) by OCR.

A page whose text layer has fewer than MIN_TEXT_CHARS letters or digits and that holds an
image is a scanned page: pypdfium2 renders it and tesseract reads it (ingest.readers.ocr),
within the OCR page and time limits. A PDF of text pages and scanned pages gets both, in page
order; the result records which pages were OCR'd and the mean confidence (RawText.ocr). A page
with neither text nor image is blank. Encrypted PDFs open only when the user password is empty. Pages are capped (MAX_PAGES) and so is the total time
spent extracting (MAX_SECONDS, checked between pages); pypdf parses in pure Python, so a
pathological page can still take long on its own.
"""

from __future__ import annotations

import io
import time
import unicodedata
from dataclasses import replace

from pypdf import PdfReader

from ingest.model import IngestError, OcrInfo, RawText
from ingest.readers.encoding import convert_if_legacy
from ingest.readers.errors import short
from ingest.readers.ocr import OcrSettings, mean_confidence, ocr_pages

MAX_PAGES = 2000
MAX_SECONDS = 300.0
PAGE_SEP = "\n\n"
MIN_TEXT_CHARS = 20  # a scan may carry a stamped page number or a file name in its text layer

def read_pdf(data: bytes, path: str) -> RawText:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "encrypted PDF (password required)")
        pages = len(reader.pages)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on damaged files
        raise IngestError(path, f"broken PDF: {short(exc)}") from exc
    if pages == 0:
        raise IngestError(path, "broken PDF: no pages")
    if pages > MAX_PAGES:
        raise IngestError(path, f"too many pages: {pages} > {MAX_PAGES} page limit")
    started = time.monotonic()
    texts = []
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() - started > MAX_SECONDS:
            took = f"PDF text extraction took over {MAX_SECONDS:g} s"
            raise IngestError(path, f"{took} (stopped at page {number})")
        try:
            texts.append(page.extract_text().strip())
        except Exception as exc:  # noqa: BLE001
            raise IngestError(path, f"broken PDF: page {number}: {short(exc)}") from exc
    ocr = None
    short_pages = [n for n, t in enumerate(texts, start=1) if sum(c.isalnum() for c in t) < MIN_TEXT_CHARS]
    if short_pages:
        texts, ocr = _ocr_scanned(data, path, texts, short_pages)
    texts = [unicodedata.normalize("NFC", t) for t in texts]
    text = PAGE_SEP.join(t for t in texts if t)
    if not text.strip():
        raise IngestError(path, "no text: no text layer and no scanned page" if ocr is None
                          else f"no text: OCR found no words on {len(ocr.pages)} scanned pages")
    converted, legacy = convert_if_legacy(text)
    if ocr is not None and len(converted) == len(text):
        ocr = replace(ocr, spans=_page_spans(texts, ocr.pages))
    return RawText(path=path, text=converted, format="pdf", encoding=legacy or "pdf", ocr=ocr)


def _page_spans(texts: list[str], pages: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """[start, end) of each of `pages` (1-based) in PAGE_SEP.join of the non-empty texts."""
    where: dict[int, tuple[int, int]] = {}
    pos = 0
    for number, t in enumerate(texts, start=1):
        if t:
            where[number] = (pos, pos + len(t))
            pos += len(t) + len(PAGE_SEP)
    return tuple(where.get(n, (0, 0)) for n in pages)


def _ocr_scanned(data: bytes, path: str, texts: list[str], candidates: list[int]
                 ) -> tuple[list[str], OcrInfo | None]:
    """Replace the text of the candidate pages that hold an image by their OCR."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # loaded only for PDFs with pages lacking text

    try:
        pdf = pdfium.PdfDocument(data)
        pages = {n: pdf[n - 1] for n in candidates}
        scanned = {n: page for n, page in pages.items() if _has_image(page, pdfium)}
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfium raises PdfiumError and others on damage
        raise IngestError(path, f"broken PDF: cannot render: {short(exc)}") from exc
    if not scanned:
        return texts, None
    read = ocr_pages(scanned, path, OcrSettings.from_env())
    out = list(texts)
    for page in read:
        out[page.number - 1] = page.text
    info = OcrInfo(pages=tuple(p.number for p in read), confidence=mean_confidence(read),
                   seconds=round(sum(p.seconds for p in read), 2))
    return out, info


def _has_image(page: object, pdfium: object) -> bool:
    kind = pdfium.raw.FPDF_PAGEOBJ_IMAGE  # type: ignore[attr-defined]
    return any(obj.type == kind for obj in page.get_objects(max_depth=3))  # type: ignore[attr-defined]
