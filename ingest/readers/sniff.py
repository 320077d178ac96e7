"""Which reader a file needs, from its first bytes; the extension is only a hint.

Signatures win over the extension: a PDF named .txt is read as a PDF, an HTML page saved
as .doc (Word's "web page" export, common on provincial portals) as HTML. Without a
signature, a binary extension (.pdf, .docx, .doc) is an error naming what is missing, and
everything else is read as text (binary junk then fails in decoding).
"""

from __future__ import annotations

import codecs
import re

from ingest.model import IngestError

PDF_MAGIC = b"%PDF-"  # ISO 32000-1, 7.5.2: the header may follow up to 1 KB of junk
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty archive
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary (Word 97-2003)
RTF_MAGIC = b"{\\rtf"
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
_MISSING = {
    ".pdf": "not a PDF (no %PDF header)",
    ".docx": "not a .docx (not a zip archive)",
    ".doc": "not a Word .doc (no OLE2 header)",
}
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.IGNORECASE | re.DOTALL
)
_HTML_TAG = re.compile(r"<(?:html|head|body|div|p|table|span|br|meta|title|h[1-6])[\s/>]", re.IGNORECASE)
_HEAD_BYTES = 1024


def _head_text(data: bytes) -> str:
    """The first KB as text, good enough to look for tags (UTF-16 aware)."""
    head = data[: _HEAD_BYTES * 2]
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, "ignore")
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
        return head.decode("utf-16-le", "ignore")
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")


def detect_format(data: bytes, suffix: str, path: str) -> str:
    """Reader name ("pdf", "docx", "doc", "html", "md", "txt") for `data`, or IngestError."""
    suffix = suffix.lower()
    if data.startswith(PDF_MAGIC) or (suffix == ".pdf" and PDF_MAGIC in data[:_HEAD_BYTES]):
        return "pdf"  # anywhere in the first KB only for .pdf: a text may quote "%PDF-"
    if data.startswith(ZIP_MAGICS):
        return "docx"
    if data.startswith(OLE2_MAGIC):
        return "doc"
    if data.startswith(RTF_MAGIC):
        raise IngestError(path, "RTF is not supported (save it as .docx)")
    head = _head_text(data)
    if _HTML_START.match(head):
        return "html"
    if suffix in _MISSING:
        raise IngestError(path, f"{_MISSING[suffix]}: wrong extension or damaged file")
    if suffix in HTML_SUFFIXES:
        return "html" if _HTML_TAG.search(head) else "txt"
    if suffix in MARKDOWN_SUFFIXES:
        return "md"
    return "txt"
