"""Data that crosses the ingest stage boundaries. All frozen."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from domain.errors import ChidaoError


class IngestError(ChidaoError):
    """A file that cannot be ingested. The message always names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class OcrInfo:
    """Which pages of a file were read by OCR (no text layer), and how sure the OCR was.

    Shown with the document so an official knows to check the original for these pages.
    """

    pages: tuple[int, ...]  # 1-based page numbers of the file
    confidence: float  # tesseract's mean word confidence over the file's OCR'd pages, 0-100
    # OCR wall-clock time for the file; measured, so it takes no part in comparing two readings.
    seconds: float = field(default=0.0, compare=False)
    # Where each of `pages` lies in the reader's text ([start, end) per page, same order): lets a
    # document cut from the file (an attachment) keep only its own OCR'd pages. Not stored.
    spans: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)

    def within(self, start: int, end: int) -> OcrInfo | None:
        """The OCR'd pages that overlap [start, end) of the reader's text; all of them when the
        spans are unknown, None when none overlaps."""
        if len(self.spans) != len(self.pages):
            return self
        pages = tuple(p for p, (a, b) in zip(self.pages, self.spans) if a < end and start < b)
        return OcrInfo(pages, self.confidence, self.seconds) if pages else None


@dataclass(frozen=True)
class RawText:
    """What a reader returns: the decoded text of one file, before any cleaning."""

    path: str
    text: str
    format: str  # txt | md | html | docx | pdf | doc
    encoding: str  # utf-8 | utf-16 | cp1258 | tcvn3 | vni | (container formats: the format name)
    # Digest of the file's bytes (re-ingesting an unchanged file does nothing). Derived from the
    # bytes, so it takes no part in comparing two readings.
    sha256: str = field(default="", compare=False)
    ocr: OcrInfo | None = None  # set when some pages had no text layer and were OCR'd


@dataclass(frozen=True)
class CleanText:
    """Cleaned, normalised text plus a map back to the original for display and highlighting.

    `anchors` is a sorted tuple of (clean_pos, original_pos): from each anchor on, characters map
    one to one until the next anchor. `original` is the NFC text of the file as read.
    """

    text: str
    original: str
    anchors: tuple[tuple[int, int], ...] = field(repr=False)

    def original_pos(self, pos: int) -> int:
        if not self.anchors:
            return pos
        i = bisect.bisect_right(self.anchors, (pos, float("inf"))) - 1
        if i < 0:
            return self.anchors[0][1]
        clean, orig = self.anchors[i]
        return min(orig + (pos - clean), len(self.original))

    def slice(self, start: int, end: int) -> CleanText:
        """The clean text of [start, end) as its own CleanText, mapped to the same original."""
        i = max(bisect.bisect_right(self.anchors, (start, float("inf"))) - 1, 0)
        anchors = [(0, self.original_pos(start))]
        anchors += [(c - start, o) for c, o in self.anchors[i + 1 :] if start < c < end]
        return CleanText(self.text[start:end], self.original, tuple(anchors))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `text` to the matching span of `original`."""
        if end <= start:
            p = self.original_pos(start)
            return p, p
        return self.original_pos(start), self.original_pos(end - 1) + 1


@dataclass(frozen=True)
class Metadata:
    """Document metadata, laid out after Nghị định 30/2020/NĐ-CP (Phụ lục I)."""

    type: str | None = None
    number: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd, the issue date (never the web posting date)
    issuer: str | None = None
    province: str | None = None  # the name at issue time (63 pre-2025 provinces or 34 after)
    province_2025: str | None = None  # the post-July-2025 province that now covers it
    subject: str | None = None  # trích yếu
    signer: str | None = None
    recipients: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """One node of the section tree: a numbered heading and the span it covers."""

    path: tuple[str, ...]  # headings from the root down, this section's heading last
    keys: tuple[str, ...]  # short stable labels for the same path: ("I", "7", "-2")
    start: int  # span of the whole section (heading included) in the document text
    end: int
    body_start: int  # where the text after the heading line starts


@dataclass(frozen=True)
class Document:
    id: str
    source: str
    meta: Metadata
    text: CleanText
    parent: str | None = None  # id of the document this one is attached to
    attachments: tuple[str, ...] = ()
    content_hash: str = ""
    ocr: OcrInfo | None = None  # the file's OCR'd pages (scanned PDF), None for text


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    section_path: tuple[str, ...]
    text: str
    start: int  # span in the document's clean text
    end: int

    @property
    def index_text(self) -> str:
        """Text for embedding and BM25: the heading path names the agency a bullet never names."""
        if not self.section_path:
            return self.text
        return " > ".join(self.section_path) + "\n" + self.text
