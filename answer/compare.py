"""Compare provinces on a topic: one column per province, then what they share and what only one asked.

`compare(index, "phòng chống dịch COVID-19")` searches each province separately (old and new
names both work: `Filters.province` covers a 2025 province's predecessors), keeps the passages
that are on the topic, and lists per directive its number, date, lead agencies, deadlines and key
instructions. The summary groups the instructions of all provinces by embedding similarity
(cosine of `index.embedder` vectors, greedy single-link at `threshold`): a group spanning two
provinces or more is shared, one that stays inside a province is unique to it. Every string shown
is copied from a directive; nothing is paraphrased.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from answer.extract import coverage, term_set, terms, units
from domain.model import Filters, Hit, Retriever
from index.index import Index
from ingest import provinces as province_table
from ingest.vietnamese import fold, normalize

ON_TOPIC = 0.5  # share of the topic's words and word pairs a passage (with its heading) must hold
# Cosine at or above which two instructions count as alike, by embedder. e5 vectors of directive
# sentences on one topic sit in a narrow band: on the seeds' 13 COVID-19 instructions every pair is
# between 0.84 and 0.93, median 0.896, 90th percentile 0.917; 0.915 keeps about the top tenth of
# pairs ("UBND tỉnh giao Sở Y tế chủ trì ... kiểm tra công tác phòng, chống dịch" in Kon Tum and
# "Giao Sở Y tế: ... tổ chức thực hiện tốt công tác phòng chống dịch" in Đồng Nai: 0.933). The hash
# embedder's cosines are lower and wider (median 0.40, 90th percentile 0.52): 0.5 for it.
# `--threshold` overrides.
THRESHOLDS = {"hash": 0.5}
DEFAULT_THRESHOLD = 0.915


@dataclass(frozen=True)
class Instruction:
    province: str  # the column it belongs to
    doc_id: str
    chunk_id: str
    section_path: tuple[str, ...]
    text: str  # the whole passage
    excerpt: str  # its sentences on the topic, in order: what is shown and grouped
    score: float
    lead_agencies: tuple[str, ...] = ()
    deadlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directive:
    doc_id: str
    number: str | None
    doc_type: str | None
    date: str | None
    province: str | None  # at issue time ("Kon Tum" in a "Quảng Ngãi" column)
    subject: str | None
    lead_agencies: tuple[str, ...]
    deadlines: tuple[str, ...]
    instructions: tuple[Instruction, ...]


@dataclass(frozen=True)
class Column:
    province: str
    directives: tuple[Directive, ...]


@dataclass(frozen=True)
class Group:
    """Instructions the embedder finds alike; `provinces` in column order."""

    provinces: tuple[str, ...]
    members: tuple[Instruction, ...]
    similarity: float  # the lowest cosine between two members (1.0 for a single instruction)

    @property
    def shared(self) -> bool:
        return len(self.provinces) > 1


@dataclass(frozen=True)
class Comparison:
    kind: str = field(default="compare", init=False)
    topic: str
    provinces: tuple[str, ...]
    columns: tuple[Column, ...]
    shared: tuple[Group, ...]
    unique: tuple[Group, ...]
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("shared", "unique"):
            for g, d in zip(getattr(self, name), out[name], strict=True):
                d["shared"] = g.shared
        return out


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


# ---- the comparison ------------------------------------------------------------------------------


def _on_topic(topic_terms: set[str], hit: Hit) -> bool:
    heading = " ".join(hit.section_path)
    return coverage(dict.fromkeys(topic_terms, 1.0), term_set(terms(heading + "\n" + hit.text))) >= ON_TOPIC


def _excerpt(topic_terms: set[str], text: str, most: int = 2) -> str:
    """The passage's sentences that hold most of the topic (at most `most`, in text order; whole
    sentences, so "Giao Sở X chủ trì, ..." keeps its agency); the best one when none holds enough."""
    weighted = dict.fromkeys(topic_terms, 1.0)
    scored = [(coverage(weighted, term_set(terms(u.text))), u) for u in units(text, clauses=False)]
    if not scored:
        return text
    best = max(s for s, _ in scored)
    keep = sorted((u for s, u in scored if s >= ON_TOPIC and s >= best - 0.25), key=lambda u: -coverage(weighted, term_set(terms(u.text))))[:most]
    if not keep:
        keep = [max(scored, key=lambda x: x[0])[1]]
    return " ".join(u.text for u in sorted(keep, key=lambda u: u.start))


def _provinces_for(index: Index, topic: str, topic_terms: set[str], k: int, retriever: Retriever) -> list[str]:
    """Provinces whose directives treat the topic, in the order of their best passage."""
    seen: dict[str, None] = {}
    for h in retriever.search(topic, k=k):
        doc = index.store.document(h.doc_id)
        if doc and doc.meta.province and _on_topic(topic_terms, h):
            seen.setdefault(doc.meta.province)
    return list(seen)


def _column(index: Index, topic: str, topic_terms: set[str], province: str, k: int,
            per_directive: int, retriever: Retriever) -> Column:
    hits = [h for h in retriever.search(topic, k=k, filters=Filters(province=province))
            if _on_topic(topic_terms, h)]
    by_doc: dict[str, list[Hit]] = {}
    for h in hits:
        by_doc.setdefault(h.doc_id, []).append(h)
    directives = []
    for doc_id, doc_hits in by_doc.items():  # best directive first
        doc = index.store.document(doc_id)
        meta = doc.meta if doc else None
        shown = [Instruction(province, doc_id, h.chunk_id, h.section_path, h.text, _excerpt(topic_terms, h.text),
                             round(h.score, 6),
                             lead_agencies(h.text, h.section_path), deadlines(h.text))
                 for h in doc_hits[:per_directive]]
        directives.append(Directive(
            doc_id, meta.number if meta else None, meta.type if meta else None, meta.date if meta else None,
            meta.province if meta else None, meta.subject if meta else None,
            tuple(dict.fromkeys(a for i in shown for a in i.lead_agencies)),
            tuple(dict.fromkeys(d for i in shown for d in i.deadlines)),
            tuple(shown)))
    return Column(province, tuple(directives))


def group_instructions(vectors: np.ndarray, items: list[Instruction], threshold: float) -> list[Group]:
    """Greedy complete-link grouping: each instruction, in order, joins the first group whose
    every member is at cosine >= threshold from it (rows of `vectors` are unit length), else it
    starts a group. Complete link, not single: a chain of near neighbours must not merge
    instructions that are not alike themselves."""
    groups: list[list[int]] = []
    lowest: list[float] = []
    sims = vectors @ vectors.T if len(items) else np.zeros((0, 0))
    for i in range(len(items)):
        for g, members in enumerate(groups):
            worst = min(float(sims[i, j]) for j in members)
            if worst >= threshold:
                members.append(i)
                lowest[g] = min(lowest[g], worst)
                break
        else:
            groups.append([i])
            lowest.append(1.0)
    out = []
    for members, sim in zip(groups, lowest, strict=True):
        provs = tuple(dict.fromkeys(items[j].province for j in members))
        out.append(Group(provs, tuple(items[j] for j in members), round(sim, 4)))
    return out


def compare(index: Index, retriever: Retriever, topic: str, provinces: list[str] | None = None, k: int = 10,
            per_directive: int = 3, threshold: float | None = None) -> Comparison:
    """Compare provinces on `topic` (see the module docstring). `provinces` None: every province
    whose directives treat the topic. An unknown province name raises `UnknownProvince`."""
    topic_terms = term_set(terms(topic))
    if provinces:
        names = []
        for p in provinces:
            canonical = province_table.canonical(p)
            if canonical is None:
                raise province_table.UnknownProvince(p)
            names.append(canonical)
    else:
        names = _provinces_for(index, topic, topic_terms, k=5 * k, retriever=retriever)
    columns = tuple(_column(index, topic, topic_terms, p, k, per_directive, retriever) for p in dict.fromkeys(names))
    items = [i for c in columns for d in c.directives for i in d.instructions]
    if threshold is None:
        threshold = threshold_for(index.manifest.embedder if index.manifest else "")
    vectors = index.embedder.encode_passages([i.excerpt for i in items]) if items else np.zeros((0, 1))
    groups = group_instructions(np.asarray(vectors, dtype=np.float32), items, threshold)
    return Comparison(topic, tuple(c.province for c in columns), columns,
                      tuple(g for g in groups if g.shared), tuple(g for g in groups if not g.shared), threshold)
