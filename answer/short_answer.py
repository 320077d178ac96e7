"""The short answer inside an answer sentence: the phrase that fills the question's slot.

"Sở Tài chính ... gửi báo cáo ... trước ngày nào?" answered by "Tổng hợp kết quả kiểm kê, báo cáo
... Thời gian hoàn thành: Trước ngày 31/5/2026" -> "Trước ngày 31/5/2026". What is looked for
follows the question's slot word, not its topic:

- "bao nhiêu" / "mấy" / "tỷ lệ": a figure: a number with its unit ("400 triệu USD", "1.700 ha",
  "03 lần/tuần", "55%", "20 ngày làm việc"), a qualifier before it ("ít nhất", "trên") kept unless
  the question already sets it outside its slot, a short parenthesis right after it kept;
- deadline words ("ngày nào", "khi nào", "trước ngày nào", "thời gian nào"): a date or period with
  its lead word ("trước ngày 15 tháng 12 hàng năm", "trong tháng 11/2025");
- "cơ quan nào" / "ai" / "về đâu": an organisation's name ("Sở Dân tộc và Tôn giáo");
- "văn bản nào" / "số hiệu": a document number ("310/KH-UBND").

Among several phrases of the right kind, the one whose neighbourhood shares most words with the
question wins ("03 lần/tuần đối với khu vực đô thị và 02 lần/tuần đối với khu vực nông thôn",
asked about "khu vực đô thị" -> "03 lần/tuần"); a phrase the question itself contains never
answers it. Everything is matched on folded lower-case text, whose offsets are the sentence's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from answer.extract import terms
from answer.intent import DEADLINE, DOCUMENT, FIGURE, RESPONSIBLE
from answer.quantities import DATE, DURATION, measured_figures
from ingest.metadata import find_doc_numbers
from ingest.vietnamese import fold, normalize

_ORG_HEAD = (r"(?:So|Uy ban nhan dan|UBND|Ban|Cuc|Chi cuc|Van phong|Cong an|Bo Chi huy|Bo Tu lenh|Thanh tra"
             r"|Kho bac|Dai|Bao|Mat tran|Tinh doan|Hoi|Trung tam|Ngan hang|Bao hiem|Bo|Tong cuc|Cong ty"
             r"|Vien|Truong|Benh vien|Toa an|Vien kiem sat|Hoi dong|Quy|Doan)")
_ORG = re.compile(rf"\b{_ORG_HEAD}\s+[A-Z][\w]*(?:\s+(?:va\s+)?[\w]+)*")
# Words after which an organisation's name has ended.
# Words after which an organisation's name has ended (matched with their marks: "giao" ends a
# name, "Tôn giáo" does not).
_ORG_END = frozenset(["là", "có", "trong", "để", "qua", "về", "theo", "tại", "trước", "sau", "khi", "được", "phải", "gửi", "nhận", "làm", "cùng", "với", "các", "này", "đó", "giao", "của", "cho", "hoặc", "nếu"])
_ORG_END_PAIRS = frozenset({"chủ trì", "phối hợp", "thực hiện", "tham mưu", "hướng dẫn", "báo cáo", "chịu trách",
                            "kiểm tra", "tổ chức", "xây dựng", "triển khai", "theo dõi", "tổng hợp", "đề xuất"})
_SLOT_FIGURE = re.compile(r"\b(bao nhieu|may|ty le|phan tram|muc nao)\b")
_SLOT_RESPONSIBLE = re.compile(r"\b(co quan nao|don vi nao|so nao|nganh nao|ai|ve dau|gui dau|noi nao|cap nao)\b")
_SLOT_DOCUMENT = re.compile(r"\b(van ban nao|so hieu|so ky hieu|(cong van|quyet dinh|ke hoach|chi thi) nao)\b")


@dataclass(frozen=True)
class Short:
    start: int  # [start, end) in the sentence
    end: int
    text: str


def slot(question: str, kind: str) -> str:
    """What the short answer is: figure, deadline, responsible, document, or "" (none)."""
    q = fold(normalize(question)).lower()
    if _SLOT_DOCUMENT.search(q) or kind == DOCUMENT:
        return DOCUMENT
    if _SLOT_FIGURE.search(q):
        return FIGURE
    if kind == DEADLINE:
        return DEADLINE
    if kind == RESPONSIBLE or _SLOT_RESPONSIBLE.search(q):
        return RESPONSIBLE
    return ""


_BREAK = re.compile(r"[,;:.()\d]")


def _closeness(folded: str, start: int, end: int, asked: set[str], prev_end: int | None = None) -> float:
    """Question words in the words after (weight 1) and before (0.1: a tie-breaker) a phrase, up to the next
    punctuation or number either side. Words before it that follow another phrase of the same
    kind with nothing in between belong to that phrase ("40/121 xã đạt chuẩn ... và 01 xã")."""
    tail = folded[end:end + 100]
    cut = _BREAK.search(tail, 1)
    tail = tail[:cut.start()] if cut else tail
    after = re.findall(r"\w+", tail)[:10]
    lo = max(0, start - 100)
    head = folded[lo:start]
    cuts = list(_BREAK.finditer(head))
    head_from = lo + cuts[-1].end() if cuts else lo
    if prev_end is not None and prev_end >= head_from:
        head = ""
    else:
        head = folded[head_from:start]
    before = re.findall(r"\w+", head)[-8:]
    return sum(w in asked for w in after) + 0.1 * sum(w in asked for w in before)


def _qualifier_kept(q: str | None, question_folded: str) -> bool:
    if not q:
        return False
    if q not in question_folded:
        return True
    return re.search(rf"\b{q}\s+(bao nhieu|may)\b", question_folded) is not None


def short_answer(sentence: str, question: str, kind: str) -> Short | None:
    """The short phrase of `sentence` that answers `question` (of type `kind`), or None."""
    text = normalize(sentence)
    folded = fold(text)
    if len(folded) != len(sentence):
        return None
    lower = folded.lower()
    asked_folded = fold(normalize(question)).lower()
    asked = set(terms(question))
    what = slot(question, kind)
    found: list[tuple[float, int, int, int]] = []  # (closeness, -start, start, end)
    if what == FIGURE:
        for m in measured_figures(lower, asked_folded):
            start = m.start("q") if _qualifier_kept(m.group("q"), asked_folded) else m.start("n")
            end = m.end("p") if m.group("p") else m.end("u") if m.group("u") else m.end("n")
            prev = found[-1][3] if found else None
            found.append((_closeness(lower, start, end, asked, prev), -start, start, end))
    elif what == DEADLINE:
        for m in DATE.finditer(lower):
            d = m.group("d")
            if d in asked_folded or (d.startswith("nam ") and not m.group("lead")):
                continue
            found.append((_closeness(lower, m.start(), m.end(), asked), -m.start(), m.start(), m.end()))
        if not found:
            for m in DURATION.finditer(lower):
                found.append((_closeness(lower, m.start(), m.end(), asked), -m.start(), m.start(), m.end()))
    elif what == RESPONSIBLE:
        for m in _ORG.finditer(folded):
            start, end = m.start(), _org_end(text, m.start())
            name = lower[start:end]
            if name in asked_folded:
                continue
            found.append((-_closeness(lower, start, end, asked) * 0.1, -start, start, end))
    elif what == DOCUMENT:
        for n in find_doc_numbers(text):
            at = text.find(n)
            if at >= 0 and n.lower() not in normalize(question).lower():
                found.append((_closeness(lower, at, at + len(n), asked), -at, at, at + len(n)))
    if not found:
        return None
    _, _, s, e = max(found)
    return Short(s, e, sentence[s:e])


def _org_end(text: str, start: int) -> int:
    """Where an organisation's name that starts at `start` ends: before punctuation or a word that
    ends a name ("là", "chủ trì", "qua" ...), "và" only when a capitalised word follows."""
    end = start
    words = list(re.finditer(r"\w+|[^\w\s]", text[start:start + 160]))
    for i, w in enumerate(words):
        tok = w.group(0)
        if not tok[0].isalnum():
            break
        low = tok.lower()
        nxt = words[i + 1].group(0).lower() if i + 1 < len(words) else ""
        if i >= 2 and (low in _ORG_END or f"{low} {nxt}" in _ORG_END_PAIRS):
            break
        if low == "va" and not (i + 1 < len(words) and words[i + 1].group(0)[:1].isupper()):
            break
        if i >= 12:
            break
        end = start + w.end()
    return end
