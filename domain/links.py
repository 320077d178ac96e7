"""Where a citation opens: the API path of a document on a span. Every layer that shows a source
(search hits, agency tasks, compared instructions) links it the same way."""

from __future__ import annotations

from urllib.parse import quote


def document_link(doc_id: str, start: int, end: int) -> str:
    """The API path that opens a document on a span ("#" of an attachment id escaped)."""
    return f"/documents/{quote(doc_id, safe='')}?start={start}&end={end}"
