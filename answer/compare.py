"""Compare provinces on a subject: each column holds that province's own instructions on it.

`compare(index, retriever, "phân cấp thẩm quyền quản lý tài sản công", ["Cần Thơ", "Gia Lai"])`
works in three steps.

1. Documents first. For each province (old and new names both work: `Filters.province` covers a
   2025 province's predecessors) the retriever's passages on the subject are gathered by
   document, and each document is scored on its subject line (trích yếu), its body and its best
   passage's rank (`_doc_score`). The province's best document is kept, with any other within
   `DOC_KEEP` of its score; a document neither whose subject line nor whose body holds half of
   the subject's words is never kept (the column stays empty rather than show another topic).
2. Instructions from inside them (`ingest.instructions`): the operative units of each kept
   document (articles, numbered tasks, bullets, table rows and fields), not its header, legal
   bases, enactment formula or recipients list. A document whose subject line is not on the
   subject (a meeting's conclusions on ten matters) keeps only the units on the subject, read
   with their section headings. Each unit carries its lead agencies (the stored assignments
   that lie in it, else "Giao Sở X chủ trì" read from the text), its deadlines and its span for
   the citation link. Its `text` is the directive's own wording (original text, markup removed).
3. Alignment (`answer.align`): instructions of different provinces that say the same thing are
   grouped (embedding cosine >= `threshold` and shared key terms, mutual best matches). A group
   spanning two provinces or more is shared; one instruction matched by no other listed province
   is unique to its province. The table has one row per group and one cell per province.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from answer.align import MIN_SHARED_TERMS, align
from answer.extract import coverage, term_set, terms
from domain.links import document_link
from domain.model import Filters, Retriever, StoredTask
from index.generation import IndexNotReady
from index.index import Index
from ingest import provinces as province_table
from ingest.instructions import instruction_units
from ingest.model import Document
from ingest.sections import parse_sections
from ingest.vietnamese import fold, normalize

ON_TOPIC = 0.5  # share of the subject's weighted words and word pairs a document (or unit) must hold
DOC_KEEP = 0.75  # a second document of a province is kept when its score is within this share of the best
MAX_DOCS = 3  # documents per province
CANDIDATES = 60  # passages retrieved per province to find its documents
# Cosine at or above which two instructions (with MIN_SHARED_TERMS key terms in common) count as
# alike, by embedder. Chosen on ../shared/eval/compare_dev with `chidao eval --compare ... --sweep`
# (eval/compare.py `sweep`): the harmonic mean of the grouping's agreement with the set's shared
# notes and its unique notes peaks at 0.91 for e5-small (shared 0.515, unique 0.549, h-mean 0.532
# with one or two shared key terms, three: 0.522; 0.84-0.90: 0.522; 0.92: 0.517; 0.95: 0.484,
# where only a third of the shared notes stay together). The hash embedder's cosines are lower: 0.5.
THRESHOLDS = {"hash": 0.5}
DEFAULT_THRESHOLD = 0.91


@dataclass(frozen=True)
class Instruction:
    province: str  # the column it belongs to
    doc_id: str
    text: str  # the unit as the directive words it (original text, markup removed)
    start: int  # its span in the document's clean text (the citation link)
    end: int
    section_path: tuple[str, ...]
    lead_agencies: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()
    source: str = "section"  # "assignment" when a stored assignment lies in it
    relevance: float = 0.0  # share of the subject's words in the unit with its headings


@dataclass(frozen=True)
class Directive:
    doc_id: str
    number: str | None
    doc_type: str | None
    date: str | None
    province: str | None  # at issue time ("Kon Tum" in a "Quảng Ngãi" column)
    subject: str | None
    score: float  # the document's score on the subject (`_doc_score`)
    lead_agencies: tuple[str, ...]
    deadlines: tuple[str, ...]
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Column:
    province: str
    directives: tuple[Directive, ...]

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(i for d in self.directives for i in d.instructions)


@dataclass(frozen=True)
class Cell:
    province: str
    instructions: tuple[Instruction, ...]  # empty: the province has no such instruction


@dataclass(frozen=True)
class Group:
    """One row of the table: alike instructions, one cell per column (in column order)."""

    cells: tuple[Cell, ...]
    similarity: float  # the lowest cosine that linked two members (1.0 for a single instruction)

    @property
    def provinces(self) -> tuple[str, ...]:
        return tuple(c.province for c in self.cells if c.instructions)

    @property
    def members(self) -> tuple[Instruction, ...]:
        return tuple(i for c in self.cells for i in c.instructions)

    @property
    def shared(self) -> bool:
        return len(self.provinces) > 1

    def to_dict(self) -> dict[str, Any]:
        return {"provinces": list(self.provinces), "shared": self.shared, "similarity": self.similarity,
                "members": [_instruction_dict(i) for i in self.members],
                "cells": [{"province": c.province, "instructions": [_instruction_dict(i) for i in c.instructions]}
                          for c in self.cells]}


def _instruction_dict(i: Instruction) -> dict[str, Any]:
    return {"province": i.province, "doc_id": i.doc_id, "text": i.text, "start": i.start, "end": i.end,
            "section_path": list(i.section_path), "lead_agencies": list(i.lead_agencies),
            "deadlines": list(i.deadlines), "source": i.source, "relevance": i.relevance,
            "link": document_link(i.doc_id, i.start, i.end)}


@dataclass(frozen=True)
class Comparison:
    kind: str = field(default="compare", init=False)
    topic: str
    provinces: tuple[str, ...]
    columns: tuple[Column, ...]
    shared: tuple[Group, ...]  # rows given by two provinces or more, most provinces first
    unique: tuple[Group, ...]  # rows of one province, in column order
    threshold: float

    @property
    def rows(self) -> tuple[Group, ...]:
        return self.shared + self.unique

    def to_dict(self) -> dict[str, Any]:
        columns = []
        for c in self.columns:
            directives = []
            for d in c.directives:
                directives.append({
                    "doc_id": d.doc_id, "number": d.number, "doc_type": d.doc_type, "date": d.date,
                    "province": d.province, "subject": d.subject, "score": d.score,
                    "lead_agencies": list(d.lead_agencies), "deadlines": list(d.deadlines),
                    "instructions": [_instruction_dict(i) for i in d.instructions]})
            columns.append({"province": c.province, "directives": directives})
        return {"kind": self.kind, "topic": self.topic, "provinces": list(self.provinces), "columns": columns,
                "shared": [g.to_dict() for g in self.shared], "unique": [g.to_dict() for g in self.unique],
                "threshold": self.threshold}


def threshold_for(model_id: str) -> float:
    """The grouping threshold for an index's embedder ("hash-v1-256" -> THRESHOLDS["hash"])."""
    return next((v for k, v in THRESHOLDS.items() if model_id.startswith(k)), DEFAULT_THRESHOLD)


# ---- lead agencies and deadlines, read from the text ---------------------------------------------

_HEAD = r"(?:Sở|Ban|Văn phòng|Công an|Bộ Chỉ huy|Cục|Chi cục|Đài|Báo|Thanh tra|Kho bạc|Ủy ban nhân dân|UBND|Liên đoàn|Ngân hàng|Bảo hiểm)"
# "Giao Sở Y tế chủ trì", "giao Sở Giáo dục và Đào tạo chủ trì, phối hợp ..."
_GIVEN_LEAD = re.compile(rf"\b[Gg]iao (?:cho )?(?P<a>{_HEAD}[^.;:()]{{1,80}}?)(?:\s*\([^)]*\))? chủ trì")
# "Sở Tài chính chủ trì, phối hợp ...", "Giám đốc Sở Y tế có trách nhiệm chủ trì ..." at the start of
# a sentence or bullet
_NAMED_LEAD = re.compile(
    rf"(?:^[-+*•\s]*|[.;]\s+)(?:Giám đốc |Thủ trưởng )?(?P<a>{_HEAD}[^.;:,()]{{1,80}}?) (?:có trách nhiệm )?chủ trì",
    re.MULTILINE)
# "Đơn vị chủ trì: Sở Tư pháp", "*Cơ quan chủ trì:* Sở Nội vụ" (plans laid out as fields)
_FIELD_LEAD = re.compile(rf"(?:Đơn vị|Cơ quan) chủ trì\s*:?[\s*_]*(?P<a>{_HEAD}[^.;:,()\n*_]{{1,80}})")
# A bullet opening on its assignee: "- Giao Giám đốc Sở Kế hoạch và Đầu tư: Tổng hợp ...",
# "- Giao Văn phòng UBND tỉnh (Phòng Tổng hợp): Theo dõi ..."
_GIVEN_BULLET = re.compile(
    rf"^\s*(?:[-+*•]\s*|\d+[.)]\s*)?Giao (?:cho )?(?:Giám đốc |Thủ trưởng )?(?P<a>{_HEAD}[^:()\n]{{1,80}}?)\s*(?:\([^)]*\))?\s*:",
    re.MULTILINE)
# A heading that names the agency owning its bullets: "7. Sở Y tế:", "8. Giao Sở Y tế:"
_HEADING_AGENCY = re.compile(rf"^\s*[\dIVX]+[.\-)]*\s*(?:Giao\s+)?(?:Giám đốc\s+)?(?P<a>{_HEAD}\b[^:]{{0,120}}?)\s*:")

_DEADLINE = re.compile(
    r"\b(?:hoan thanh |xong )?(?:truoc|cham nhat(?: la)?|den het|trong) (?:ngay )?"
    r"(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2} thang \d{1,2}(?: nam \d{4})?|thang \d{1,2}(?:/\d{4}| nam \d{4})"
    r"|quy [IV1-4]+(?:/\d{4}| nam \d{4})?)"
    r"|\b(?:hang|dinh ky) (?:ngay|tuan|thang|quy|nam)\b",
    re.IGNORECASE,
)


def lead_agencies(text: str, section_path: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Agencies that lead ("chủ trì") the work in `text`, or are given it by name ("Giao Sở X:"),
    or own it by their section heading ("7. Sở Y tế:"), in that order, each once."""
    found = [m.group("a").strip() for p in (_FIELD_LEAD, _GIVEN_BULLET, _GIVEN_LEAD, _NAMED_LEAD) for m in p.finditer(text)
             if " giao " not in m.group("a")]  # "UBND tỉnh giao Sở Y tế chủ trì": _GIVEN_LEAD has it
    if section_path:
        m = _HEADING_AGENCY.match(section_path[-1])
        if m:
            found.insert(0, m.group("a").strip())
    return tuple(dict.fromkeys(" ".join(a.split()) for a in found))


def deadlines(text: str) -> tuple[str, ...]:
    """Deadline phrases as written ("trước ngày 15/8/2020", "hằng tháng"), in order."""
    clean = normalize(text)
    folded = fold(clean)  # one character for one: offsets carry over to `clean`
    return tuple(dict.fromkeys(clean[m.start():m.end()] for m in _DEADLINE.finditer(folded)))


# ---- step 1: each province's documents on the subject -------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    doc: Document
    rank: int  # its rank among the province's documents, by their best passage (0 = first)
    subject_terms: frozenset[str]
    body_terms: frozenset[str]


def _candidates(index: Index, retriever: Retriever, topic: str, province: str) -> list[_Candidate]:
    """The province's documents that hold a passage on the subject, best passage first. An
    attachment counts for the directive it is attached to."""
    ranks: dict[str, int] = {}
    for h in retriever.search(topic, k=CANDIDATES, filters=Filters(province=province)):
        doc = index.store.document(h.doc_id)
        root = doc.parent if doc is not None and doc.parent else h.doc_id
        ranks.setdefault(root, len(ranks))  # documents in the order of their best passage
    out = []
    for doc_id, r in ranks.items():
        doc = index.store.document(doc_id)
        if doc is None:
            continue
        body = doc.text.text + "".join("\n" + a.text.text for a in _attachments(index, doc))
        out.append(_Candidate(doc, r, frozenset(term_set(terms(doc.meta.subject or ""))),
                              frozenset(term_set(terms(body)))))
    return out


def _attachments(index: Index, doc: Document) -> list[Document]:
    return [a for a in (index.store.document(i) for i in doc.attachments) if a is not None]


def _doc_score(weighted: dict[str, float], c: _Candidate, best_rank: int) -> tuple[float, float, float]:
    """(score, subject coverage, body coverage). The subject line weighs most: a directive is
    about what its trích yếu says; the body and the retriever's rank break ties between
    directives whose subject lines say little ("V/v triển khai một số nhiệm vụ")."""
    subj = coverage(weighted, set(c.subject_terms))
    body = coverage(weighted, set(c.body_terms))
    rank = 1.0 / (1.0 + c.rank - best_rank)
    return 0.5 * subj + 0.25 * body + 0.25 * rank, subj, body


def _pick(weighted: dict[str, float], cands: list[_Candidate]) -> list[tuple[_Candidate, float, bool]]:
    """The documents kept for one province: (candidate, score, whole) where `whole` says its
    subject line is on the subject (all its units count), best first."""
    if not cands:
        return []
    best_rank = min(c.rank for c in cands)
    scored = [(c, *_doc_score(weighted, c, best_rank)) for c in cands]
    scored = [x for x in scored if max(x[2], x[3]) >= ON_TOPIC]
    if not scored:
        return []
    scored.sort(key=lambda x: (-x[1], x[0].rank))
    top = scored[0][1]
    return [(c, round(s, 4), subj >= ON_TOPIC or _single_matter(c.doc)) for c, s, subj, _ in scored[:MAX_DOCS]
            if s >= DOC_KEEP * top]


# A directive is about the one matter its trích yếu names (Nghị định 30/2020/NĐ-CP: one document,
# one matter), so a directive picked for the subject counts whole: its instructions are the
# province's instructions on the subject even where they do not repeat its words ("Giao Văn phòng
# UBND tỉnh chủ trì tin học hóa quy trình"). Except the kinds that report or conclude on many
# matters at once: a notice of a meeting's conclusions, a report, a work programme, and letters
# passing on a session's or a conference's conclusions or "some key tasks". Of those only the
# instructions on the subject count.
_MANY_MATTERS_TYPE = re.compile(r"^(?:thong bao|bao cao|chuong trinh)\b")
_MANY_MATTERS_SUBJECT = re.compile(
    r"\b(?:phien hop|giao ban|hoi nghi|ky hop|nhiem vu trong tam|mot so nhiem vu|tinh hinh kinh te"
    r"|chuong trinh cong tac|ke hoach cong tac)\b")


def _single_matter(doc: Document) -> bool:
    return not (_MANY_MATTERS_TYPE.match(fold(doc.meta.type or "").lower())
                or _MANY_MATTERS_SUBJECT.search(fold(doc.meta.subject or "").lower()))


# ---- step 2: the instructions inside them --------------------------------------------------------

def _shown(doc: Document, start: int, end: int) -> str:
    """The unit as the directive words it: the original text of the span, with the bold and
    italic stars of a crawled page deleted ("(*Phòng Báo chí*)" -> "(Phòng Báo chí)"), table
    bars turned to spaces and whitespace collapsed."""
    s, e = doc.text.to_original(start, end)
    return " ".join(doc.text.original[s:e].replace("*", "").replace("|", " ").split())


def _section_of(sections: list[Any], pos: int) -> tuple[str, ...]:
    path: tuple[str, ...] = ()
    for sec in sections:  # pre-order: a deeper section containing pos comes after its parent
        if sec.start <= pos < sec.end and len(sec.path) >= len(path):
            path = sec.path
    return path


def _instructions(doc: Document, province: str, weighted: dict[str, float], whole: bool,
                  tasks: list[StoredTask]) -> list[Instruction]:
    """The directive's instruction units: all of them when `whole` (the directive is about the
    subject), else those on the subject, read with their section headings."""
    text = doc.text.text
    sections = parse_sections(text)
    mine = [t for t in tasks if t.doc_id == doc.id]
    seen: set[str] = set()
    units = []
    for u in instruction_units(text, doc.meta.subject):
        key = fold(normalize(u.text)).lower()
        if key not in seen:  # a table repeats a cell word for word ("Trong thời hạn 02 ngày làm việc ...")
            seen.add(key)
            units.append((u, _section_of(sections, u.start)))
    out = []
    for u, path in units:
        relevance = round(coverage(weighted, term_set(terms(" ".join(path) + "\n" + u.text))), 4)
        if not whole and relevance < ON_TOPIC:
            continue
        inside = [t for t in mine if u.start <= t.start < u.end]
        leads = tuple(dict.fromkeys(t.agency for t in inside if t.role in ("chu_tri", "giao")))
        dues = tuple(dict.fromkeys(t.deadline_text for t in inside if t.deadline_text))
        out.append(Instruction(
            province, doc.id, _shown(doc, u.start, u.end), u.start, u.end, path,
            leads or lead_agencies(u.text, path), dues or deadlines(u.text),
            "assignment" if inside else "section", relevance))
    return out


def _column(index: Index, retriever: Retriever, topic: str, weighted: dict[str, float], province: str) -> Column:
    picked = _pick(weighted, _candidates(index, retriever, topic, province))
    try:
        tasks = index.store.tasks(province=province) if picked else []
    except IndexNotReady:  # an index built before assignments were stored: the text alone is read
        tasks = []
    directives = []
    for c, score, whole in picked:
        shown: list[Instruction] = []
        for doc in (c.doc, *_attachments(index, c.doc)):
            shown += _instructions(doc, province, weighted, whole, tasks)
        meta = c.doc.meta
        directives.append(Directive(
            c.doc.id, meta.number, meta.type, meta.date, meta.province, meta.subject, score,
            tuple(dict.fromkeys(a for i in shown for a in i.lead_agencies)),
            tuple(dict.fromkeys(d for i in shown for d in i.deadlines)), tuple(shown)))
    return Column(province, tuple(directives))


def _provinces_for(index: Index, retriever: Retriever, topic: str, weighted: dict[str, float]) -> list[str]:
    """Provinces whose directives treat the subject, in the order of their best passage."""
    seen: dict[str, None] = {}
    for h in retriever.search(topic, k=CANDIDATES):
        doc = index.store.document(h.doc_id)
        if doc and doc.meta.province and coverage(weighted, term_set(terms(" ".join(h.section_path) + "\n" + h.text))) >= ON_TOPIC:
            seen.setdefault(doc.meta.province)
    return list(seen)


# ---- step 3: alignment ---------------------------------------------------------------------------


def group(columns: tuple[Column, ...], vectors: np.ndarray, threshold: float,
          min_shared: int = MIN_SHARED_TERMS) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
    """(shared, unique) rows over the columns' instructions; `vectors` holds one unit-length row
    per instruction, in column order."""
    items = [i for c in columns for i in c.instructions]
    found = align(vectors, [i.province for i in items], [i.text for i in items], threshold, min_shared)
    order = {c.province: n for n, c in enumerate(columns)}
    rows = []
    for members, sim in found:
        cells = tuple(Cell(c.province, tuple(items[j] for j in members if items[j].province == c.province))
                      for c in columns)
        rows.append(Group(cells, round(sim, 4)))
    shared = sorted((g for g in rows if g.shared),
                    key=lambda g: (-len(g.provinces), -max(i.relevance for i in g.members)))
    unique = sorted((g for g in rows if not g.shared),
                    key=lambda g: (order[g.provinces[0]], -g.members[0].relevance))
    return tuple(shared), tuple(unique)


_VECTORS: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()  # (model, text) -> unit vector
_VECTORS_MAX = 50_000  # about 75 MB of e5-small vectors


def encode(index: Index, texts: list[str]) -> np.ndarray:
    """Passage vectors of the instructions, one row each. A directive compared again (the same
    province on another subject, the next question in the app) is not embedded again."""
    model = index.manifest.embedder if index.manifest else type(index.embedder).__name__
    todo = list(dict.fromkeys(t for t in texts if (model, t) not in _VECTORS))
    if todo:
        for t, v in zip(todo, np.asarray(index.embedder.encode_passages(todo), dtype=np.float32), strict=True):
            _VECTORS[(model, t)] = v
        while len(_VECTORS) > _VECTORS_MAX:
            _VECTORS.popitem(last=False)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    for t in texts:
        _VECTORS.move_to_end((model, t))
    return np.vstack([_VECTORS[(model, t)] for t in texts])


def topic_weights(index: Index, retriever: Retriever, topic: str) -> dict[str, float]:
    """The subject's words and word pairs, weighted by their rarity among the subject lines of
    the directives the retriever finds for it: "thủ tục hành chính" heads a hundred subject
    lines, "đấu thầu" few, and it is "đấu thầu" a directive must be about."""
    topic_terms = term_set(terms(topic))
    subjects = []
    for doc_id in dict.fromkeys(h.doc_id for h in retriever.search(topic, k=2 * CANDIDATES)):
        doc = index.store.document(doc_id)
        if doc is not None:
            subjects.append(term_set(terms(doc.meta.subject or "")))
    if not subjects:
        return dict.fromkeys(topic_terms, 1.0)
    # Inverse document frequency of each word, floored (a word in every subject line still counts a
    # little); a word pair weighs what its commoner word weighs: over a few dozen subject lines a
    # pair's own count is noise ("chính lĩnh" is rare only because most write "chính trong lĩnh").
    n = len(subjects)
    words = {t: max(0.1, math.log((n + 1) / (sum(t in s for s in subjects) + 0.5))) for t in topic_terms if " " not in t}
    return {t: min(words[w] for w in t.split()) if " " in t else words[t] for t in topic_terms}


def compare(index: Index, retriever: Retriever, topic: str, provinces: list[str] | None = None,
            threshold: float | None = None) -> Comparison:
    """Compare provinces on `topic` (see the module docstring). `provinces` None: every province
    whose directives treat the topic. An unknown province name raises `UnknownProvince`."""
    weighted = topic_weights(index, retriever, topic)
    if provinces:
        names = []
        for p in provinces:
            canonical = province_table.canonical(p)
            if canonical is None:
                raise province_table.UnknownProvince(p)
            names.append(canonical)
    else:
        names = _provinces_for(index, retriever, topic, weighted)
    columns = tuple(_column(index, retriever, topic, weighted, p) for p in dict.fromkeys(names))
    items = [i for c in columns for i in c.instructions]
    if threshold is None:
        threshold = threshold_for(index.manifest.embedder if index.manifest else "")
    shared, unique = group(columns, encode(index, [i.text for i in items]), threshold)
    return Comparison(topic, tuple(c.province for c in columns), columns, shared, unique, threshold)
