"""Files in, documents and chunks out: read -> clean -> split attachments -> metadata -> chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.attachments import split_documents
from ingest.chunk import chunk_document
from ingest.clean import clean
from ingest.metadata import extract_metadata
from ingest.model import Chunk, Document, IngestError, OcrInfo
from ingest.readers import read

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ".doc")


@dataclass(frozen=True)
class IngestedFile:
    path: str
    documents: tuple[Document, ...]
    chunks: tuple[Chunk, ...]


def ingest_text(raw: str, doc_id: str, source: str, digest: str = "", ocr: OcrInfo | None = None) -> IngestedFile:
    """Ingest already-decoded text (used by readers' output and by benchmarks). `ocr`: the file's
    OCR'd pages; each document cut from it records those within its own text."""
    text = clean(raw)
    if not text.text.strip():
        raise IngestError(source, "no text after cleaning (only web chrome or markup?)")
    spans = split_documents(text) or [(0, len(text.text))]
    ids = [doc_id] + [f"{doc_id}#{n}" for n in range(2, len(spans) + 1)]
    documents: list[Document] = []
    chunks: list[Chunk] = []
    for n, ((start, end), part_id) in enumerate(zip(spans, ids)):
        part = text.slice(start, end)
        meta = extract_metadata(part, source)
        documents.append(
            Document(
                id=part_id,
                source=source,
                meta=meta,
                text=part,
                parent=ids[0] if n else None,
                content_hash=digest,
                ocr=ocr.within(*part.to_original(0, len(part.text))) if ocr else None,
            )
        )
        chunks.extend(chunk_document(part_id, part.text))
    if len(documents) > 1:
        documents[0] = replace(documents[0], attachments=tuple(ids[1:]))
    return IngestedFile(source, tuple(documents), tuple(chunks))


def ingest_file(path: str | Path) -> IngestedFile:
    """Ingest one file. Raises IngestError (naming the file and the reason) on any bad input."""
    p = Path(path)
    raw = read(p)
    return ingest_text(raw.text, p.stem, str(p), raw.sha256, raw.ocr)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly, plus supported files found under directories, sorted."""
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            out.append(p)
    return out


def ingest_paths(paths: Iterable[Path]) -> Iterator[IngestedFile | IngestError]:
    """Ingest each file; a bad file yields its error and the batch carries on."""
    for p in paths:
        try:
            yield ingest_file(p)
        except IngestError as exc:
            yield exc
        except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the batch
            yield IngestError(str(p), f"unexpected {type(exc).__name__}: {exc}")
