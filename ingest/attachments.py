"""Where one document ends and the next begins, in a file that carries several.

A directive often forwards another one: seed 004 is UBND Đồng Nai's letter 8888/UBND-THNC
followed, after its signature ("CHỦ TỊCH / Cao Tiến Dũng"), by the Tỉnh ủy's Kết luận
1098-KL/TU with its own header. Both layouts follow Nghị định 30/2020/NĐ-CP, Phụ lục I (state
bodies) and Hướng dẫn 36-HD/VPTW (party bodies):

- the signature block ends a document: the signer's authority and title in capitals ("TM. ỦY BAN
  NHÂN DÂN", "KT. BỘ TRƯỞNG / THỨ TRƯỞNG", "T/M BAN THƯỜNG VỤ / PHÓ BÍ THƯ"), then the name;
- a header starts one: the issuing body in capitals, "Số ..." with a document number, and the
  place-date line "Đồng Nai, ngày 16 tháng 7 năm 2020", with the national motto or
  "ĐẢNG CỘNG SẢN VIỆT NAM" among them.

A file is split only where a signature block is directly followed by such a header (all three
parts, with real digits: a blank form "Số: .../QĐ-UBND, ngày ... tháng ... năm ..." is not one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from ingest.model import CleanText

# The signer's capacity (Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II.7: TM., KT., TL., TUQ., Q.;
# party documents write T/M, K/T) or an office title, at the start of a line in capitals.
_DELEGATION = r"(?:(?:TM|KT|TL|TUQ|Q)\s*\.|T/M|K/T|T/L|T\.M|K\.T)\s*(?=[^\W\d_])"
_TITLES = (
    r"(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|GIÁM\s+ĐỐC|TỔNG\s+GIÁM\s+ĐỐC|BỘ\s+TRƯỞNG|THỨ\s+TRƯỞNG|THỦ\s+TƯỚNG|"
    r"BÍ\s+THƯ|CHÁNH\s+VĂN\s+PHÒNG|CỤC\s+TRƯỞNG|TỔNG\s+CỤC\s+TRƯỞNG|CHI\s+CỤC\s+TRƯỞNG|VỤ\s+TRƯỞNG|"
    r"TRƯỞNG\s+BAN|TRƯỞNG\s+PHÒNG|CHỦ\s+NHIỆM|TỔNG\s+KIỂM\s+TOÁN|THỐNG\s+ĐỐC|TỔNG\s+THƯ\s+KÝ|"
    r"CHÁNH\s+ÁN|VIỆN\s+TRƯỞNG|CHÁNH\s+THANH\s+TRA|TRƯỞNG\s+ĐOÀN|GIÁM\s+ĐỐC\s+SỞ)\b"
)
_SIGN_TITLE = re.compile(rf"^(?:{_DELEGATION}|{_TITLES})")
_SIGN_FILLER = re.compile(
    r"^(?:\(?\s*(?:đã\s+ký|Đã\s+ký|ĐÃ\s+KÝ|ký|Ký)[^)\n]{0,40}\)?|\*+|\[[^\]\n]{0,20}\]|\(Đã ký\))$"
)

# A header: "Số:" or "Số" then a number (digits, a slash or hyphen, a capital); a place-date line.
_HEADER_NUMBER = re.compile(r"(?:^|\s)(?:Số\s*:?|SỐ\s*:)\s*\d{1,5}\s?[/\-]\s?(?:\d{4}/)?[A-ZĐ]", re.MULTILINE)
_HEADER_DATE = re.compile(r",\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
_MOTTO = re.compile(r"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT N|ĐẢNG CỘNG SẢN VIỆT NAM")
_HEADER_WINDOW = 800  # characters from the issuing body to the place-date line
_GAP_AFTER_SIGNATURE = 3  # non-blank lines allowed between a signature and the next header


@dataclass(frozen=True)
class Signature:
    """A signature block: its title lines start at `start`, the signer's name ends at `end`."""

    start: int
    end: int
    title: str
    name: str


def is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def is_person_name(line: str) -> bool:
    """ "Cao Tiến Dũng", "Nguyễn Thị Bích Ngọc": 2-6 capitalised words, letters only."""
    words = line.split()
    if not 2 <= len(words) <= 6 or len(line) > 50:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


def _lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """(offset, stripped line) for each line of text[start:end]."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, text[pos:stop].strip()
        pos = stop + 1


def signatures(text: str, start: int = 0, end: int | None = None) -> list[Signature]:
    """Every signature block in text[start:end], in order.

    A block is a capitals line opening with a capacity or a title, then (after at most four lines
    of further titles, "(Đã ký)" notes or blanks) a line that is a person's name.
    """
    lines = list(_lines(text, start, end))
    found: list[Signature] = []
    i = 0
    while i < len(lines):
        pos, line = lines[i]
        if len(line) <= 120 and is_upper_line(line) and _SIGN_TITLE.match(line):
            titles = [line]
            for j in range(i + 1, min(i + 6, len(lines))):
                _, nxt = lines[j]
                if is_person_name(nxt):
                    npos = lines[j][0]
                    found.append(
                        Signature(pos, npos + len(text[npos:].split("\n", 1)[0]), " ".join(titles), nxt)
                    )
                    i = j
                    break
                if not nxt or _SIGN_FILLER.match(nxt):
                    continue
                if is_upper_line(nxt) and len(nxt) <= 80:
                    titles.append(nxt)
                    continue
                break
        i += 1
    return found


def header_at(text: str, pos: int) -> bool:
    """True when a document header (issuing body, number, place-date, motto) starts at `pos`."""
    nl = text.find("\n", pos)
    first = text[pos : nl if nl >= 0 else len(text)].strip()
    if not is_upper_line(first) or is_person_name(first) or _SIGN_TITLE.match(first):
        return False
    window = text[pos : pos + _HEADER_WINDOW]
    return bool(_HEADER_NUMBER.search(window) and _HEADER_DATE.search(window) and _MOTTO.search(window))


def _next_header(text: str, after: int) -> int | None:
    seen = 0
    for pos, line in _lines(text, after):
        if not line:
            continue
        if header_at(text, pos):
            return pos
        seen += 1
        if seen >= _GAP_AFTER_SIGNATURE:
            return None
    return None


def split_documents(clean: CleanText) -> list[tuple[int, int]]:
    """Spans [start, end) of clean.text, one per document the file carries, in order.

    One span covering the whole text when nothing is confidently a second document.
    """
    text = clean.text
    cuts: list[int] = []
    for sig in signatures(text):
        if cuts and sig.end <= cuts[-1]:
            continue
        start = _next_header(text, sig.end)
        if start is not None:
            cuts.append(start)
    bounds = [0, *cuts, len(text)]
    spans = []
    for a, b in pairwise(bounds):
        while b > a and text[b - 1] in " \n":
            b -= 1
        spans.append((a, b))
    return spans
