"""PDF: the text layer, page by page, via pypdf.

A PDF without a text layer (a scan) is an error: OCR is out of scope. Encrypted PDFs open
only when the user password is empty. Pages are capped (MAX_PAGES) and so is the total time
spent extracting (MAX_SECONDS, checked between pages); pypdf parses in pure Python, so a
pathological page can still take long on its own.
"""

from __future__ import annotations

import io
import time
import unicodedata

from pypdf import PdfReader

from ingest.model import IngestError, RawText
from ingest.readers.encoding import convert_if_legacy
from ingest.readers.errors import short

MAX_PAGES = 2000
MAX_SECONDS = 300.0
PAGE_SEP = "\n\n"



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
    text = unicodedata.normalize("NFC", PAGE_SEP.join(t for t in texts if t))
    if not text.strip():
        raise IngestError(path, "no text layer (scanned PDF?)")
    text, legacy = convert_if_legacy(text)
    return RawText(path=path, text=text, format="pdf", encoding=legacy or "pdf")
