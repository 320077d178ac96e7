"""Data and seams of the search stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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
