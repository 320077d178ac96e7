"""Index a BEIR corpus as it is given: one chunk per passage, the title as its section path."""

from __future__ import annotations

import hashlib
from pathlib import Path

from eval.datasets import BeirSet
from index.embedders.base import Embedder
from index.writer import write
from ingest.model import Chunk, CleanText, Document, Metadata
from ingest.pipeline import IngestedFile
from ingest.vietnamese import normalize


def passages_as_files(beir: BeirSet) -> list[IngestedFile]:
    files = []
    for doc_id, (title, text) in beir.corpus.items():
        clean = normalize(text)
        doc = Document(
            id=doc_id,
            source="beir",
            meta=Metadata(subject=title or None),
            text=CleanText(clean, text, ((0, 0),)),
            content_hash=hashlib.sha256((title + "\n" + text).encode("utf-8")).hexdigest(),
        )
        path = (normalize(title),) if title else ()
        files.append(IngestedFile("beir", (doc,), (Chunk(f"{doc_id}:p1", doc_id, path, clean, 0, len(clean)),)))
    return files


def build_beir_index(beir: BeirSet, root: Path, embedder: Embedder, batch: int = 5000) -> None:
    files = passages_as_files(beir)
    for start in range(0, len(files), batch):
        write(root, files[start : start + batch], embedder)
