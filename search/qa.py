"""Factual questions: a short extractive answer, marked inside its passage, with its citation.

`answer_question(index, "Hạn chót báo cáo ... là ngày nào?")` retrieves passages with the hybrid
retriever, cuts each into sentences (long ones into clauses), and picks the unit that best
covers the question's words while carrying what the question asks for (a date for a deadline, a
number for a figure, an agency for "who", a document number for "which document"; see
`search.extract`). When no unit is good enough the answer says so plainly and shows the closest
passages: it never makes one up. An optional generator (`search.generate`, set up by environment
variables) may add a fluent answer whose every citation has been verified.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from index.index import Index
from search.extract import FIGURE, OTHER, Unit, coverage, cue, question_type, term_set, terms, units, weights
from search.model import Filters, Hit
from search.retrievers import HybridRetriever

# Evidence needed to answer: the unit must carry the asked-for cue, cover MIN_UNIT_COVERAGE of the
# question's (idf-weighted) words and word pairs by itself, and MIN_SCORE counting the words found
# around it at CONTEXT_WEIGHT. Set on the dev questions (all answered) against unanswerable ones (none answered):
# see tests/test_qa.py.
MIN_SCORE = 0.3
MIN_UNIT_COVERAGE = 0.15
# A figure question needs a measured number (a %, an amount in đồng, "40/121 xã"), not any digit.
MIN_CUE = {FIGURE: 1.0}
CONTEXT_WEIGHT = 0.7

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

    def marked(self, left: str = "«", right: str = "»") -> str | None:
        """The passage with the answer span marked."""
        if self.passage is None or self.span is None:
            return None
        s, e = self.span
        t = self.passage.text
        return t[:s] + left + t[s:e] + right + t[e:]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["span"] = list(self.span) if self.span else None
        out["marked"] = self.marked()
        return out


class Generator(Protocol):
    """Writes an answer from numbered passages; returns (text or None, note). See search.generate."""

    def generate(self, question: str, passages: list[Passage]) -> tuple[str | None, str | None]: ...


@dataclass(frozen=True)
class _Candidate:
    score: float
    unit_coverage: float
    cue: float
    rank: int
    passage: Passage
    unit: Unit


def _passages(index: Index, hits: list[Hit]) -> list[Passage]:
    out = []
    docs: dict[str, Any] = {}
    for h in hits:
        if h.doc_id not in docs:
            docs[h.doc_id] = index.store.document(h.doc_id)
        meta = docs[h.doc_id].meta if docs[h.doc_id] else None
        out.append(Passage(h.chunk_id, h.doc_id, h.section_path, h.text, h.score,
                           meta.number if meta else None, meta.date if meta else None,
                           meta.province if meta else None, meta.type if meta else None))
    return out


def _context_terms(p: Passage) -> set[str]:
    header = " ".join(x for x in (p.doc_type, p.number, p.date, p.province) if x)
    return term_set(terms(" ".join(p.section_path) + "\n" + header + "\n" + p.text))


def _candidates(question: str, kind: str, passages: list[Passage]) -> list[_Candidate]:
    contexts = [_context_terms(p) for p in passages]
    asked = weights(term_set(terms(question)), contexts)
    total = sum(asked.values()) or 1.0
    out = []
    for rank, p in enumerate(passages):
        heading = p.section_path[-1] if p.section_path else ""
        for u in units(p.text):
            own = term_set(terms(u.text))
            unit_cov = coverage(asked, own)
            # A question word found in the unit counts fully; one found only around it (heading,
            # document header, the rest of the passage) counts CONTEXT_WEIGHT.
            around = sum(w for t, w in asked.items() if t not in own and t in contexts[rank]) / total
            c = cue(kind, u.text, question, heading)
            out.append(_Candidate((unit_cov + CONTEXT_WEIGHT * around) * (0.5 + 0.5 * c), unit_cov, c, rank, p, u))
    # Best evidence first; ties go to the better-ranked passage, then the earlier unit.
    out.sort(key=lambda c: (-c.score, c.rank, c.unit.start))
    return out


def _enough(c: _Candidate, kind: str) -> bool:
    return c.cue > 0 and c.cue >= MIN_CUE.get(kind, 0) and c.score >= MIN_SCORE and c.unit_coverage >= MIN_UNIT_COVERAGE


def _citation(index: Index, p: Passage, unit: Unit) -> Citation:
    start, end = unit.start, unit.end
    chunk = index.store.chunks_by_id([p.chunk_id]).get(p.chunk_id)
    doc = index.store.document(p.doc_id)
    if chunk is not None and doc is not None:
        start, end = doc.text.to_original(chunk.start + unit.start, chunk.start + unit.end)
    return Citation(p.doc_id, p.chunk_id, p.section_path, start, end, unit.text, p.number, p.date, p.province)


def answer_question(index: Index, question: str, filters: Filters | None = None, k: int = 8,
                    generator: Generator | None = None) -> FactualAnswer:
    """Answer a factual question from the index, extractively; see the module docstring.

    `generator` None means: the one configured by environment variables, if any
    (`search.generate.from_env`); generation never replaces the extractive answer, it sits beside it.
    """
    kind = question_type(question)
    hits = HybridRetriever(index).search(question, k=k, filters=filters)
    passages = _passages(index, hits)
    ranked = _candidates(question, kind, passages)
    best = ranked[0] if ranked else None
    closest = tuple(passages[:3])
    if best is None or not _enough(best, kind):
        answer = FactualAnswer(question, False, NOT_ANSWERED, None, None, None, closest, question_type=kind)
    else:
        text = best.unit.text
        answer = FactualAnswer(question, True, text, _citation(index, best.passage, best.unit), best.passage,
                               (best.unit.start, best.unit.end), closest, question_type=kind)
    return _with_generation(answer, passages, generator)


def _with_generation(answer: FactualAnswer, passages: list[Passage], generator: Generator | None) -> FactualAnswer:
    if generator is None:
        from search.generate import from_env

        generator = from_env()
    if generator is None or not passages:
        return answer
    text, note = generator.generate(answer.question, passages)
    return FactualAnswer(answer.question, answer.answered, answer.answer_text, answer.citation, answer.passage,
                         answer.span, answer.closest, text, note, answer.question_type)
