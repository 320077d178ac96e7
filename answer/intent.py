"""What a question asks, read in one place: the route (a comparison between provinces, an
agency's tasks, a factual question, or plain search words), the agency it names, and the form of a
factual question (deadline, figure, document, responsible). Read on folded text, so "so sanh" and
"So sánh" are the same; the examples are the app's own example questions.

`route(question)` is what the application facade (`service.core`) calls, once per question;
`question_kind`, `classify` and `question_form` are its parts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ingest.agencies import AgencyTable
from ingest.provinces import canonical
from ingest.vietnamese import fold, normalize
from search import agency_question
from search.agency_question import AgencyQuestion

COMPARE, ASK, SEARCH = "compare", "ask", "search"
AGENCY, QUESTION = "agency", "question"

_COMPARE = re.compile(r"^\s*so sanh\b|\bgiua cac tinh\b|\bcac tinh\b.*\bkhac nhau\b")
# "Nhiệm vụ của Sở Y tế là gì?", "Sở Y tế được giao gì", "X phải làm gì", "X chủ trì việc gì",
# "hạn ... khi nào", "ai chịu trách nhiệm", "bao nhiêu".
_ASK = re.compile(
    r"\?\s*$|\bnhiem vu\b|\bduoc giao\b|\bphai lam\b|\bchu tri\b|\btrach nhiem\b|\bla gi\b|\bgi\s*$"
    r"|\bkhi nao\b|\bbao gio\b|\bbao nhieu\b|\bnao\s*$|\bai\b|\bthoi han\b|\bhan chot\b|\bcan lam\b"
)


def question_kind(text: str) -> str:
    """`compare` ("So sánh chỉ đạo phòng chống dịch giữa các tỉnh"), `ask` ("Nhiệm vụ của Sở Y tế
    là gì?") or `search` ("Giải ngân vốn đầu tư công")."""
    folded = fold(normalize(text)).lower()
    if _COMPARE.search(folded):
        return COMPARE
    if _ASK.search(folded):
        return ASK
    return SEARCH


def compare_topic(text: str) -> str:
    """The topic of a comparison question: "So sánh chỉ đạo phòng chống dịch giữa các tỉnh" ->
    "phòng chống dịch"."""
    t = normalize(text).strip().rstrip("?.! ")
    t = re.sub(r"(?i)^\s*so s[aá]nh\s+", "", t)
    t = re.sub(r"(?i)^(?:các\s+)?(?:chỉ đạo|văn bản|nhiệm vụ)\s+(?:về\s+)?", "", t)
    t = re.sub(r"(?i)\s+(?:giữa|của)\s+(?:các|những)\s+tỉnh.*$", "", t)
    return t.strip() or text.strip()


# "... giữa Cần Thơ, Gia Lai và Huế", "... của Hà Nội với TP Hồ Chí Minh": the provinces named at the end.
_BETWEEN = re.compile(r"(?i)\s+(?:giữa|giua|của|cua)\s+(?P<names>(?!(?:các|cac|những|nhung)\s+(?:tỉnh|tinh))[^?]+?)\s*[?.!]?\s*$")
_NAME_SEP = re.compile(r"(?i)\s*(?:,|;|\s(?:và|va|với|voi)\s|\s-\s)\s*")


def compare_request(text: str) -> tuple[str, tuple[str, ...]]:
    """The topic and the provinces of a comparison question. "So sánh phân cấp quản lý tài sản
    công giữa Cần Thơ, Gia Lai và Huế" -> ("phân cấp quản lý tài sản công", ("Cần Thơ", "Gia
    Lai", "Huế")); no provinces when the question names none ("giữa các tỉnh") or a name that
    is no province (then the words stay in the topic)."""
    t = normalize(text).strip()
    m = _BETWEEN.search(t)
    if m:
        names = [n.strip() for n in _NAME_SEP.split(m.group("names")) if n.strip()]
        found = [canonical(n) for n in names]
        if len(names) >= 2 and all(found):
            return compare_topic(t[: m.start()]), tuple(f for f in found if f)
    return compare_topic(text), ()

# ---- agency question or factual question ---------------------------------------------------------

# The grammar of an agency question (open vocabulary) is search/agency_question.py.


@dataclass(frozen=True)
class Classified:
    kind: str  # "agency" | "question"
    agency: str | None = None
    question: AgencyQuestion | None = None  # the parsed agency question


def classify(question: str, agencies: AgencyTable | None = None) -> Classified:
    """Agency question (with the first organisation it names, open vocabulary: see
    `search.agency_question`) or factual question."""
    q = agency_question.parse(question, dt.date.today().isoformat(), agencies)
    if q is None:
        return Classified("question")
    return Classified("agency", q.names[0] if q.names else q.phrase, q)


# ---- the form of a factual question --------------------------------------------------------------

DEADLINE, FIGURE, DOCUMENT, RESPONSIBLE, OTHER = "deadline", "figure", "document", "responsible", "other"

# Checked in this order on the folded question; the first that matches decides. "ai" (who) is
# last: it is short and a deadline question can also name an agency.
_QUESTION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (DEADLINE, re.compile(r"\b(han chot|thoi han|han cuoi|han nop|khi nao|bao gio|ngay nao|thang nao|luc nao"
                          r"|thoi diem nao|thoi gian nao|truoc ngay nao|cham nhat|bao lau( mot lan)?|may lan|dinh ky)\b")),
    (FIGURE, re.compile(r"\b(bao nhieu|may|ty le|phan tram|muc nao|so luong|con so|tong so)\b")),
    (DOCUMENT, re.compile(r"\b(van ban nao|so hieu|so ky hieu|(cong van|quyet dinh|nghi quyet|chi thi|ke hoach"
                          r"|thong bao|ket luan|thong tu|nghi dinh) (nao|so may)|can cu (vao )?dau)\b")),
    # "báo cáo về đâu" asks for the body a report goes to
    (RESPONSIBLE, re.compile(r"\b(ai|co quan nao|don vi nao|so nao|nganh nao|chu tri|chiu trach nhiem|phu trach"
                             r"|giao cho|duoc giao|ve dau)\b")),
)

def question_type(question: str) -> str:
    return question_form(question)[0]


def question_form(question: str) -> tuple[str, str]:
    """The question's type and the question without the words that ask it ("là ngày nào",
    "văn bản nào", "bao nhiêu"): those never occur in the answer and must not be looked for."""
    text = normalize(question)
    folded = fold(text).lower()
    for name, pattern in _QUESTION_CUES:
        m = pattern.search(folded)
        if m:
            return name, text[: m.start()] + " " + text[m.end():]  # folding keeps offsets
    return OTHER, text


# ---- the route -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """Where a question goes: `compare` (with `topic`), `agency` (with the canonical `agency`),
    `question` (a factual answer) or `search` (plain search words)."""

    kind: str
    agency: str | None = None
    topic: str | None = None
    provinces: tuple[str, ...] = ()  # a comparison's provinces, when the question names them
    agency_question: AgencyQuestion | None = None  # an agency question, parsed


def route(question: str, agencies: AgencyTable | None = None) -> Intent:
    """"So sánh chỉ đạo phòng chống dịch giữa các tỉnh" -> compare; "Nhiệm vụ của Sở Y tế là gì?",
    "nhiem vu cua so y te" or just "Sở Y tế" -> agency; "Khi nào Sở Y tế phải ...?" -> question;
    "Giải ngân vốn đầu tư công", "1536/UBND-KTTH" -> search."""
    kind = question_kind(question)
    if kind == COMPARE:
        topic, provinces = compare_request(question)
        return Intent(COMPARE, topic=topic, provinces=provinces)
    c = classify(question, agencies)
    if c.kind == AGENCY and c.question is not None:
        return Intent(AGENCY, agency=c.agency, agency_question=c.question)
    if kind == ASK:
        return Intent(QUESTION)
    return Intent(SEARCH)
