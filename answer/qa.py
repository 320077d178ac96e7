"""Factual questions: a short extractive answer, marked inside its passage, with its citation.

`answer_question(index, "Hạn chót báo cáo ... là ngày nào?")` retrieves passages with the hybrid
retriever, cuts each into sentences (long ones into clauses), and picks the unit that best
covers the question's words while carrying what the question asks for (a date for a deadline, a
number for a figure, an agency for "who", a document number for "which document"; see
`answer.extract`). Word weights are inverse document frequencies over the retrieved passages; a
province the question names ("... của Đồng Nai") becomes a filter; for "which document" only the
documents citing the number asked about, and their subject lines, compete. When no unit is good
enough the answer says so plainly and shows the closest passages: it never makes one up.

An optional generator (`answer.generate`, set up by environment variables) adds a fluent answer
beside the extractive one, only when every citation in it checks out against the passages; it
runs on the same passages whether or not the extractive answer was found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from answer.extract import (
    DOCUMENT,
    FIGURE,
    OTHER,
    RESPONSIBLE,
    Unit,
    coverage,
    cue,
    question_form,
    term_set,
    terms,
    units,
    weights,
)
from answer.short_answer import short_answer
from domain.model import Filters, Hit, Retriever
from index.index import Index
from index.store import key
from ingest.vietnamese import fold
from search.diacritics import needs_restoration, restore_query
from search.province_scope import question_province
from search.retrievers import HybridRetriever, numbers_in

# Evidence needed to answer: the unit must carry the asked-for cue, cover MIN_UNIT_COVERAGE of the
# question's (idf-weighted) words and word pairs by itself, and MIN_SCORE counting the words found
# around it at CONTEXT_WEIGHT. Set in the gap between the 5 dev questions (best unit scores
# 0.56-1.0, unit coverage >= 0.33, with both the hash and e5-small indexes) and 12 questions the
# seeds do not answer (<= 0.38; tests/integration/test_qa.py holds both sets).
MIN_SCORE = 0.45
MIN_UNIT_COVERAGE = 0.2
# A figure question needs a measured number (a %, an amount in đồng, "40/121 xã"), not any digit.
MIN_CUE = {FIGURE: 1.0}
# A question of no known type has no cue to check: it must be covered better. ("Thủ trưởng các sở
# phải làm gì về phòng chống dịch?" otherwise gets a sentence on plant diseases at 0.48 / 0.33.)
STRICTER = {OTHER: (0.55, 0.4)}  # kind -> (MIN_SCORE, MIN_UNIT_COVERAGE)
CONTEXT_WEIGHT = 0.7
# A rule's exception ("Trường hợp kiến nghị chưa rõ ràng ... thì chậm nhất 05 ngày", "Đối với
# kiến nghị cấp bách ...", "Nếu ...") answers a question that states the case, not one that asks
# for the rule itself ("... chậm nhất trong bao nhiêu ngày?").
_CASE_WORDS = r"(?:truong hop|doi voi|neu)\b"
_CONDITIONAL = re.compile(r"^\W*" + _CASE_WORDS)
_STATES_A_CASE = re.compile(r"\b" + _CASE_WORDS)
CONDITIONAL_WEIGHT = 0.85

NOT_ANSWERED = ("Các văn bản chỉ đạo tìm được không trả lời câu hỏi này. "
                "Dưới đây là những đoạn gần nhất với câu hỏi.")


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, with the header of the document it belongs to."""

    chunk_id: str
    doc_id: str
    section_path: tuple[str, ...]
    text: str
    score: float
    number: str | None = None
    date: str | None = None
    province: str | None = None
    doc_type: str | None = None
    subject: str | None = None

    @property
    def label(self) -> str:
        """"Công văn 8888/UBND-THNC (2020-07-30, Đồng Nai)": how an official names the document."""
        head = " ".join(x for x in (self.doc_type, self.number) if x) or self.doc_id
        where = ", ".join(x for x in (self.date, self.province) if x)
        return f"{head} ({where})" if where else head


@dataclass(frozen=True)
class Citation:
    """Where an answer comes from: `start`/`end` are offsets in the document's original text
    (`Document.text.original`), so a viewer can open the exact span of the file as read."""

    doc_id: str
    chunk_id: str
    section_path: tuple[str, ...]
    start: int
    end: int
    quote: str
    number: str | None = None
    date: str | None = None
    province: str | None = None


@dataclass(frozen=True)
class FactualAnswer:
    kind: str = field(default="question", init=False)
    question: str
    answered: bool
    answer_text: str
    citation: Citation | None
    passage: Passage | None  # the passage the answer is in
    span: tuple[int, int] | None  # the answer's [start, end) inside passage.text
    closest: tuple[Passage, ...]  # the best passages, shown when the answer is weak (and as context)
    generated: str | None = None
    generation_note: str | None = None
    question_type: str = OTHER
    # The short answer ("trước ngày 30/8/2021"): its text and [start, end) inside passage.text,
    # within `span`; None when the question asks for no date, figure, organisation or number.
    short: str | None = None
    short_span: tuple[int, int] | None = None

    def marked(self, left: str = "«", right: str = "»") -> str | None:
        """The passage with the answer span marked."""
        if self.passage is None or self.span is None:
            return None
        s, e = self.span
        t = self.passage.text
        return t[:s] + left + t[s:e] + right + t[e:]

    def sentence_marked(self, left: str = "«", right: str = "»") -> str | None:
        """The answer sentence with the short answer marked (the sentence alone when none)."""
        if self.passage is None or self.span is None:
            return None
        s, e = self.span
        t = self.passage.text
        if self.short_span is None:
            return t[s:e]
        a, b = self.short_span
        return t[s:a] + left + t[a:b] + right + t[b:e]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["span"] = list(self.span) if self.span else None
        out["short_span"] = list(self.short_span) if self.short_span else None
        out["marked"] = self.marked()
        out["sentence_marked"] = self.sentence_marked()
        if self.passage is not None:
            out["passage"]["label"] = self.passage.label
        for d, p in zip(out["closest"], self.closest, strict=True):
            d["label"] = p.label
        return out


class Generator(Protocol):
    """Writes an answer from numbered passages; returns (text or None, note). See answer.generate."""

    def generate(self, question: str, passages: Sequence[Passage]) -> tuple[str | None, str | None]: ...


@dataclass(frozen=True)
class _Candidate:
    score: float
    unit_coverage: float
    cue: float
    rank: int
    passage: Passage
    unit: Unit
    is_subject: bool = False  # the unit is its document's subject (trích yếu): it names the document


def _passages(index: Index, hits: list[Hit]) -> list[Passage]:
    out = []
    docs: dict[str, Any] = {}
    for h in hits:
        if h.doc_id not in docs:
            docs[h.doc_id] = index.store.document(h.doc_id)
        meta = docs[h.doc_id].meta if docs[h.doc_id] else None
        out.append(Passage(h.chunk_id, h.doc_id, h.section_path, h.text, h.score,
                           meta.number if meta else None, meta.date if meta else None,
                           meta.province if meta else None, meta.type if meta else None,
                           meta.subject if meta else None))
    return out


def _related_to_numbers(index: Index, passages: list[Passage], question: str) -> list[Passage]:
    """For "which document ... Kết luận 1098-KL/TU?": the answer is a document that cites the
    number, so only passages of such documents stay (those of the document bearing it when none
    cites it; all passages when the question names no number)."""
    asked = [n for n in (key(x) for x in numbers_in(question)) if n]
    if not asked:
        return passages
    citing = {d for n in asked for d in index.store.docs_citing(n)}
    bearing = {d for n in asked for d in index.store.docs_with_number(n)}
    kept = [p for p in passages if p.doc_id in citing - bearing]
    return kept or [p for p in passages if p.doc_id in bearing]


def _subject_units(index: Index, passages: list[Passage], question: str) -> list[tuple[Passage, Unit]]:
    """The subject line of each document among the passages (not one whose number the question
    names), located in the chunk that holds it."""
    asked = {key(n) for n in numbers_in(question)}
    out = []
    for p in {p.doc_id: p for p in passages}.values():
        if not p.subject or (p.number and key(p.number) in asked):
            continue
        for chunk in index.store.chunks_of(p.doc_id):
            at = chunk.text.find(p.subject)
            if at >= 0:
                holder = Passage(chunk.chunk_id, p.doc_id, chunk.section_path, chunk.text, 0.0, p.number, p.date,
                                 p.province, p.doc_type, p.subject)
                out.append((holder, Unit(at, at + len(p.subject), p.subject)))
                break
    return out


def _context_terms(p: Passage) -> set[str]:
    header = " ".join(x for x in (p.doc_type, p.number, p.date, p.province, p.subject) if x)
    return term_set(terms(" ".join(p.section_path) + "\n" + header + "\n" + p.text))


def _candidates(asked_text: str, question: str, kind: str, passages: list[Passage],
                subjects: Sequence[tuple[Passage, Unit]] = (), retrieved: Sequence[Passage] = ()) -> list[_Candidate]:
    """Every unit of every passage, scored; `asked_text` is the question less what a filter
    already settles (its province). `subjects` are the subjects of candidate documents, for
    "which document" questions: they carry the cue by naming the document. Word weights come
    from everything `retrieved` (default: the passages)."""
    contexts = [_context_terms(p) for p in passages]
    general = not _STATES_A_CASE.search(fold(question).lower())
    asked = weights(term_set(terms(asked_text)), [_context_terms(p) for p in retrieved] or contexts)
    total = sum(asked.values()) or 1.0
    out = []
    for rank, p in enumerate(passages):
        heading = p.section_path[-1] if p.section_path else ""
        for u in units(p.text, clauses=kind != RESPONSIBLE):
            own = term_set(terms(u.text))
            unit_cov = coverage(asked, own)
            # A question word found in the unit counts fully; one found only around it (heading,
            # document header, the rest of the passage) counts CONTEXT_WEIGHT.
            around = sum(w for t, w in asked.items() if t not in own and t in contexts[rank]) / total
            c = cue(kind, u.text, question, heading, p.number)
            score = (unit_cov + CONTEXT_WEIGHT * around) * (0.5 + 0.5 * c)
            if general and _CONDITIONAL.match(fold(u.text).lower()):
                score *= CONDITIONAL_WEIGHT
            out.append(_Candidate(score, unit_cov, c, rank, p, u))
    for p, u in subjects:
        own = term_set(terms(f"{u.text} {p.doc_type or ''}"))
        unit_cov = coverage(asked, own)
        context = _context_terms(p)
        around = sum(w for t, w in asked.items() if t not in own and t in context) / total
        out.append(_Candidate(unit_cov + CONTEXT_WEIGHT * around, unit_cov, 1.0, len(passages), p, u, is_subject=True))
    # Best evidence first; ties go to the better-ranked passage, then the earlier unit.
    out.sort(key=lambda c: (-c.score, c.rank, c.unit.start))
    return out


def _answer_text(kind: str, c: _Candidate) -> str:
    """The unit itself; for "who" answered by the section heading ("4. Sở Nông nghiệp ...:" over its
    bullets) the heading first, for "which document" answered by the passage's own document its
    label first. Only extracted strings, never new words."""
    weak = c.cue < 1.0
    if kind == RESPONSIBLE and weak and c.passage.section_path:
        return f"{c.passage.section_path[-1]} {c.unit.text}"
    if kind == DOCUMENT and (weak or c.is_subject):
        return f"{c.passage.label}: {c.unit.text}"
    return c.unit.text


def _enough(c: _Candidate, kind: str) -> bool:
    min_score, min_coverage = STRICTER.get(kind, (MIN_SCORE, MIN_UNIT_COVERAGE))
    return c.cue > 0 and c.cue >= MIN_CUE.get(kind, 0) and c.score >= min_score and c.unit_coverage >= min_coverage


def _citation(index: Index, p: Passage, unit: Unit) -> Citation:
    start, end = unit.start, unit.end
    chunk = index.store.chunks_by_id([p.chunk_id]).get(p.chunk_id)
    doc = index.store.document(p.doc_id)
    if chunk is not None and doc is not None:
        start, end = doc.text.to_original(chunk.start + unit.start, chunk.start + unit.end)
    return Citation(p.doc_id, p.chunk_id, p.section_path, start, end, unit.text, p.number, p.date, p.province)


def answer_question(index: Index, question: str, filters: Filters | None = None, k: int = 8,
                    generator: Generator | None = None, retriever: Retriever | None = None) -> FactualAnswer:
    """Answer a factual question from the index, extractively; see the module docstring.

    `generator` None means: the one configured by environment variables, if any
    (`answer.generate.from_env`); generation never replaces the extractive answer, it sits beside it.
    """
    # Typed without marks ("so tai chinh ... truoc ngay nao"), the question is matched in its restored
    # reading: a word's marks tell a content word ("báo cáo") from a question word ("bao nhiêu").
    # The retriever restores the query itself (and searches both readings when unsure).
    read = restore_query(question).text if needs_restoration(question) else question
    kind, asked = question_form(read)
    retriever = retriever or HybridRetriever(index)  # the facade passes its own (service.core)
    province, asked = question_province(asked)
    hits: list[Hit] = []
    if province and (filters is None or filters.province is None):
        # "... của Đồng Nai" restricts the search to Đồng Nai; its words then need no matching.
        hits = retriever.search(question, k=k, filters=replace(filters or Filters(), province=province))
    if not hits:
        asked = question_form(read)[1]
        hits = retriever.search(question, k=k, filters=filters)
    passages = _passages(index, hits)
    retrieved, subjects = passages, []
    if kind == DOCUMENT:
        passages = _related_to_numbers(index, passages, read)
        subjects = _subject_units(index, passages, read)
    ranked = _candidates(asked, read, kind, passages, subjects, retrieved)
    best = ranked[0] if ranked else None
    closest = tuple((passages or retrieved)[:3])
    if best is None or not _enough(best, kind):
        answer = FactualAnswer(question, False, NOT_ANSWERED, None, None, None, closest, question_type=kind)
    else:
        text = _answer_text(kind, best)
        short = short_answer(best.unit.text, read, kind)
        short_span = (best.unit.start + short.start, best.unit.start + short.end) if short else None
        short_text = short.text if short else None
        if short is None and text != best.unit.text and text.endswith(best.unit.text):
            # "who" answered by the section heading ("2. Sở Kế hoạch và Đầu tư:" over its bullet):
            # the short answer is in the heading, outside the passage text (no span to mark)
            in_head = short_answer(text[: len(text) - len(best.unit.text)], read, kind)
            short_text = in_head.text if in_head else None
        answer = FactualAnswer(question, True, text, _citation(index, best.passage, best.unit), best.passage,
                               (best.unit.start, best.unit.end), closest, question_type=kind,
                               short=short_text, short_span=short_span)
    return _with_generation(answer, passages, generator)


def _with_generation(answer: FactualAnswer, passages: list[Passage], generator: Generator | None) -> FactualAnswer:
    if generator is None:
        from answer.generate import from_env

        generator = from_env()
    if generator is None or not passages:
        return answer
    text, note = generator.generate(answer.question, passages)
    return replace(answer, generated=text, generation_note=note)
