"""What the application facade (`service.core`) returns: frozen results, each with `kind` where it
is an answer and `to_dict()` giving the JSON shape every front end shows (the API validates it
into its Pydantic models, the app renders it, the CLI prints it). Search hits are shaped here,
once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from answer.answers import AgencyAnswer
from answer.compare import Comparison
from domain.links import document_link
from service.ingest_jobs import JobState, StoredFile
from service.reading import SearchResult

Json = dict[str, Any]


def hit_dict(r: SearchResult) -> Json:
    """One search hit as every front end shows it: the passage, its highlights, where it sits in
    the original text, a link that opens it there, and its document's metadata."""
    d = asdict(r)
    meta = d.pop("meta")
    d["section_path"] = list(r.section_path)
    d["highlights"] = [list(h) for h in r.highlights]
    d["link"] = document_link(r.doc_id, r.start, r.end)
    d["document"] = {**meta, "attachments": list(r.meta.attachments), "cites": list(r.meta.cites)}
    return d


@dataclass(frozen=True)
class SearchAnswer:
    """Plain search words ("Giải ngân vốn đầu tư công"): the matching passages. `scope` is the
    province a topic naming one was searched in first ("… ở Đồng Tháp"), None when it was not."""

    question: str
    hits: tuple[SearchResult, ...]
    kind: str = "search"
    scope: str | None = None

    def to_dict(self) -> Json:
        return {"kind": self.kind, "question": self.question, "scope": self.scope,
                "hits": [hit_dict(h) for h in self.hits]}


@dataclass(frozen=True)
class ComparisonAnswer:
    """A comparison question ("So sánh ... giữa các tỉnh"): the comparison on its topic."""

    question: str
    comparison: Comparison
    kind: str = "compare"

    def to_dict(self) -> Json:
        return {"kind": self.kind, "question": self.question, "comparison": self.comparison.to_dict()}


@dataclass(frozen=True)
class AgencyTasks:
    """An agency's tasks by directive, each judged overdue or not on `today`; `only_overdue`
    keeps the overdue ones."""

    answer: AgencyAnswer
    today: str
    only_overdue: bool = False

    def to_dict(self) -> Json:
        d = self.answer.to_dict()

        def judged(groups: list[Json]) -> list[Json]:
            out = []
            for g in groups:
                tasks = [{**t, "overdue": bool(t["deadline"]) and t["deadline"] < self.today} for t in g["tasks"]]
                tasks = [t for t in tasks if t["overdue"] or not self.only_overdue]
                if tasks:
                    out.append({**g, "tasks": tasks})
            return out

        return {"agency": d["agency"], "groups": judged(d["groups"]), "collective": judged(d["collective"]),
                "predecessors_included": list(d["predecessors_included"]), "today": self.today}


@dataclass(frozen=True)
class Health:
    status: str  # ok | not_ready
    index: str
    generation: str | None = None
    embedder: str | None = None
    documents: int | None = None
    chunks: int | None = None
    detail: str | None = None
    hint: str | None = None

    def to_dict(self) -> Json:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Upload:
    """An upload job and the files it stored."""

    job: JobState
    files: tuple[StoredFile, ...]


@dataclass(frozen=True)
class Deleted:
    removed: tuple[str, ...]
    generation: int
