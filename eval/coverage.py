"""Share of an index's clean text that is searchable or named as excluded (ingest.coverage)."""

from __future__ import annotations

from index.index import Index
from ingest.coverage import coverage


def index_coverage(index: Index) -> float:
    """Over every stored document: characters in a chunk or a named excluded region / all
    non-space characters of the clean text (1.0 = nothing silently unsearchable)."""
    store = index.store
    total = covered = 0
    for doc in store.documents():
        c = coverage(doc.id, doc.text.text, store.chunks_of(doc.id))
        total += c.chars
        covered += c.covered
    return round(covered / total, 4) if total else 1.0
