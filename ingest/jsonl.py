"""documents.jsonl / chunks.jsonl: the ingest output other tools read.

Field names are a contract (issue: ingest). JSON is written with ensure_ascii=False.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ingest.model import Chunk, CleanText, Document, Metadata, OcrInfo


def document_to_dict(doc: Document) -> dict[str, Any]:
    meta = asdict(doc.meta)
    return {
        "id": doc.id,
        "source": doc.source,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in meta.items()},
        "parent": doc.parent,
        "attachments": list(doc.attachments),
        "content_hash": doc.content_hash,
        "ocr": ocr_to_dict(doc.ocr),
        "text": doc.text.text,
        "original": doc.text.original,
        "anchors": [list(a) for a in doc.text.anchors],
    }


def document_from_dict(d: dict[str, Any]) -> Document:
    fields = Metadata.__dataclass_fields__
    values: dict[str, Any] = {k: tuple(d[k]) if isinstance(d.get(k), list) else d.get(k) for k in fields}
    meta = Metadata(**values)
    text = CleanText(d["text"], d["original"], tuple((int(a), int(b)) for a, b in d["anchors"]))
    return Document(
        id=d["id"],
        source=d["source"],
        meta=meta,
        text=text,
        parent=d.get("parent"),
        attachments=tuple(d.get("attachments", ())),
        content_hash=d.get("content_hash", ""),
        ocr=ocr_from_dict(d.get("ocr")),
    )


def ocr_to_dict(ocr: OcrInfo | None) -> dict[str, Any] | None:
    """{"pages": [1, 3], "confidence": 91.4, "seconds": 7.2}, or None for a document read as text."""
    if ocr is None:
        return None
    return {"pages": list(ocr.pages), "confidence": ocr.confidence, "seconds": ocr.seconds}


def ocr_from_dict(d: dict[str, Any] | None) -> OcrInfo | None:
    if not d:
        return None
    return OcrInfo(tuple(int(n) for n in d["pages"]), float(d["confidence"]), float(d.get("seconds", 0.0)))


def chunk_to_dict(chunk: Chunk) -> dict[str, Any]:
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "section_path": list(chunk.section_path),
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
    }


def chunk_from_dict(d: dict[str, Any]) -> Chunk:
    return Chunk(d["chunk_id"], d["doc_id"], tuple(d["section_path"]), d["text"], int(d["start"]), int(d["end"]))


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write atomically (temp file + rename): a crash never leaves half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return n


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
