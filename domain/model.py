"""The types every layer shares: search filters, hits, the retriever seam, stored tasks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Filters:
    """Restrictions on which documents a search may return. None means no restriction."""

    province: str | None = None  # old (pre-2025) or new name; both match
    type: str | None = None
    issuer: str | None = None
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    cites: str | None = None  # a cited document number

    def is_empty(self) -> bool:
        return all(v is None for v in (self.province, self.type, self.issuer, self.since, self.until, self.cites))


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    doc_id: str
    score: float
    text: str
    section_path: tuple[str, ...] = ()


class Retriever(Protocol):
    """Anything that ranks chunks for a query: bm25, dense, hybrid, reranked."""

    name: str

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]: ...


@dataclass(frozen=True)
class StoredTask:
    """An assignment as the store returns it: the task, where it sits, and its directive's header.

    `start`/`end` are offsets in the document's clean text; `orig_start`/`orig_end` the same span
    in the original text (`Document.text.original`), and `quote` that original text.
    """

    doc_id: str
    chunk_id: str | None
    section_path: tuple[str, ...]
    agency: str
    agency_text: str
    role: str  # chu_tri | phoi_hop | giao | collective
    task: str
    deadline: str | None
    deadline_text: str | None
    reports_to: str | None
    start: int
    end: int
    orig_start: int
    orig_end: int
    quote: str
    number: str | None = None
    date: str | None = None
    type: str | None = None
    issuer: str | None = None
    province: str | None = None
    province_2025: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["section_path"] = list(self.section_path)
        return out
