"""The read side of the application core (`service.core`): search, documents, facets.

`Service(root)` is cheap; `load()` opens the index once (FastAPI lifespan, Streamlit cache).
An index that is not built yet is not fatal: every call raises `IndexNotReady` with the command
that builds it, and the next call tries again, so `chidao index build` in another terminal is
picked up without a restart. A generation published by an upload is picked up the same way
(`refresh`). Calls are serialised by a lock: a reload closes the SQLite connection that a
concurrent search in another thread would still be reading.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from domain.errors import ChidaoError
from domain.model import Filters, Retriever
from index.generation import IndexMismatch, IndexNotReady
from index.index import BUILD_HINT, Index
from ingest.model import Document, OcrInfo
from ingest.sections import parse_sections
from search.highlight import spans as highlight_spans
from search.retrievers import retrievers_for

__all__ = ["DocumentNotFound", "IndexMismatch", "IndexNotReady", "Service"]


class DocumentNotFound(ChidaoError, KeyError):
    """No document with this id in the live generation."""

    def __init__(self, doc_id: str) -> None:
        super().__init__(doc_id)
        self.doc_id = doc_id

    def __str__(self) -> str:
        return f"không có văn bản {self.doc_id!r} trong chỉ mục (no such document)"


@dataclass(frozen=True)
class DocMeta:
    id: str
    number: str | None
    type: str | None
    date: str | None
    issuer: str | None
    province: str | None
    province_2025: str | None
    subject: str | None
    signer: str | None
    parent: str | None
    attachments: tuple[str, ...]
    cites: tuple[str, ...]
    ocr: OcrInfo | None = None  # pages read by OCR (scans): the user should check the original


@dataclass(frozen=True)
class SearchResult:
    rank: int
    chunk_id: str
    doc_id: str
    score: float
    text: str
    section_path: tuple[str, ...]
    highlights: tuple[tuple[int, int], ...]  # spans of `text` matching the query
    start: int  # span of the chunk in the document's original text (what a citation opens)
    end: int
    meta: DocMeta


@dataclass(frozen=True)
class SectionView:
    path: tuple[str, ...]
    start: int  # span in the original text
    end: int


@dataclass(frozen=True)
class ChunkSpan:
    chunk_id: str
    section_path: tuple[str, ...]
    start: int  # span in the original text
    end: int


@dataclass(frozen=True)
class DocumentView:
    meta: DocMeta
    source_name: str  # the stored file name (a content hash for uploads), never a client path
    original: str  # the file's text as read (NFC), what the user sees
    text: str  # the cleaned text the index holds
    sections: tuple[SectionView, ...]
    chunks: tuple[ChunkSpan, ...]
    highlight: tuple[int, int] | None = None  # the cited span of `original` asked for


@dataclass(frozen=True)
class Facets:
    """What the sidebar filters offer: the values present in the index."""

    provinces: tuple[str, ...]  # names at issue time and their 2025 provinces, sorted
    types: tuple[str, ...]
    issuers: tuple[str, ...]
    first_date: str | None
    last_date: str | None
    documents: int
    chunks: int


def doc_meta(doc: Document) -> DocMeta:
    m = doc.meta
    return DocMeta(doc.id, m.number, m.type, m.date, m.issuer, m.province, m.province_2025, m.subject,
                   m.signer, doc.parent, doc.attachments, m.cites, doc.ocr)


def document_view(doc: Document, chunks: list, span: tuple[int, int] | None = None) -> DocumentView:
    """Sections and chunks mapped onto the original text: what the user reads and what a
    citation highlights are the same characters."""
    t = doc.text
    sections = tuple(SectionView(s.path, *t.to_original(s.start, s.end)) for s in parse_sections(t.text))
    spans = tuple(ChunkSpan(c.chunk_id, c.section_path, *t.to_original(c.start, c.end)) for c in chunks)
    mark = None
    if span is not None:
        start, end = max(0, min(span[0], len(t.original))), max(0, min(span[1], len(t.original)))
        mark = (start, end) if end > start else None
    return DocumentView(doc_meta(doc), Path(doc.source).name, t.original, t.text, sections, spans, mark)


class Service:
    def __init__(self, root: str | Path, retriever: str = "hybrid") -> None:
        self.root = Path(root)
        self.retriever_name = retriever
        self.index: Index | None = None
        self._lock = threading.RLock()
        self._retriever: Retriever | None = None

    # ---- lifecycle --------------------------------------------------------------------
    def load(self) -> Service:
        """Open the index; raises IndexNotReady (with the build command) when there is none."""
        with self._lock:
            index = Index(self.root)
            index.load()
            self.index = index
            self._retriever = None
        return self

    def warm_up(self) -> None:
        """Load the query embedder now (the model: seconds), so the first search does not wait."""
        with self.reading() as index:
            index.embedder.load()

    @property
    def ready(self) -> bool:
        try:
            self._index()
        except (IndexNotReady, IndexMismatch):
            return False
        return True

    def refresh(self) -> bool:
        """Pick up a generation published since the last call (an upload, a CLI build)."""
        with self._lock:
            if self.index is None:
                self.load()
                return True
            changed = self.index.reload_if_changed()
            if changed:
                self._retriever = None
            return changed

    def _index(self) -> Index:
        if self.index is None:
            self.load()
        else:
            self.index.reload_if_changed()
        assert self.index is not None
        return self.index

    @contextmanager
    def reading(self) -> Iterator[Index]:
        """The live index, up to date, held against a concurrent reload."""
        with self._lock:
            yield self._index()

    def retriever(self) -> Retriever:
        """The retriever over the live index, built once per generation; the answerers get this
        one (they never build their own)."""
        with self.reading() as index:
            if self._retriever is None:
                self._retriever = retrievers_for(index, (self.retriever_name,))[self.retriever_name]
            return self._retriever

    # ---- reads --------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[SearchResult]:
        with self.reading() as index:
            hits = self.retriever().search(query, k=k, filters=filters)
            chunks = index.store.chunks_by_id(h.chunk_id for h in hits)
            docs: dict[str, Document] = {}
            out = []
            for rank, hit in enumerate(hits, 1):
                if hit.doc_id not in docs:
                    doc = index.store.document(hit.doc_id)
                    if doc is None:
                        continue
                    docs[hit.doc_id] = doc
                doc, c = docs[hit.doc_id], chunks[hit.chunk_id]
                start, end = doc.text.to_original(c.start, c.end)
                out.append(SearchResult(rank, hit.chunk_id, hit.doc_id, round(float(hit.score), 6), hit.text,
                                        tuple(hit.section_path), tuple(highlight_spans(hit.text, query)),
                                        start, end, doc_meta(doc)))
            return out

    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> DocumentView:
        """The document; `span` (a cited [start, end) of its original text, as search hits and
        citations give it) comes back as `highlight`, clipped to the text."""
        with self.reading() as index:
            doc = index.store.document(doc_id)
            if doc is None:
                raise DocumentNotFound(doc_id)
            return document_view(doc, index.store.chunks_of(doc_id), span)

    def facets(self) -> Facets:
        with self.reading() as index:
            provinces: set[str] = set()
            types: set[str] = set()
            issuers: set[str] = set()
            dates: list[str] = []
            for doc in index.store.documents():
                m = doc.meta
                provinces.update(n for n in (m.province, m.province_2025) if n)
                if m.type:
                    types.add(m.type)
                if m.issuer:
                    issuers.add(m.issuer)
                if m.date:
                    dates.append(m.date)
            return Facets(tuple(sorted(provinces)), tuple(sorted(types)), tuple(sorted(issuers)),
                          min(dates) if dates else None, max(dates) if dates else None,
                          index.store.count("documents"), index.store.count("chunks"))

    def health(self) -> dict[str, object]:
        try:
            with self.reading() as index:
                assert index.manifest is not None and index.generation is not None
                return {"status": "ok", "index": str(self.root), "generation": index.generation.name,
                        "embedder": index.manifest.embedder, "documents": index.store.count("documents"),
                        "chunks": index.store.count("chunks")}
        except (IndexNotReady, IndexMismatch) as exc:
            return {"status": "not_ready", "index": str(self.root), "detail": str(exc), "hint": BUILD_HINT}
