"""`ask()`: one entry point for questions. Agency questions get the agency's tasks; everything
else goes to the factual answerer (`answer.qa.answer_question`).

An agency question names an agency the alias table knows (any spelling, with or without
diacritics) and asks what it must do: "nhiệm vụ của Sở Y tế là gì", "nhiem vu cua so y te",
"Sở KH&ĐT được giao gì", "Sở Nội vụ chủ trì những việc gì", or just the agency's name. A
question that asks when, how much, which day or which document ("Khi nào Sở Y tế phải ...")
is factual even when it names an agency.

The answer groups the agency's tasks by directive, newest first. Tasks addressed to a group the
agency belongs to ("các sở, ban, ngành") come in separate groups, never mixed with its own. For
an agency that took over others in the 2025 reorganisation (Nghị định 45/2025/NĐ-CP: Sở Tài
chính took over Sở Kế hoạch và Đầu tư ...), the predecessors' tasks are included, each marked
with `via` = the predecessor's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from answer.intent import Classified, classify  # noqa: F401  (re-exported: answers.classify)
from domain.model import Filters, Retriever, StoredTask
from index.generation import IndexNotReady
from index.index import Index
from ingest.agencies import AgencyTable, table
from ingest.assignments import ASSIGNMENTS_VERSION
from search import agency_question


class Answer(Protocol):
    @property
    def kind(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Citation:
    """Opens the exact span: `start`/`end` are offsets in the document's original text."""

    doc_id: str
    chunk_id: str | None
    section_path: tuple[str, ...]
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Task:
    agency: str  # who the directive gave it to (canonical name)
    agency_text: str  # as written
    role: str  # chu_tri | phoi_hop | giao | collective
    text: str
    deadline: str | None
    deadline_text: str | None
    reports_to: str | None
    section_path: tuple[str, ...]
    citation: Citation
    via: str | None = None  # a predecessor's task shown for its successor ("Sở Kế hoạch và Đầu tư")


@dataclass(frozen=True)
class DirectiveTasks:
    doc_id: str
    number: str | None
    date: str | None
    province: str | None
    province_2025: str | None
    issuer: str | None
    type: str | None
    tasks: tuple[Task, ...]
    label: str = ""  # for collective groups: the addressee ("Các sở, ban, ngành")


@dataclass(frozen=True)
class AgencyAnswer:
    question: str
    agency: str
    groups: tuple[DirectiveTasks, ...]
    collective: tuple[DirectiveTasks, ...]
    predecessors_included: tuple[str, ...] = ()
    kind: str = field(default="agency")
    known: bool = True  # False: no organisation the index has seen matches the question
    closest: tuple[str, ...] = ()  # for an unknown organisation: the nearest known ones
    province: str | None = None  # the province the question (or the filter) scoped it to

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The agency's own tasks (predecessors' included), directive by directive."""
        return tuple(t for g in self.groups for t in g.tasks)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ask(index: Index, question: str, filters: Filters | None = None, retriever: Retriever | None = None) -> Answer:
    """Answer `question` from `index`; see the module docstring."""
    c = classify(question)
    if c.kind == "agency" and c.question is not None:
        return agency_ask(index, question, c.question, filters)
    return _factual(index, question, filters, retriever)


def agency_ask(index: Index, question: str, q: agency_question.AgencyQuestion,
               filters: Filters | None = None) -> AgencyAnswer:
    """The tasks of the organisations an agency question names, matched against the organisations
    the index has seen (any organisation, not only the alias table's); none matched: say so and
    offer the closest. A province in the question ("X tỉnh Y") scopes the tasks when it has any;
    a topic qualifier ("... về cải cách hành chính") keeps the directives on that topic."""
    seen = index.store.organisations()
    names = agency_question.match(q, seen)
    label = "; ".join(q.names) if q.names else q.phrase
    if not names:
        return AgencyAnswer(question, label, (), (), known=False,
                            closest=agency_question.closest(q.names[0] if q.names else q.phrase, seen))
    f = filters or Filters()
    answer = agency_answer(index, question, names, f)
    if q.province and not f.province:
        scoped = agency_answer(index, question, names, replace(f, province=q.province))
        if scoped.groups or scoped.collective:
            answer = replace(scoped, province=q.province)
    return replace(_on_topic(index, answer, q.topic), agency=label)


def _on_topic(index: Index, answer: AgencyAnswer, topic: str | None) -> AgencyAnswer:
    """A topic qualifier ("... về cải cách hành chính") keeps the directives on that topic, when
    any of the agency's directives is on it."""
    if not topic or not answer.groups:
        return answer
    texts = {}
    for g in (*answer.groups, *answer.collective):
        if g.doc_id not in texts:
            doc = index.store.document(g.doc_id)
            texts[g.doc_id] = doc.text.text if doc is not None else ""
    keep = {d for d, text in texts.items() if agency_question.on_topic(topic, text)}
    if not any(g.doc_id in keep for g in answer.groups):
        return answer
    return replace(answer, groups=tuple(g for g in answer.groups if g.doc_id in keep),
                   collective=tuple(g for g in answer.collective if g.doc_id in keep))


def agency_answer(index: Index, question: str, agency: str | Sequence[str], filters: Filters | None = None,
                  agencies: AgencyTable | None = None) -> AgencyAnswer:
    """The tasks of `agency` (one canonical name, or several: named communes) by directive."""
    agencies = agencies or table()
    store = index.store  # loads the index
    manifest = index.manifest
    if manifest is not None and manifest.assignments_version != ASSIGNMENTS_VERSION:
        raise IndexNotReady(
            f"{index.root}: its tasks were read by assignment rules {manifest.assignments_version or 'none'}, "
            f"this chidao has {ASSIGNMENTS_VERSION}; run chidao index build (or index add) on it again"
        )
    names = (agency,) if isinstance(agency, str) else tuple(agency)
    f = filters or Filters()

    def fetch(name: str, role: str | None = None) -> list[StoredTask]:
        return store.tasks(agency=name, role=role, filters=f)

    own: list[tuple[StoredTask, str | None]] = []
    collective: list[tuple[StoredTask, str | None]] = []
    predecessors: list[str] = []
    for name in names:
        known = agencies.exact(name) or (agencies.agencies.get(name))
        own += [(t, None) for t in fetch(name)]
        if known is None:
            continue
        for p in agencies.predecessors(known.name):
            predecessors.append(p)
            own += [(t, p) for t in fetch(p)]
        for group in agencies.collectives_covering(known.name):
            if group not in names:
                collective += [(t, None) for t in fetch(group, role="collective")]
    groups = _group(own, by_agency=len(names) > 1)
    included = tuple(p for p in predecessors if any(v == p for _, v in own))
    return AgencyAnswer(question, "; ".join(names), groups, _group(collective, collective=True), included)


def _task(t: StoredTask, via: str | None) -> Task:
    cite = Citation(t.doc_id, t.chunk_id, t.section_path, t.orig_start, t.orig_end, t.quote)
    return Task(t.agency, t.agency_text, t.role, t.task, t.deadline, t.deadline_text, t.reports_to,
                t.section_path, cite, via)


def _group(rows: Sequence[tuple[StoredTask, str | None]], collective: bool = False,
           by_agency: bool = False) -> tuple[DirectiveTasks, ...]:
    """Tasks grouped by directive, newest directive first; a task given twice in one directive
    (to the agency and to its predecessor, or to two collective addressees) is listed once.
    A collective group's label names its addressees; asked about several organisations (the
    communes), each gets its own group per directive, labelled with its name."""
    order: dict[tuple[str, str], list[tuple[StoredTask, str | None]]] = {}
    for t, via in rows:
        order.setdefault((t.doc_id, t.agency if by_agency else ""), []).append((t, via))
    groups = []
    for (doc_id, who), items in order.items():
        label = ", ".join(dict.fromkeys(t.agency for t, _ in items)) if collective else who
        first = items[0][0]
        seen: set[tuple[int, int]] = set()
        tasks = []
        for t, via in sorted(items, key=lambda x: (x[0].start, x[1] is not None)):
            if (t.start, t.end) in seen:
                continue
            seen.add((t.start, t.end))
            tasks.append(_task(t, via))
        groups.append(DirectiveTasks(doc_id, first.number, first.date, first.province, first.province_2025,
                                     first.issuer, first.type, tuple(tasks), label))
    groups.sort(key=lambda g: (g.date is None, _neg_date(g.date), g.doc_id, g.label))
    return tuple(groups)


def _neg_date(date: str | None) -> str:
    """A sort key putting later ISO dates first."""
    return "".join(chr(ord("9") - ord(c) + ord("0")) if c.isdigit() else c for c in (date or ""))


def _factual(index: Index, question: str, filters: Filters | None, retriever: Retriever | None = None) -> Answer:
    from answer.qa import answer_question

    answer: Answer = answer_question(index, question, filters=filters, retriever=retriever)
    return answer
