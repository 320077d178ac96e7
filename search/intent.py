"""What kind of question was typed: a comparison between provinces, a question for the answer
module (agency tasks or a fact), or plain search words. Read on folded text, so "so sanh" and
"So sánh" are the same; the examples are the app's own example questions."""

from __future__ import annotations

import re

from ingest.vietnamese import fold, normalize

COMPARE, ASK, SEARCH = "compare", "ask", "search"

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


def compare_request(text: str) -> tuple[str, list[str] | None]:
    """The topic and the provinces of a comparison question. "So sánh phân cấp quản lý tài sản
    công giữa Cần Thơ, Gia Lai và Huế" -> ("phân cấp quản lý tài sản công", ["Cần Thơ", "Gia
    Lai", "Huế"]); provinces None when the question names none ("giữa các tỉnh") or a name that
    is no province (then the words stay in the topic)."""
    from ingest.provinces import canonical

    t = normalize(text).strip()
    m = _BETWEEN.search(t)
    if m:
        names = [n.strip() for n in _NAME_SEP.split(m.group("names")) if n.strip()]
        found = [canonical(n) for n in names]
        if len(names) >= 2 and all(found):
            return compare_topic(t[: m.start()]), [f for f in found if f]
    return compare_topic(text), None
