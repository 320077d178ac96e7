"""File readers: any supported file -> `RawText`, or `IngestError` with a one-line reason.

    >>> read("sample/seeds/000_e039e5926f709e92.txt").encoding
    'utf-8'

The format comes from the content, not the extension (see `sniff`): a PDF named .txt is
read as a PDF, an HTML page named .doc as HTML; a binary extension whose content has no
matching signature (junk named .docx) is an error. Then one reader per format, picked from
READERS: txt/md (`text`), html, docx, pdf (scanned pages by OCR: `ocr`), doc (antiword). Text is decoded by `encoding`
(BOMs, UTF-16, UTF-8, Windows-1258) and legacy TCVN3/VNI text is converted by `legacy`.

Limits: files over MAX_FILE_BYTES are refused from their size alone, before any read;
docx archives are checked for zip bombs, PDFs for page count. Errors from the parsers are
wrapped, so callers only ever see IngestError.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ingest.model import IngestError, RawText
from ingest.readers.doc import read_doc
from ingest.readers.docx import read_docx
from ingest.readers.errors import short
from ingest.readers.html import read_html
from ingest.readers.pdf import read_pdf
from ingest.readers.sniff import detect_format
from ingest.readers.text import read_md, read_txt

__all__ = ["MAX_FILE_BYTES", "READERS", "Reader", "detect_format", "read", "reader_for"]

Reader = Callable[[bytes, str], RawText]

READERS: dict[str, Reader] = {
    "txt": read_txt,
    "md": read_md,
    "html": read_html,
    "docx": read_docx,
    "pdf": read_pdf,
    "doc": read_doc,
}

MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB


def reader_for(name: str) -> Reader:
    """The reader registered under `name`; ValueError lists the valid names."""
    try:
        return READERS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; valid: {', '.join(sorted(READERS))}") from None


def read(path: str | Path, fmt: str | None = None) -> RawText:
    """Read one file. `fmt` forces a reader ("pdf", "docx", ...) instead of sniffing."""
    reader = reader_for(fmt) if fmt is not None else None
    p = Path(path)
    name = str(p)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise IngestError(name, "no such file") from None
    except OSError as exc:
        raise IngestError(name, f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the path
        raise IngestError(name, "invalid path") from None
    if stat.S_ISDIR(st.st_mode):
        raise IngestError(name, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise IngestError(name, "not a regular file (device, pipe or socket)")
    if st.st_size > MAX_FILE_BYTES:
        size, limit = st.st_size / MB, MAX_FILE_BYTES / MB
        raise IngestError(name, f"file too large: {size:.1f} MB > {limit:g} MB limit")
    if st.st_size == 0:
        raise IngestError(name, "empty file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot read: {exc.strerror or exc}") from None
    if not data:
        raise IngestError(name, "empty file")
    if reader is None:
        fmt = detect_format(data, p.suffix, name)
        reader = reader_for(fmt)
    try:
        raw = reader(data, name)
        return replace(raw, sha256=hashlib.sha256(data).hexdigest())
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - the promise is IngestError, never a traceback
        raise IngestError(name, f"cannot read as {fmt}: {short(exc)}") from exc
