"""Assignment tables ("Phụ lục phân công nhiệm vụ"): header, rows, one assignment per row and agency.

Plans put most of their assignments in a table: STT | Nhiệm vụ | Sản phẩm | Thời gian hoàn thành |
Chủ trì | Phối hợp | Theo dõi. Whatever the file (a .docx or HTML table, Markdown pipes, text
copied out of a PDF one cell per line), the clean text holds such a table as one cell per line
(`ingest.clean` turns cell edges into line breaks and never joins two cells). So:

- the header is a run of consecutive cell lines that are column titles ("Nội dung", "Nhiệm vụ",
  "Cơ quan chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành", "Sản phẩm", "Theo dõi", "STT"),
  with at least a task column and a lead column;
- a row starts at a line that is a row number (1, 2, 1.1, a, or a Roman numeral for a group row)
  and holds the cells up to the next row number; a group row (a numeral and one title cell)
  names the rows under it;
- the cells of a row are matched to the columns in header order, by what they hold: an empty
  cell leaves no line, so a time ("Quý II/2026", "30/11/2025", "Thường xuyên") only fits the
  time column and a list of organisations only an agency column;
- each organisation of the lead cell gets the row as a "chu_tri" assignment, each of the
  cooperating cell a "phoi_hop" one (groups such as "các sở, ngành liên quan" are no
  assignees there); a monitoring column ("Theo dõi", "Đơn vị theo dõi") assigns nothing. The
  deadline is read from the time column; the row's span is the citation.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ingest.agencies import fold_text

# Column titles, on folded text of one cell line.
_COLUMNS = (
    ("stt", re.compile(r"^(?:s?tt|so tt|so thu tu)$")),
    ("monitor", re.compile(r"^(?:(?:co quan|don vi)\s+)?theo doi(?:\s+.*)?$|^lanh dao (?:ubnd )?(?:tinh )?phu trach.*$")),
    ("lead", re.compile(r"^(?:(?:co quan|don vi|cq)\s+)?chu tri(?:\s+(?:thuc hien|tham muu))?$|^don vi thuc hien$|^co quan thuc hien$")),
    ("partner", re.compile(r"^(?:(?:co quan|don vi|cq)\s+)?phoi hop(?:\s+thuc hien)?$")),
    ("time", re.compile(r"^(?:thoi gian|thoi han|tien do|moc thoi gian)(?:\s+(?:hoan thanh|thuc hien|trinh|trien khai|ban hanh))*(?:\s*\(.*\))?$")),
    ("product", re.compile(r"^(?:san pham|ket qua|hinh thuc)(?:\s+(?:du kien|dau ra|van ban|can dat))*(?:\s*\(.*\))?$")),
    ("task", re.compile(r"^(?:noi dung|nhiem vu|ten nhiem vu(?: du an| de an)?|chi tieu|nhiem vu du an|ten de an|noi dung (?:nhiem vu|cong viec|thuc hien|cong tac)|"
                        r"nhiem vu(?:,| va)? (?:giai phap|cu the)|cong viec|hoat dong|nhiem vu cu the)(?:\s+thuc hien)?$")),
    ("note", re.compile(r"^(?:ghi chu)$")),
)
_ROW_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}\.?|[IVXL]{1,6}\.?|[A-Z]\.?|[a-zđ]\))$")
_GROUP_TITLE = re.compile(r"^(?:[IVXL]{1,6}|[A-Z])\s*[.:\-–)]\s+(?=\w)")
_ROMAN = re.compile(r"^(?:[IVXL]{1,6}|[A-Z])\.?$")
_TIME = re.compile(
    r"^(?:(?:truoc|trong|tu|den|cham nhat|hoan thanh truoc)\s+)?(?:ngay\s+)?\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|"
    r"^(?:(?:truoc|trong|cham nhat)\s+)?(?:quy|thang|nam)\s+[ivx\d]|^(?:nam\s+)?\d{4}(?:\s*[-–]\s*\d{4})?\b|"
    r"^(?:thuong xuyen|hang nam|hang quy|hang thang|dinh ky|lien tuc|truoc ngay|trong nam|giai doan|ca nam)"
)
_GROUP_WORDS = re.compile(r"^(?:cac|co quan|don vi|dia phuong|lien quan|co lien quan|khac|va|thuoc|tinh|cap|ngành)$")
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Row:
    start: int  # from the row number to the end of its last cell, in the clean text
    end: int
    number: str
    cells: dict[str, Cell]  # column kind -> cell (only the columns this row fills)
    group: str | None  # the title of the group row above it


@dataclass(frozen=True)
class Table:
    start: int  # the header's first cell
    end: int  # the last row's end
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def line_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each non-blank line, its surrounding blanks left out."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            s = pos + (len(raw) - len(raw.lstrip()))
            out.append((s, s + len(stripped)))
        pos += len(raw) + 1
    return out


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraphs (runs of lines between blank lines), trimmed: the cells of a crawl's table."""
    out = []
    for m in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        out.append((m.start(), m.start() + len(m.group(0).rstrip())))
    return out


def column_kind(cell: str) -> str | None:
    """The column a header cell titles ("Cơ quan chủ trì" -> "lead"), or None."""
    f = re.sub(r"[^0-9a-z() ]+", " ", fold_text(cell)).strip()
    f = re.sub(r"\s+", " ", f)
    if len(f) > 60:
        return None
    for kind, pattern in _COLUMNS:
        if pattern.match(f):
            return kind
    return None


def is_time(cell: str) -> bool:
    return _TIME.match(fold_text(cell).strip()) is not None


def find_tables(text: str, is_agency_cell=None) -> list[Table]:  # type: ignore[no-untyped-def]
    """Every assignment table of `text` (see the module docstring). `is_agency_cell(text)` says
    whether a cell lists organisations (default: any cell that is neither a time nor long)."""
    tables: list[Table] = []
    for units in (_blocks(text), line_spans(text)):
        for table in _find(text, units, is_agency_cell):
            if not any(t.start < table.end and table.start < t.end for t in tables):
                tables.append(table)
    return sorted(tables, key=lambda t: t.start)


def _find(text: str, lines: list[tuple[int, int]], is_agency_cell) -> list[Table]:  # type: ignore[no-untyped-def]
    """Tables whose cells are `lines` (blank-line blocks in a crawl, lines in a .docx's rows)."""
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        kinds: list[str] = []
        j = i
        while j < len(lines):
            kind = column_kind(text[lines[j][0] : lines[j][1]])
            if kind is None or kind in kinds:
                break
            kinds.append(kind)
            j += 1
        if "task" in kinds and "lead" in kinds and len(kinds) >= 3:
            table, j = _read_rows(text, lines, i, j, tuple(kinds), is_agency_cell)
            if table.rows:
                tables.append(table)
            i = max(j, i + 1)
        else:
            i += 1
    return tables


def _read_rows(text: str, lines: list[tuple[int, int]], head: int, first: int, columns: tuple[str, ...],
               is_agency_cell) -> tuple[Table, int]:  # type: ignore[no-untyped-def]
    """Rows from lines[first:] until a line that cannot continue the table."""
    data_cols = [c for c in columns if c != "stt"]
    rows: list[Row] = []
    group: str | None = None
    k = first
    has_numbers = "stt" in columns or (first < len(lines) and _ROW_NUMBER.match(text[lines[first][0] : lines[first][1]]) is not None)
    while k < len(lines):
        s, e = lines[k]
        cell = text[s:e]
        if not any(ch.isalnum() for ch in cell):
            k += 1  # a rule of dots or dashes between rows
            continue
        if column_kind(cell) is not None:
            # The header repeated (a new page, a new part): skip it, keep reading rows.
            again = k
            while again < len(lines) and column_kind(text[lines[again][0] : lines[again][1]]) is not None:
                again += 1
            if again - k < 3:
                break
            k = again
            continue
        titled = _GROUP_TITLE.match(cell)
        if titled:
            group = " ".join(cell[titled.end() :].split())  # "I. Kinh tế số": a group row in one cell
            k += 1
            continue
        if has_numbers and not _ROW_NUMBER.match(cell):
            break
        start = k
        k += 1 if has_numbers else 0
        cells: list[Cell] = []
        while k < len(lines) and len(cells) < len(data_cols):
            cs, ce = lines[k]
            c = text[cs:ce]
            if has_numbers and _ROW_NUMBER.match(c) and cells:
                break
            if column_kind(c) is not None:
                break
            cells.append(Cell(cs, ce, c))
            k += 1
        if not cells:
            break
        number = cell if has_numbers else str(len(rows) + 1)
        if len(cells) == 1 and (not has_numbers or _ROMAN.match(number) or cells[0].text.isupper()):
            group = " ".join(cells[0].text.split())  # a group row: "I | KIỆN TOÀN ... CƠ CHẾ CHỈ ĐẠO"
            continue
        matched = _align(cells, data_cols, is_agency_cell)
        if "task" not in matched:
            break
        rows.append(Row(lines[start][0], cells[-1].end, number, matched, group))
    end = rows[-1].end if rows else lines[first - 1][1]
    return Table(lines[head][0], end, columns, tuple(rows)), k


def _align(cells: list[Cell], columns: list[str], is_agency_cell) -> dict[str, Cell]:  # type: ignore[no-untyped-def]
    """Cells to columns in order; a cell skips the columns it cannot fill (their cells were empty)."""
    agency = is_agency_cell or (lambda c: not is_time(c) and len(c) < 200)
    out: dict[str, Cell] = {}
    if len(cells) == len(columns):
        return dict(zip(columns, cells))
    col = 0
    for n, cell in enumerate(cells):
        remaining = len(cells) - n
        while col < len(columns):
            kind = columns[col]
            fits = {
                "task": True,
                "time": is_time(cell.text),
                "lead": agency(cell.text), "partner": agency(cell.text), "monitor": agency(cell.text),
                "product": not is_time(cell.text) and not agency(cell.text),
                "note": True,
            }[kind]
            # Never leave fewer columns than cells: a cell fits the last columns whatever it holds.
            if fits or len(columns) - col <= remaining:
                out[kind] = cell
                col += 1
                break
            col += 1
    return out


def cell_deadline(cell: str, year: int | None) -> str | None:
    """The last day a time cell allows ("Quý II/2026" -> 2026-06-30, "30/11/2025", "Tháng 12/2025",
    "Năm 2025" -> 2025-12-31); None for a recurring or open time ("Thường xuyên", "2026 - 2030")."""
    f = fold_text(cell).strip()
    m = re.search(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", f)
    if m:
        return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.search(r"quy\s+(iv|i{1,3}|[1-4])(?:\s*(?:/|nam)\s*(\d{4}))?", f)
    if m and (m.group(2) or year):
        q = _ROMAN_Q.get(m.group(1)) or int(m.group(1))
        y = int(m.group(2)) if m.group(2) else year
        assert y is not None
        return _iso(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
    m = re.search(r"thang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?", f)
    if m and (m.group(2) or year) and 1 <= int(m.group(1)) <= 12:
        y = int(m.group(2)) if m.group(2) else year
        assert y is not None
        return _iso(y, int(m.group(1)), calendar.monthrange(y, int(m.group(1)))[1])
    m = re.fullmatch(r"(?:(?:trong |truoc |cuoi )?nam\s+)?(\d{4})", f)
    if m:
        return _iso(int(m.group(1)), 12, 31)
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
