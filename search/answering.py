"""The answer side of the service, shared by the HTTP API and the app: ask, compare, agency tasks.

Plain dicts come out (the answer modules' own `to_dict()`), so the API validates them into its
Pydantic models and the app renders them, in-process or over HTTP alike. Plain search words
("Giải ngân vốn đầu tư công") get search results (`kind: "search"`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from search.api_models import document_link
from search.intent import ASK, COMPARE, compare_topic, question_kind
from search.model import Filters
from search.service import SearchResult, Service


def hit_dict(r: SearchResult) -> dict[str, Any]:
    d = asdict(r)
    meta = d.pop("meta")
    d["section_path"] = list(r.section_path)
    d["highlights"] = [list(h) for h in r.highlights]
    d["link"] = document_link(r.doc_id, r.start, r.end)
    d["document"] = {**meta, "attachments": list(r.meta.attachments), "cites": list(r.meta.cites)}
    return d


def search_answer(service: Service, question: str, filters: Filters | None, k: int) -> dict[str, Any]:
    hits = service.search(question, k=k, filters=filters)
    return {"kind": "search", "question": question, "hits": [hit_dict(h) for h in hits]}


def ask(service: Service, question: str, filters: Filters | None = None, k: int = 10) -> dict[str, Any]:
    kind = question_kind(question)
    if kind == COMPARE:
        return {"kind": "compare", "question": question,
                "comparison": compare(service, compare_topic(question), None)}
    if kind != ASK:
        return search_answer(service, question, filters, k)
    from search import answers  # agency questions get tasks, the rest a factual answer

    with service.reading() as index:
        result = answers.ask(index, question, filters=filters)
    d = result.to_dict()
    d.setdefault("question", question)
    return d


def compare(service: Service, topic: str, provinces: list[str] | None = None) -> dict[str, Any]:
    from search import compare as comparing

    with service.reading() as index:
        return comparing.compare(index, topic, provinces=provinces).to_dict()


class UnknownAgency(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"không biết cơ quan {self.name!r} (unknown agency); ví dụ: Sở Y tế, Sở KH&ĐT, Sở Tài chính"


def agency_tasks(service: Service, name: str, province: str | None = None, since: str | None = None,
                 until: str | None = None, overdue: bool = False, today: str | None = None) -> dict[str, Any]:
    """The agency's tasks by directive (any spelling the alias table knows). Every task gets
    `overdue` judged on `today` (default: the real today); `overdue=True` keeps only those."""
    import datetime as dt

    from ingest.agencies import table
    from ingest.organisations import org_key
    from search import answers

    day = today or dt.date.today().isoformat()
    with service.reading() as index:
        known = table().lookup(name)
        # Any organisation the index has seen, by its name's key, not only the table's agencies.
        seen = [] if known is not None else [s for s in index.store.organisations() if org_key(s) == org_key(name)]
        if known is None and not seen:
            raise UnknownAgency(name)
        asked = known.name if known is not None else seen
        result = answers.agency_answer(index, name, asked, Filters(province=province, since=since, until=until))
    d = result.to_dict()

    def judged(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for g in groups:
            tasks = [{**t, "overdue": bool(t["deadline"]) and t["deadline"] < day} for t in g["tasks"]]
            tasks = [t for t in tasks if t["overdue"] or not overdue]
            if tasks:
                out.append({**g, "tasks": tasks})
        return out

    return {"agency": d["agency"], "groups": judged(d["groups"]), "collective": judged(d["collective"]),
            "predecessors_included": list(d["predecessors_included"]), "today": day}
