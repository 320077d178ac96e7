"""Clean a directive's raw text for indexing, keeping a map back to the original.

Steps, in order (each keeps the character map, see `ingest.mapped`):
1. NFC, line endings.
2. Web chrome: the site header and trailer of crawled legal-library pages, and the navigation,
   counters, polls and "Bấm vào đây" lines of provincial portals (seeds 002 and 003).
3. Markdown: emphasis markers, heading hashes, table pipes and rules.
4. Hard wraps: a line broken mid-sentence by a web page or a PDF page is joined to the next.
5. Whitespace collapsed, and one tone-mark placement (ingest.vietnamese).
"""

from __future__ import annotations

import re

from ingest.mapped import MappedText
from ingest.model import CleanText
from ingest.vietnamese import canonical_syllable, nfc

CLEANER_VERSION = "2"

# Everything from one of these lines on is site furniture, never the directive.
_TAIL = re.compile(
    r"(?m)^[ \t]*(?:#+[ \t]*)?(?:\*\*)?(?:"
    r"Văn bản này chưa cập nhật nội dung Tiếng Anh|Văn bản liên quan|Lược đồ|"
    r"NỘI DUNG SỬA ĐỔI, HƯỚNG DẪN|FILE ĐƯỢC ĐÍNH KÈM THEO VĂN BẢN|"
    r"Tác giả bài viết:|Tổng số điểm của bài viết|Ý kiến bạn đọc|Thăm dò ý kiến|Thống kê truy cập"
    r")"
)
# A crawled legal-library page puts its own summary table before this marker.
_HEAD = re.compile(r"(?m)^[ \t]*Đang tải văn bản\.\.\.[ \t]*$")
# The page title the library repeats just before its trailer ("Công văn 5348/CT-CS năm 2025 ...").
_TITLE_BEFORE_TAIL = re.compile(r"(?:\n[^\n]*\b(?:ban hành|năm \d{4})[^\n.;:]*){1,3}\s*$")

_CHROME_LINE = re.compile(
    r"(?mi)^[ \t]*+(?:"  # possessive: the ".*..." alternatives cannot re-split the indent (O(n^2))
    r"Thứ (?:hai|ba|tư|năm|sáu|bảy|[2-7]),? *(?:-|Ngày)? *\d{1,2}/\d{1,2}/\d{4}\b.*"
    r"|Chủ nhật,? *(?:-|Ngày)? *\d{1,2}/\d{1,2}/\d{4}\b.*"
    r"|Ngày đăng:.*"
    r"|(?:Mặc định )?Cỡ chữ.*"
    r"|Chi tiết nội dung .{0,60}xem tại đây!?"
    r"|Click để đánh giá bài viết|Top|In bài viết|Gửi bài viết"
    r"|.*Bấm vào đây để duy trì trạng thái đăng nhập.*"
    r"|Bản dịch này thuộc quyền sở hữu của.*|.*has the copyright on this translation.*"
    r"|Click vào phần bôi vàng để xem chi tiết\.|Đang tải văn bản\.\.\."
    r")[ \t]*$"
)

_MD_RULE = re.compile(r"(?m)^[ \t|:]*-{3,}+[ \t|:-]*+$|^[ \t]*[=*_]{3,}+[ \t]*+$")  # possessive: linear on long rules
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
# Emphasis stars: any run of * except a bullet "* " opening a line.
_MD_EMPHASIS = re.compile(r"(?m)(?<!^)\*+|^\*+(?=\S)|^\*+[ \t]*$|__+")
_PIPE = re.compile(r"\|")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]{2,}|[\t\u00a0\u2000-\u200b\u3000]")
_TRAILING = re.compile(r"(?m)[ \t]+$|^[ \t]+")
_MANY_BLANKS = re.compile(r"\n{3,}")

# A line that starts a new unit: numbering, a bullet, a legal part word.
_UNIT_START = re.compile(
    r"(?:[IVXLC]+[.\-–)]|\d+(?:\.\d+)*[.\-–)/]|[a-zđ][)\-.](?=\s)|[-+*•–]\s|"
    r"(?:Phần|Chương|Mục|Điều|Khoản|Điểm)\s|Nơi nhận|Kính gửi|Căn cứ|Số\s*:?|V/v)"
)
# A heading's number left alone on its line ("2.10.", "III."): never a table cell ("1", "7.6").
_BARE_NUMBER = re.compile(r"^(?:[-+•–]|\d{1,2}(?:\.\d{1,2})*\.|[IVXL]{1,6}\.|(?:Điều|ĐIỀU)\s+\d{1,3}[a-z]?\.)$")
_LINE_BREAK = re.compile(r"\n(?:[ \t]*\n){0,2}")
_WORD = re.compile(r"[^\W\d_]+")


def _is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _join_wrapped(m: re.Match[str]) -> str:
    """Decide whether a line break (and up to two blank lines) falls mid-sentence."""
    text = m.string
    start, end = m.span()
    prev_line_start = text.rfind("\n", 0, start) + 1
    prev = text[prev_line_start:start].rstrip()
    next_end = text.find("\n", end)
    nxt = text[end : next_end if next_end >= 0 else len(text)].lstrip()
    if not prev or not nxt:
        return m.group(0)
    if _BARE_NUMBER.match(prev) and not _UNIT_START.match(nxt) and nxt[0] != "|" and "\n" not in m.group(0)[1:]:
        return " "  # "2.10." alone on a line, its heading on the next (a Word or PDF copy)
    if prev[-1] in ".:;!?" or (prev.endswith("/.")) or "|" in prev or "|" in nxt:
        return m.group(0)  # a sentence's end, or a table row (never run into the next row)
    blank = m.group(0).count("\n") > 1
    first = nxt[0]
    if first.islower() and not _UNIT_START.match(nxt):
        return " "  # a sentence that goes on, even across a page break
    if blank or _UNIT_START.match(nxt):
        return m.group(0)
    if _is_upper_line(prev) != _is_upper_line(nxt):
        return m.group(0)  # a heading block next to running text
    if len(prev) < 25 and not prev[-1].isalnum():
        return m.group(0)
    return " "


def _canonical_word(m: re.Match[str]) -> str:
    word = m.group(0)
    new = canonical_syllable(word)
    return new if len(new) == len(word) else word


def _cut_site_furniture(t: MappedText) -> MappedText:
    head = _HEAD.search(t.text)
    if head and head.start() < len(t.text) // 2:
        t = t.slice(head.end(), len(t.text))
    tail = _TAIL.search(t.text)
    if tail and tail.start() > len(t.text) // 4:
        body = t.text[: tail.start()]
        title = _TITLE_BEFORE_TAIL.search(body[-400:])
        cut = tail.start() - (len(body[-400:]) - title.start()) if title else tail.start()
        t = t.slice(0, cut)
    return t


def clean(raw: str) -> CleanText:
    """Clean raw text (as a reader returned it) into indexable text mapped to the original."""
    original = nfc(raw).replace("\r\n", "\n").replace("\r", "\n")
    t = MappedText.of(original)
    t = _cut_site_furniture(t)
    t = t.sub(_CHROME_LINE, "")
    t = t.sub(_MD_RULE, "")
    t = t.sub(_MD_HEADING, "")
    t = t.sub(_MD_EMPHASIS, "")
    t = t.sub(_SPACES, " ")
    t = t.sub(_TRAILING, "")
    t = t.sub(_MANY_BLANKS, "\n\n")
    t = t.sub(_LINE_BREAK, _join_wrapped)
    # Table cells become lines only now, so joining hard wraps never runs one cell into the next
    # (a row of a .docx or Markdown table, or a crawl's cell-per-line layout, stays cell by cell).
    t = t.sub(_PIPE, "\n")
    t = t.sub(_TRAILING, "")
    t = t.sub(_MANY_BLANKS, "\n\n")
    t = t.sub(_SPACES, " ")
    # Tone placement changes no word's length, so the map stands as it is.
    t = MappedText(_WORD.sub(_canonical_word, t.text), t.idx, t.original)
    return t.strip().freeze()
