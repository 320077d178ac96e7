"""Pieces of extractive question answering: what a question asks for, the sentences and clauses
of a passage, the evidence cues a sentence carries, and how much of a question it covers.

Everything here is compared on folded lower-case text (`ingest.vietnamese.fold`), so a question
typed without diacritics ("han chot bao cao la ngay nao") reads the same as one typed with them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from answer.intent import (  # noqa: F401  (re-exported)
    DEADLINE,
    DOCUMENT,
    FIGURE,
    OTHER,
    RESPONSIBLE,
    question_form,
    question_type,
)
from answer.quantities import ASKS_DURATION, DURATION, measured_figures
from ingest.assignments import is_field
from ingest.metadata import find_doc_numbers
from ingest.vietnamese import fold, normalize

# ---- question types: read in answer.intent, the one place a question's intent is read ----------

# Words that only shape a question ("là ngày nào", "đạt bao nhiêu") and never appear in the answer,
# with their marks. A word typed without marks is checked folded (`_STOP`): "bao" may be "báo".
# A word with marks is checked as written, so "báo cáo", "tài chính", "cơ quan", "đầu tư",
# "phấn đấu", "chế độ", "bảo vệ" keep the syllables whose folded form is a question word.
_STOP_MARKED = frozenset(
    ["là", "gì", "nào", "bao", "nhiêu", "khi", "giờ", "ngày", "hạn", "chót", "cuối", "mấy", "ai", "đâu", "sao", "thế", "này", "đó", "phải", "hay", "hoặc", "của", "và", "các", "những", "được", "cho", "với", "về", "có", "thì", "ở", "tại", "trong", "một", "phần", "trăm", "tỷ", "tỉ", "lệ", "mức", "lúc", "thời", "điểm", "gian"]
)
_STOP = frozenset(fold(w) for w in _STOP_MARKED)


# ---- terms and coverage --------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def terms(text: str) -> list[str]:
    """Folded lower-case content words, in order."""
    out = []
    for word in _WORD.findall(normalize(text).lower()):
        folded = fold(word)
        if word in _STOP_MARKED if word != folded else folded in _STOP:
            continue
        out.append(folded)
    return out


def term_set(words: list[str]) -> set[str]:
    """Words and adjacent pairs: "bao cao ket qua" also gives "bao cao", "cao ket", "ket qua"."""
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def weights(question_terms: set[str], passages: list[set[str]]) -> dict[str, float]:
    """Weight of each question term: its inverse document frequency over the retrieved passages,
    log(1 + (N + 1) / (df + 0.5)) (the Robertson-Spärck Jones ratio, kept positive as in Lucene's
    BM25). A word every passage has ("tỉnh") counts least; one none of them has ("sân bay")
    counts most, so a sentence that misses it cannot answer the question. The ratio between the
    two stays moderate (about 4 for 8 passages): a word every passage shares still matters."""
    n = len(passages)
    return {t: math.log(1 + (n + 1) / (sum(t in p for p in passages) + 0.5)) for t in question_terms}


def coverage(weighted: dict[str, float], text_terms: set[str]) -> float:
    """Weighted share of the question's words and word pairs found in the text (0 when none)."""
    total = sum(weighted.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weighted.items() if t in text_terms) / total


# ---- sentences and clauses -----------------------------------------------------------------------

# A sentence ends at . ! ? or … followed by space and a capital, an opening bracket/quote or a
# bullet; and at every line break. "6,05%." and "20/08/2020." end sentences; "Số: 7.17.BCS" does not.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“(\-*+•\dA-ZĐÀ-Ỹ])|\n+")
# Long sentences are cut into clauses at ";" and at ":" followed by a space.
_CLAUSE_END = re.compile(r"(?<=;)\s+|(?<=:)\s+")
LONG_SENTENCE = 200  # characters


@dataclass(frozen=True)
class Unit:
    """A sentence or clause of a passage: [start, end) in the passage text."""

    start: int
    end: int
    text: str


def _pieces(text: str, start: int, end: int, splitter: re.Pattern[str]) -> Iterable[tuple[int, int]]:
    pos = start
    for m in splitter.finditer(text, start, end):
        yield pos, m.start()
        pos = m.end()
    yield pos, end


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def units(text: str, clauses: bool = True) -> list[Unit]:
    """Sentences of `text`, with sentences longer than LONG_SENTENCE cut into their clauses
    (unless `clauses` is False: "who" questions keep whole sentences, whose subject is the agency).

    A clause shorter than 40 characters ("nổi lên đó là:") joins the one after it, so no unit is
    a bare lead-in. A labelled field ("Thời gian hoàn thành: Trước ngày 31/5/2026.", "Đơn vị chủ
    trì: Sở Tài chính") joins the unit before it: it belongs to the task that unit states."""
    out: list[Unit] = []
    for s, e in _pieces(text, 0, len(text), _SENTENCE_END):
        s, e = _trimmed(text, s, e)
        if s >= e:
            continue
        if out and is_field(fold(text[s:e]).lower()):
            out[-1] = Unit(out[-1].start, e, text[out[-1].start:e])
            continue
        if e - s <= LONG_SENTENCE or not clauses:
            out.append(Unit(s, e, text[s:e]))
            continue
        pending: int | None = None
        for cs, ce in _pieces(text, s, e, _CLAUSE_END):
            cs, ce = _trimmed(text, cs, ce)
            if cs >= ce:
                continue
            if pending is not None:
                cs = pending
            if ce - cs < 40 and ce < e:
                pending = cs
                continue
            pending = None
            out.append(Unit(cs, ce, text[cs:ce]))
    return out


# ---- evidence cues -------------------------------------------------------------------------------

_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{1,2}\b(?!/)|\bngay \d{1,2} thang \d{1,2}(?: nam \d{4})?"
    r"|\bthang \d{1,2}(?:/\d{4}| nam \d{4})|\bquy [iv1-4]+\b"
)
_RECURRING = re.compile(r"\b(hang|dinh ky) ?(ngay|tuan|thang|quy|nam)?\b|\btruoc ngay\b|\bcham nhat\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:/\d+)?\s*%?")
_FRACTION = re.compile(r"\d+/\d+")  # "40/121 xã": a share, measured
_AGENCY = re.compile(
    r"\b(So|UBND|Uy ban nhan dan|Ban|Cuc|Chi cuc|Van phong|Cong an|Bo Chi huy|Thanh tra|Kho bac|Dai|Bao"
    r"|Mat tran|Tinh doan|Hoi|Trung tam|Giam doc|Chu tich|Thu truong|Ngan hang|Bao hiem)\s+[A-Z]"
)


def _numbers(folded: str) -> set[str]:
    return {m.group(0).replace(" ", "") for m in _NUMBER.finditer(folded)}


def cue(kind: str, unit_text: str, question: str, heading: str = "", doc_number: str | None = None) -> float:
    """How strongly a unit carries the kind of thing the question asks for: 0 (not at all) to 1.

    deadline: "trước ngày 15/8/2020" or a full date 1 (a duration, "20 ngày làm việc", when the
    question asks "trong bao nhiêu ngày"), a recurring term ("hằng tháng") 0.6;
    figure: a number the question does not already contain, 1 with a unit, % or share ("02 GB",
    "03 lần/tuần", "300m", "40/121 xã": `answer.quantities`) else 0.6;
    responsible: an agency name in the unit 1, only in its section heading 0.6;
    document: a document number the question does not contain 1, else the passage's own document
    number (`doc_number`, when the question does not name it) 0.6; other questions: always 1.
    """
    folded = fold(normalize(unit_text))
    lower = folded.lower()
    asked = fold(normalize(question)).lower()
    if kind == DEADLINE:
        if _DATE.search(lower) or (ASKS_DURATION.search(asked) and DURATION.search(lower)):
            return 1.0
        return 0.6 if _RECURRING.search(lower) else 0.0
    if kind == FIGURE:
        dates = {m.group(0) for m in _DATE.finditer(lower)}
        new = {n for n in _numbers(lower) - _numbers(asked) if not any(n.rstrip("%") in d for d in dates)}
        if not new:
            return 0.0
        return 1.0 if measured_figures(lower, asked) or _FRACTION.search(lower) else 0.6
    if kind == RESPONSIBLE:
        if _AGENCY.search(folded):
            return 1.0
        return 0.6 if _AGENCY.search(fold(normalize(heading))) else 0.0
    if kind == DOCUMENT:
        asked_numbers = {n.lower() for n in find_doc_numbers(normalize(question))}
        if {n.lower() for n in find_doc_numbers(normalize(unit_text))} - asked_numbers:
            return 1.0
        return 0.6 if doc_number and doc_number.lower() not in asked_numbers else 0.0
    return 1.0
