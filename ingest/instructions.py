"""A directive's instructions as units: the operative text cut into one measure each.

What a province instructed lives in the body of its directive: the articles of a decision
("Điều 2. ... Giao Sở Tài chính chủ trì ..."), the numbered tasks and bullets of a plan or letter,
the rows and fields of an annexed procedure table ("Trong thời hạn 02 ngày làm việc ..."). Not in
its header (issuer, number, place-date line, subject), its legal bases ("Căn cứ ...", "Theo đề
nghị ...", "Thực hiện Công văn số ..."), the enactment formula of a decision (everything before
"Điều 1"), the recipients list ("Nơi nhận:" / "Kính gửi:") or the signature block.

`instruction_units(text)` reads the document's clean text (`Document.text.text`) and returns
those units in order, each with its span. A unit is one paragraph, bullet, lettered point, table
cell or field line; lines of one paragraph broken by the web crawl are joined back (a line that
does not open on a marker continues the one before). A unit longer than `LONG_UNIT` characters is
cut at its sentence ends (". " before a capital), never at ";" (a list of cases separated by ";" is
one measure). Headings too short to instruct anything ("Điều 2. Nội dung phân cấp", "1. Sở Tài
chính") are not units: they reach the units below them through the section path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.vietnamese import fold

LONG_UNIT = 400  # characters; a longer unit is cut at its sentence ends
MIN_WORDS = 6  # a unit with fewer words (marker excluded) is a heading or a table label

# A line that opens a new unit: a legal heading, a numbered or lettered point, a bullet, a step.
_MARKER = re.compile(  # matched at a line's first character (no "^": `match(text, pos)`)
    r"(?:(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC)\s+[IVXLC\d]+\b|(?:Điều|ĐIỀU)\s+\d{1,3}[a-z]?\b"
    r"|\d{1,2}(?:\.\d{1,2})+\.?\s|[IVXL]{1,6}\s?[.\-–):]\s|\d{1,3}\s?[.\-–)]\s|\(\d{1,3}\)\s|[a-zđ]\s?[).]\s"
    r"|[-+•–*]\s|Bước\s+\d)"
)
_LEADING_MARKER = re.compile(  # the marker a unit opens on, removed to read its words
    r"^\s*(?:(?:Điều|ĐIỀU)\s+\d{1,3}[a-z]?\s*[.:]?|\d{1,2}(?:\.\d{1,2})+\.?|[IVXL]{1,6}\s?[.\-–):]|\d{1,3}\s?[.\-–)]"
    r"|\(\d{1,3}\)|[a-zđ]\s?[).]|[-+•–*])\s*"
)
_ARTICLE_HEAD = re.compile(r"^(?:hieu luc(?: thi hanh)?|dieu khoan thi hanh|to chuc thuc hien)[.:]?\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ(\"“])")
_WORD = re.compile(r"\w+")

# Preamble lines, on folded lower-case text with its marker removed.
_BASIS = re.compile(r"^(?:can cu|theo de nghi|xet de nghi|xet to trinh)\b")
# "Thực hiện Công văn số ..., UBND tỉnh yêu cầu:" opens a letter; under a number ("1. Thực hiện
# Quyết định số ..., cơ quan Thuế không ban hành ...") the same words lead into an instruction.
_INTRO = re.compile(
    r"^(?:theo y kien|thuc hien (?:y kien|chi dao|(?:cong van|quyet dinh|ke hoach|chi thi|nghi quyet|thong bao|ket luan"
    r"|nghi dinh|thong tu|luat|van ban|cong dien)\b))"
)
_ARTICLE_ONE = re.compile(r"^\s*(?:Điều|ĐIỀU)\s+1\s*[.:]", re.MULTILINE)
_BLOCK_START = re.compile(r"(?:N[oơ]i nh[aậ]n|N[OƠ]I NH[AẬ]N|Kính gửi|KÍNH GỬI)\s*:?")
# "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN", "(Kèm theo Quyết định số ...)": signature and annex captions.
_CAPTION = re.compile(r"^(?:kt|tm|tl|tuq)\.\s|^\(?(?:ban hanh )?kem theo\b")
# An item that only cites a legal text ("- Nghị định số 146/2025/NĐ-CP ngày ... của Chính phủ quy
# định về ..."), as in the "Căn cứ pháp lý" column of a procedure table.
_CITATION_ITEM = re.compile(r"^(?:luat|nghi dinh|thong tu|nghi quyet|quyet dinh|chi thi|thong tu lien tich)\s+(?:so\s+)?[\w/.-]*\d")
# Words that make a citation an instruction after all ("Quyết định số ... hết hiệu lực", "... bãi bỏ").
_OPERATIVE = re.compile(r"\b(?:het hieu luc|bai bo|thay the|sua doi|bo sung|giao|trach nhiem|thuc hien|cong bo)\b")


# The closing formulas of a decision (Nghị định 30/2020/NĐ-CP, Phụ lục III): its entry into force
# ("Quyết định này có hiệu lực thi hành kể từ ngày ký.") and its execution clause ("Chánh Văn
# phòng ..., Giám đốc các Sở ... chịu trách nhiệm thi hành Quyết định này./."). Every decision
# has them; they instruct nothing on its matter. A unit that says more ("... và thay thế Quyết
# định số 26/2019/QĐ-UBND") is kept.
_IN_FORCE = re.compile(r"^(?:quyet dinh|nghi quyet|chi thi|quy che|quy dinh) nay co hieu luc(?: thi hanh)?(?: ke)? tu ngay"
                       r"(?: ky| ban hanh| \d{1,2}(?:/\d{1,2}/\d{4}| thang \d{1,2} nam \d{4}))?[\s./]*$")
_EXECUTION = re.compile(r"chiu trach nhiem (?:thi hanh|thuc hien) (?:quyet dinh|nghi quyet|chi thi) nay[\s./]*$")


@dataclass(frozen=True)
class Unit:
    """One instruction unit: [start, end) in the clean text, and that text with its line breaks
    joined (`text` is what is shown, grouped and matched)."""

    start: int
    end: int
    text: str


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped; a blank line becomes (-1, -1)."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        s, e = pos, pos + len(raw)
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e) if s < e else (-1, -1))
        pos += len(raw) + 1
    return out


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: a blank line, a line opening on a marker and a line in capitals (a
    title: "PHỤ LỤC", "QUY CHẾ") start a new one; a title is a paragraph of its own."""
    spans: list[tuple[int, int]] = []
    current: list[int] | None = None
    for s, e in _lines(text):
        if s < 0:
            current = None
            continue
        title = _is_upper(text[s:e])
        if current is None or title or _MARKER.match(text, s) or _BLOCK_START.match(text, s):
            current = None if title else [s, e]
            spans.append((s, e))
        else:
            current[1] = e
            spans[-1] = (current[0], e)
    return spans


def _words(text: str) -> int:
    return len(_WORD.findall(_LEADING_MARKER.sub("", text, count=1)))


def _is_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _body_start(text: str) -> int:
    """Where the operative text begins: at "Điều 1" when the directive has articles (what comes
    before is header, legal bases and the enactment formula), else at 0 (the header is dropped
    line by line)."""
    m = _ARTICLE_ONE.search(text)
    return m.start() if m else 0


def _split_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= LONG_UNIT:
        return [(s, e)]
    out, pos = [], s
    for m in _SENTENCE_END.finditer(text, s, e):
        if m.start() - pos >= 40:  # a sentence under 40 characters stays with the next one
            out.append((pos, m.start()))
            pos = m.end()
    out.append((pos, e))
    return out


def _header_end(text: str, subject: str | None) -> int:
    """End of the header when the directive has no articles: the end of its subject line
    (trích yếu), else of its place-date line, else 0."""
    folded = fold(text).lower()  # one character for one: offsets carry over
    if subject:
        words = fold(subject).lower().split()
        m = re.search(r"\s+".join(re.escape(w) for w in words), folded) if words else None
        if m:
            return m.end()
        m = re.search(r"\s+".join(re.escape(w) for w in words[:8]), folded)
        if m:  # the subject line as printed differs further on: its paragraph ends the header
            blank = folded.find("\n\n", m.end())
            return blank if blank >= 0 else m.end()
    m = re.search(r"^[^\n]{0,60},\s*ngay\s+\d{1,2}\s*(?:thang|/)[^\n]*$", folded, re.MULTILINE)
    return m.end() if m else 0


def instruction_units(text: str, subject: str | None = None) -> list[Unit]:
    """The operative units of a directive's clean text, in order (see the module docstring)."""
    start = _body_start(text)
    if start == 0:
        start = _header_end(text, subject)
    units: list[Unit] = []
    skipping_block = False
    for s, e in _paragraphs(text):
        if e <= start:
            continue
        s = max(s, start)
        para = text[s:e]
        if _BLOCK_START.match(para):
            skipping_block = True
            continue
        if skipping_block:
            # A recipients or address list runs on over its bullets and the short signature lines.
            if _words(para) < MIN_WORDS or para.lstrip().startswith(("-", "+", "•")) or _is_upper(para):
                continue
            skipping_block = False
        for us, ue in _split_long(text, s, e):
            while us < ue and (text[us].isspace() or text[us] in ".,;:"):  # the tail of a header line
                us += 1
            unit = " ".join(text[us:ue].split())
            bare = fold(_LEADING_MARKER.sub("", unit, count=1)).lower()
            if _words(unit) < MIN_WORDS or _is_upper(unit) or _BASIS.match(bare) or _CAPTION.match(bare):
                continue
            if _INTRO.match(bare) and not _LEADING_MARKER.match(unit):
                continue
            if _CITATION_ITEM.match(bare) and not _OPERATIVE.search(bare):
                continue
            if _IN_FORCE.match(_ARTICLE_HEAD.sub("", bare)) or _EXECUTION.search(bare):
                continue
            units.append(Unit(us, ue, unit))
    return units
