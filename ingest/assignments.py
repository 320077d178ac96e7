"""Who must do what, by when: the assignments of a directive, read from its text.

For every paragraph (a line of the clean text) and every sentence in it:

- An agency is *assigned* when it is the subject of the sentence: named at its start ("Sở Nội
  vụ chủ trì, ..."), possibly after a title ("Giám đốc", "Chủ tịch"), or right after "giao",
  "yêu cầu", "đề nghị" ("UBND tỉnh giao Sở Y tế chủ trì ..."); a list of names joined by commas
  and "và" shares the sentence ("Công an tỉnh, UBND các huyện, thành phố tăng cường ...").
- An agency named only in a heading owns everything under it ("7. Sở Y tế:" then bullets; "2.
  Giao Sở Kế hoạch và Đầu tư" then bullets); so does a paragraph ending in a colon that names
  its addressees ("UBND tỉnh yêu cầu Thủ trưởng các Sở, ...: ") for the paragraphs and sections
  after it. The nearest owner wins: sentence, then section headings, then such paragraphs.
- The role is "chu_tri" when the assignee "chủ trì", "phoi_hop" when its task is to "phối hợp",
  "collective" for addressees such as "các sở, ban, ngành" or "UBND các huyện, thành phố", and
  "giao" otherwise. Agencies named after "phối hợp với" get the same task as "phoi_hop"
  (collective partners are not assignees).
- The deadline is the date after "trước ngày", "chậm nhất", "hạn chót", "trong tháng" ... as an
  ISO date (the last day for a month or quarter); recurring terms ("hằng tháng") only as text.
- `reports_to` is the body named after "báo cáo" (Thường trực UBND tỉnh, Ban Thường vụ Tỉnh ủy...).

Offsets are in the document's clean text; `Document.text.to_original` maps them to the file.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.agencies import AgencyTable, Mention, fold_text, name_tokens, table
from ingest.model import Chunk, Document, Section
from ingest.organisations import Finder
from ingest.sections import parse_sections
from ingest.tables import Row, cell_deadline, find_tables, line_spans

ASSIGNMENTS_VERSION = "5"  # 5: agencies an owner directs ("Chỉ đạo X ...") are assigned too; names keep their two-syllable nouns
ROLES = ("chu_tri", "phoi_hop", "giao", "collective")
_NOT_CONTENT = ("recipients", "address", "signature")
_DEBUG = False


@dataclass(frozen=True)
class Assignment:
    doc_id: str
    chunk_id: str | None
    section_path: tuple[str, ...]
    agency: str  # canonical name (ingest/data/agencies.json)
    agency_text: str  # as written in this document
    role: str  # chu_tri | phoi_hop | giao | collective
    task: str  # the sentence(s) of the task, verbatim from the clean text
    deadline: str | None  # ISO date
    deadline_text: str | None  # as written: "trước ngày 15/8/2020", "hằng tháng"
    reports_to: str | None
    start: int  # span of `task` in the document's clean text
    end: int


# A heading or bullet marker at the start of a line (the kinds ingest.sections recognises).
_MARKER = re.compile(
    r"^(?:(?:Phần|Chương|Mục|Điều)\s+\S+\s*[.:]?|\d{1,2}(?:\.\d{1,2})+\.?|[IVXL]{1,6}\s?[.\-–):]"
    r"|\d{1,3}\s?[.\-–)]|[a-zđ]\s?[).]|[-+•–*])\s+"
)
# Sentence (clause) boundaries inside a paragraph: ". " or "; " before the next words.
_CLAUSE = re.compile(r"(?<=[.;!?])\s+(?=\S)")
_TRIGGERS = (("giao",), ("yeu", "cau"), ("de", "nghi"), ("khuyen", "khich"), ("chi", "dao"), ("trach", "nhiem", "cua"),
             ("nhiem", "vu", "cua"), ("nhiem", "vu", "va", "quyen", "han", "cua"))
# What may follow the names in a heading that addresses them: "11. Các đơn vị cấp nước sạch trên
# địa bàn thành phố có trách nhiệm", "Sở X có trách nhiệm thực hiện các nhiệm vụ sau:".
_OWNING_TAIL = re.compile(
    r"^(?:(?:tren dia ban|thuoc|cua|tai)\b[^,;:]{0,40}?\s)?(?:(?:co|chiu) trach nhiem|co nhiem vu|thuc hien)"
    r"(?: (?:chu tri|phoi hop|thuc hien|cac nhiem vu sau|nhung nhiem vu sau|cac noi dung sau|nhu sau))*$"
)
# A numbered heading that is only a description of its addressees ("7. Các doanh nghiệp hoạt động
# trong lĩnh vực xây dựng, giao thông ... trên địa bàn tỉnh").
_PREDICATE_IN = re.compile(r"\b(?:chu tri|phoi hop|trien khai|thuc hien|tham muu|huong dan|bao cao|kiem tra)\b")
_DESCRIBING_TAIL = re.compile(r"^(?:hoat dong\s+)?(?:trong (?:linh vuc|nganh)|tren dia ban|thuoc|tai|o|co|la)\b[^.;:]*$")
_LIST_WORDS = frozenset({"va", "cung", "cac"})
# Words after which a body named near "báo cáo" is the one reported to ("về", "cho", "trình",
# "đề xuất", "tại Phiên họp"): "Báo cáo tổng kết ... của Tỉnh ủy" names a report, not a recipient.
_TO_WORDS = frozenset({"ve", "cho", "len", "trinh", "voi", "xuat", "hop", "cao"})
# Closing formulas and bylines are no tasks: "Thông báo đến các cơ quan ... biết, thực hiện./."
_CLOSING = re.compile(r"biet,? (?:va )?(?:de )?thuc hien|^thong bao (?:den|de)|^tren day la|^noi nhan")
_MIN_TASK_WORDS = 5
_MIN_LEAD_IN_TASK_WORDS = 12
# How a task opens when it is written as an order: "Chỉ đạo ...", "Tiếp tục triển khai ...".
_IMPERATIVE = re.compile(
    r"^(?:tiep tuc |khan truong |chu dong )?(?:chi dao|trien khai|thuc hien|to chuc|xay dung|tham muu|huong dan"
    r"|kiem tra|tang cuong|day manh|ra soat|theo doi|don doc)\b")
_PARTNER_LEAD = re.compile(r"phoi hop(?: chat che)?(?: voi)?\s*$")
# "Chỉ đạo X ...": X carries the task out; not "xin ý kiến chỉ đạo X" nor a portfolio ("theo dõi và
# chỉ đạo Bộ Ngoại giao, Bộ Nội vụ ...": whom a leader oversees).
_DIRECTED_LEAD = re.compile(r"(?<!y kien )(?<!theo doi va )(?<!theo doi, )\bchi dao(?: cac)?(?: don vi)?\s*$")
_NAME_TAIL = frozenset({"cap", "tinh", "lien", "quan", "co", "khac", "thuoc", "truc", "huyen", "xa"})
# What follows a name when the sentence reports or replies rather than assigns: "Sở Y tế đã tổ
# chức ...", "Cục Thuế nhận được công văn ...", "Cục Hải quan trả lời như sau:".
_REPORTING = re.compile(r"(?:da|dang|duoc(?! giao)|nhan duoc|tra loi|co y kien|co cong van|xin|kinh gui|ban hanh|bao cao ve)\b")

# Deadlines, matched on folded lower-case text (same offsets as the clean text).
_DAY = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}))?|(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*(?:nam|/)\s*(\d{4}))?"
_BEFORE = r"(?:truoc|cham nhat(?: la)?|han chot(?: la)?|khong qua|khong muon hon|den het|xong trong|trong)"
_DEADLINE_DAY = re.compile(rf"\b{_BEFORE}\s+(?:ngay\s+)?(?:{_DAY})")
_DEADLINE_MONTH = re.compile(rf"\b{_BEFORE}\s+thang\s+(\d{{1,2}})(?:\s*(?:nam|/)\s*(\d{{4}}))?")
_DEADLINE_QUARTER = re.compile(rf"\b{_BEFORE}\s+quy\s+(iv|i{{1,3}}|[1-4])(?:\s*(?:nam|/)\s*(\d{{4}}))?\b")
_RECURRING = re.compile(r"\b(?:dinh ky\s+)?hang\s+(?:ngay|tuan|thang|quy|nam)\b|\bdinh ky\s+\d+\s+thang\b")
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass
class _Owner:
    mentions: tuple[Mention, ...]
    role: str | None  # a role the heading fixes ("... phối hợp chặt chẽ với ...:"), else per task


class _Doc:
    """Per-document lookups: tokens, mentions and sections, computed once."""

    def __init__(self, doc: Document, agencies: AgencyTable) -> None:
        self.doc = doc
        self.text = doc.text.text
        self.folded = fold_text(self.text)
        self.agencies = agencies
        self.tokens = name_tokens(self.text)
        self.finder = Finder(agencies, doc.meta.date)
        self.mentions = self.finder.find(self.text)
        every = parse_sections(self.text)
        self.sections = [s for s in every if s.keys[0] not in _NOT_CONTENT]
        self.skip = [(s.start, s.end) for s in every if s.keys[0] in _NOT_CONTENT]
        self.year = int(doc.meta.date[:4]) if doc.meta.date else None
        self._title_seqs = agencies.titles
        self._token_starts = [t[0] for t in self.tokens]
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_start_set = set(self._mention_starts)
        self._bodies = sorted(((tuple(t for _, _, t in name_tokens(x)), x) for x in agencies.report_bodies),
                              key=lambda x: len(x[0]), reverse=True)
        self._tree()

    def is_agency_cell(self, cell: str) -> bool:
        """A table cell that lists organisations ("Bộ CHQS tỉnh; UBND cấp xã", "Cơ quan, địa
        phương liên quan"): once the names are taken out, only separators and group words remain."""
        rest = cell
        for m in sorted(self.finder.find(cell), key=lambda m: m.start, reverse=True):
            rest = rest[: m.start] + " " + rest[m.end :]
        words = re.findall(r"[a-z0-9]+", fold_text(rest))
        filler = {"cac", "co", "quan", "don", "vi", "dia", "phuong", "lien", "va", "khac", "thuoc", "tinh", "cap",
                  "nganh", "so", "ban", "chu", "tri", "phoi", "hop", "huong", "dan", "tong"}
        return len(words) - sum(w in filler for w in words) <= 2 and len(words) < len(fold_text(cell).split()) + 1 and (
            len(rest.strip(" ,;.")) < len(cell.strip()) or all(w in filler for w in words))

    def tokens_in(self, a: int, b: int) -> list[tuple[int, int, str]]:
        i = bisect.bisect_left(self._token_starts, a)
        j = bisect.bisect_left(self._token_starts, b)
        return [t for t in self.tokens[i:j] if t[1] <= b]

    def mentions_in(self, a: int, b: int) -> list[Mention]:
        i = bisect.bisect_left(self._mention_starts, a)
        j = bisect.bisect_left(self._mention_starts, b)
        return [m for m in self.mentions[i:j] if m.end <= b]

    def _tree(self) -> None:
        """Parents of the (nested, pre-ordered) sections, in one sweep."""
        self.parent: dict[int, Section | None] = {}
        self.parents: set[int] = set()
        stack: list[Section] = []
        for s in self.sections:
            while stack and not (stack[-1].start <= s.start < stack[-1].end):
                stack.pop()
            self.parent[id(s)] = stack[-1] if stack else None
            if stack:
                self.parents.add(id(stack[-1]))
            stack.append(s)

    def innermost_of(self, positions: Sequence[int]) -> list[Section | None]:
        """The deepest section holding each position (positions ascending)."""
        out: list[Section | None] = []
        stack: list[Section] = []
        k = 0
        for pos in positions:
            while k < len(self.sections) and self.sections[k].start <= pos:
                s = self.sections[k]
                while stack and not (stack[-1].start <= s.start < stack[-1].end):
                    stack.pop()
                stack.append(s)
                k += 1
            while stack and not (stack[-1].start <= pos < stack[-1].end):
                stack.pop()
            out.append(stack[-1] if stack else None)
        return out

    def parent_of(self, sec: Section) -> Section | None:
        return self.parent.get(id(sec))

    def has_children(self, sec: Section) -> bool:
        return id(sec) in self.parents

    # ---- subjects -------------------------------------------------------------------------
    def _skip_titles(self, toks: list[tuple[int, int, str]], i: int) -> int:
        """Past titles ("Giám đốc", "Chủ tịch"), never into a name ("Văn phòng UBND tỉnh" after
        "Chánh": the title "Chánh Văn phòng" would swallow it)."""
        words = [t[2] for t in toks]
        moved = True
        while moved and i < len(toks):
            moved = False
            if toks[i][0] in self._mention_start_set:
                break
            for seq in self._title_seqs:
                if tuple(words[i : i + len(seq)]) == seq:
                    inner = [k for k in range(1, len(seq)) if toks[i + k][0] in self._mention_start_set]
                    i += inner[0] if inner else len(seq)
                    moved = True
                    break
        return i

    def subjects(self, a: int, b: int) -> tuple[list[Mention], int, bool]:
        """The assignees of the clause [a, b), where their names end (b if none), and whether a
        directive verb ("giao", "yêu cầu", "đề nghị") introduced them."""
        toks = self.tokens_in(a, b)
        mentions = {m.start: m for m in self.mentions_in(a, b)}
        words = [t[2] for t in toks]
        starts: list[int] = []
        triggered: set[int] = set()
        for j in range(len(toks)):
            for trig in _TRIGGERS:
                if trig == ("chi", "dao") and not re.search(r"thuc hien\W*$", self.folded[a:b]):
                    continue  # "Chỉ đạo X thực hiện": X does what follows; "chỉ đạo X phối hợp ..." is one's own task
                if tuple(words[j : j + len(trig)]) == trig:
                    k = self._skip_titles(toks, j + len(trig))
                    if k < len(toks) and toks[k][0] in mentions and k not in starts:
                        starts.append(k)
                        triggered.add(k)
        i = self._skip_titles(toks, 0)
        if i < len(toks) and toks[i][0] in mentions and i not in starts and not mentions[toks[i][0]].weak:
            starts.append(i)
        if not starts:
            return [], b, False
        found: list[Mention] = []
        end = a
        for k in sorted(starts):
            m = mentions[toks[k][0]]
            if any(m is f for f in found):
                continue
            chain = [m]
            while True:
                idx = next((n for n, t in enumerate(toks) if t[0] >= chain[-1].end), len(toks))
                if idx >= len(toks):
                    break
                gap = self.text[chain[-1].end : toks[idx][0]]
                n = idx
                while n < len(toks) and words[n] in _LIST_WORDS:
                    n += 1
                n = self._skip_titles(toks, n)
                if n < len(toks) and toks[n][0] in mentions and set(gap.strip()) <= set(",;&/-"):
                    chain.append(mentions[toks[n][0]])
                    continue
                break
            if chain[-1].end < b and self._reporting(chain[-1].end, b):
                continue
            found += chain
            end = max(end, chain[-1].end)
        if not found:
            return [], b, False
        return found, end, bool(triggered)

    def _reporting(self, pos: int, b: int) -> bool:
        return _REPORTING.match(self.folded[pos:b].lstrip(" ,:")) is not None

    def role_after(self, pos: int, b: int) -> str | None:
        """chu_tri / phoi_hop when the words after `pos` say so ("chủ trì, phối hợp ...")."""
        rest = self.folded[pos:b]
        rest = re.sub(r"^[\s,:]*(?:\([^)]*\)[\s,:]*)?", "", rest)
        rest = re.sub(r"^(?:tiep tuc|truc tiep|khan truong|chu dong|(?:co|chiu) trach nhiem)\s+", "", rest)
        if rest.startswith("chu tri"):
            return "chu_tri"
        if rest.startswith("phoi hop"):
            return "phoi_hop"
        return None

    def partners(self, a: int, b: int, owners: Sequence[Mention]) -> list[Mention]:
        """Agencies named after "phối hợp (chặt chẽ) với" in [a, b). Groups of departments are
        left out ("phối hợp với các sở, ngành" assigns no one); local governments as a whole are
        not ("phối hợp với Ủy ban nhân dân các xã, phường": the communes cooperate)."""
        return self._named_after(_PARTNER_LEAD, a, b, owners)

    def directed(self, a: int, b: int, owners: Sequence[Mention]) -> list[Mention]:
        """Agencies the owner is to direct in [a, b): "Chỉ đạo Cổng thông tin điện tử Nghệ An thực
        hiện quản lý ...", "chỉ đạo các đơn vị chủ rừng phối hợp ...": they carry the task out."""
        return self._named_after(_DIRECTED_LEAD, a, b, owners)

    def _named_after(self, lead_words: re.Pattern[str], a: int, b: int, owners: Sequence[Mention]) -> list[Mention]:
        """Agencies in [a, b) right after `lead_words` (folded, anchored at the end), and the
        names listed after them, other than `owners` and groups of departments."""
        out: list[Mention] = []
        prev: Mention | None = None
        for m in self.mentions_in(a, b):
            before = self.folded[max(a, m.start - 40) : m.start]
            lead = lead_words.search(before)
            chained = prev is not None and re.fullmatch(r"\s*(?:,|;|&|va|,\s*va)?\s*(?:cac\s+)?", self.folded[prev.end : m.start])
            if lead or chained:
                prev = m
                local = m.agency.collective and m.agency.covers in ("communes", "districts")
                if (not m.agency.collective or local) and all(o.name != m.name for o in owners):
                    out.append(m)
            else:
                prev = None
        return out

    # ---- deadline, reporting body ---------------------------------------------------------
    def deadline(self, a: int, b: int) -> tuple[str | None, str | None]:
        f = self.folded[a:b]
        found: list[tuple[int, int, str | None]] = []
        for m in _DEADLINE_DAY.finditer(f):
            g = m.groups()
            day, month, year = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5])
            iso = _iso(int(year) if year else self.year, int(month), int(day))
            if iso:
                found.append((m.start(), m.end(), iso))
        for m in _DEADLINE_MONTH.finditer(f):
            year = int(m.group(2)) if m.group(2) else self.year
            month = int(m.group(1))
            if year and 1 <= month <= 12:
                found.append((m.start(), m.end(), _iso(year, month, calendar.monthrange(year, month)[1])))
        for m in _DEADLINE_QUARTER.finditer(f):
            q = _ROMAN_Q.get(m.group(1)) or int(m.group(1))
            year = int(m.group(2)) if m.group(2) else self.year
            if year:
                month = 3 * q
                found.append((m.start(), m.end(), _iso(year, month, calendar.monthrange(year, month)[1])))
        if found:
            s, e, iso = min(found)
            return iso, self.text[a + s : a + e]
        rec = _RECURRING.search(f)
        if rec:
            return None, self.text[a + rec.start() : a + rec.end()]
        return None, None

    def reports_to(self, a: int, b: int) -> str | None:
        f = self.folded[a:b]
        bodies = self._bodies
        for m in re.finditer(r"bao cao", f):
            stop = re.search(r"[.;]\s", f[m.end() :])
            window_end = a + m.end() + (stop.start() if stop else len(f) - m.end())
            toks = self.tokens_in(a + m.end(), min(window_end, a + m.end() + 160))
            words = ["cao"] + [t[2] for t in toks]  # "báo cáo Thường trực ..." counts as "to"
            for i in range(1, len(words)):
                if words[i - 1] not in _TO_WORDS:
                    continue
                for seq, name in bodies:
                    if tuple(words[i : i + len(seq)]) == seq:
                        return name
        return None


def _iso(year: int | None, month: int, day: int) -> str | None:
    if not year:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _clauses(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    s = a
    for m in _CLAUSE.finditer(text, a, b):
        out.append((s, m.start()))
        s = m.end()
    out.append((s, b))
    return [(x, y) for x, y in out if y > x]


def _reads_as_task(folded: str) -> bool:
    """A long line that opens as an order: not "Nhiệm vụ cụ thể như sau:", nor "Chủ trì, phối
    hợp với các sở, ngành ...:" (a role), nor a form's "Yêu cầu, điều kiện ... (nếu có):"."""
    return len(re.findall(r"[a-z0-9]+", folded)) >= _MIN_LEAD_IN_TASK_WORDS and _IMPERATIVE.match(folded) is not None


def _is_title_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def extract_assignments(doc: Document, chunks: Sequence[Chunk] = (), agencies: AgencyTable | None = None) -> tuple[Assignment, ...]:
    """Every assignment in `doc`, in text order (see the module docstring for the rules)."""
    d = _Doc(doc, agencies or table())
    text = d.text
    section_owner: dict[tuple[str, ...], _Owner | None] = {}
    para_owner: dict[tuple[str, ...], _Owner] = {}  # level (section keys, () = top) -> owner
    lead_in: dict[tuple[str, ...], tuple[int, int]] = {}  # a heading naming only its owner: its text span
    own_chunks = sorted((c for c in chunks if c.doc_id == doc.id), key=lambda c: c.start)
    out: list[Assignment] = []
    seen: set[tuple[str, int, int]] = set()

    def inherited(sec: Section | None) -> _Owner | None:
        node = sec
        while node is not None:
            # A paragraph naming addressees inside a section ("Đề nghị X, Y" after "2.9. ...") is
            # nearer than the section's own heading.
            if node.keys in para_owner:
                return para_owner[node.keys]
            owner = section_owner.get(node.keys)
            if owner is not None:
                return owner
            node = d.parent_of(node)
        return para_owner.get(())

    def emit_span(mentions: Sequence[Mention], role_fixed: str | None, a: int, b: int, sec: Section | None,
                  lead: int | None = None) -> None:
        a, b = _strip_span(text, a, b)
        if b <= a:
            return
        shown = a if lead is None else lead  # the task as shown: from the heading's words
        deadline, deadline_text = d.deadline(a, b)
        reports = d.reports_to(a, b)
        chunk_id = next((c.chunk_id for c in own_chunks if c.start <= a < c.end), None) or next(
            (c.chunk_id for c in own_chunks if c.start < b and a < c.end), None)  # a heading line the chunk leaves out
        path = sec.path if sec else ()
        start_role = d.role_after(a, b)
        assigned = [(m, "collective" if m.agency.collective else (role_fixed or start_role or "giao")) for m in mentions]
        assigned += [(m, "phoi_hop") for m in d.partners(a, b, mentions)]
        assigned += [(m, "giao") for m in d.directed(a, b, mentions)]
        for m, role in assigned:
            key = (m.name, a, b)
            if key in seen:
                continue
            seen.add(key)
            out.append(Assignment(doc.id, chunk_id, path, m.name, text[m.start : m.end], role, text[shown:b],
                                  deadline, deadline_text, reports, shown, b))

    def emit_row(row: Row, sec: Section | None) -> None:
        """One assignment per organisation of the lead and cooperating cells of a table row."""
        path = (sec.path if sec else ()) + ((row.group,) if row.group else ())
        time = row.cells.get("time")
        deadline = cell_deadline(time.text, d.year) if time else None
        chunk_id = next((c.chunk_id for c in own_chunks if c.start <= row.start < c.end), None)
        for column, role in (("lead", "chu_tri"), ("partner", "phoi_hop")):
            cell = row.cells.get(column)
            if cell is None:
                continue
            for m in d.mentions_in(cell.start, cell.end):
                if m.agency.collective and role == "phoi_hop":
                    continue  # "các sở, ngành liên quan" cooperate; no one is assigned by it
                key = (m.name, row.start, row.end)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Assignment(doc.id, chunk_id, path, m.name, text[m.start : m.end],
                                      "collective" if m.agency.collective else role, text[row.start : row.end],
                                      deadline, " ".join(time.text.split()) if time else None, None, row.start, row.end))

    def emit_block(block: _FieldBlock) -> None:
        """A task followed by labelled fields ("Đơn vị chủ trì: Sở Nội vụ." / "Đơn vị phối hợp:
        Sở Tư pháp." / "Thời gian thực hiện: Quý II/2026"): like one row of a table."""
        deadline = cell_deadline(block.time, d.year) if block.time else None
        chunk_id = next((c.chunk_id for c in own_chunks if c.start <= block.start < c.end), None)
        for (a, b), role in ((block.lead, "chu_tri"), (block.partner, "phoi_hop")):
            for m in d.mentions_in(a, b):
                if m.agency.collective and role == "phoi_hop":
                    continue
                key = (m.name, block.start, block.end)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Assignment(doc.id, chunk_id, block.path, m.name, text[m.start : m.end],
                                      "collective" if m.agency.collective else role, text[block.start : block.end],
                                      deadline, block.time, None, block.start, block.end))

    tables = find_tables(text, d.is_agency_cell)
    for table_ in tables:
        rows = table_.rows
        for row, sec in zip(rows, d.innermost_of([r.start for r in rows])):
            emit_row(row, sec)
    fields = _field_blocks(text, [ls for ls, _ in line_spans(text)], d)
    for block in fields:
        emit_block(block)
    skip = d.skip + [(t.start, t.end) for t in tables] + [(b.start, b.end) for b in fields]
    lines = line_spans(text)
    for (ls, le), sec in zip(lines, d.innermost_of([ls for ls, _ in lines])):
        if any(s <= ls < e for s, e in skip):
            continue
        is_heading = sec is not None and sec.start == ls
        line = text[ls:le]
        mk = _MARKER.match(line) if (is_heading or line[:1] in "-+•–*") else None
        cs = ls + (mk.end() if mk else 0)
        clauses = _clauses(text, cs, le)
        first_subjects, first_end, directive = d.subjects(*clauses[0])
        colon = text.find(":", cs, le)
        body_after_colon = colon >= 0 and text[colon + 1 : le].strip() != ""
        ends_colon = line.rstrip().endswith(":")
        has_children = is_heading and sec is not None and d.has_children(sec)
        remainder = text[first_end:le].strip(" :,.") if first_subjects else ""
        heading_only = False
        if _DEBUG: print("LINE", ls, is_heading, repr(line[:50]), sec.keys if sec else None)
        # A heading names its owners when a directive verb introduces them or nothing but a role
        # or the rest of a proper name stands between the names and the colon ("7. Sở Y tế:",
        # "14. Công an tỉnh, ... phối hợp chặt chẽ với ...:", "2. Ban Quản lý Khu kinh tế Đông
        # Nam"); "Cục Thuế có ý kiến như sau:" owns nothing.
        to_colon = text[first_end : colon if colon > first_end else le].strip(" ,.:")
        tail = to_colon.split()  # "... Đông Nam", "Các sở, ban, ngành cấp tỉnh"
        name_tail = len(tail) <= 4 and all(w[:1].isupper() or fold_text(w) in _NAME_TAIL for w in tail)
        describing = (is_heading and _DESCRIBING_TAIL.match(fold_text(to_colon)) is not None
                      and not _PREDICATE_IN.search(fold_text(to_colon)))
        owning = (directive or name_tail or d.role_after(first_end, le) is not None
                  or _OWNING_TAIL.match(fold_text(to_colon)) is not None or describing)
        if first_subjects and owning:
            head_owner = _Owner(tuple(first_subjects), d.role_after(first_end, le))
            if is_heading and sec is not None:
                section_owner[sec.keys] = head_owner
                # "2. Giao Sở Kế hoạch và Đầu tư" over bullets, "2. Ban Quản lý Khu kinh tế Đông Nam" over
                # paragraphs: a name, not a task. A short bullet alone ("- Sở Y tế chủ trì.") is one.
                more = has_children or text[le : sec.end].strip() != ""
                heading_only = not body_after_colon and (ends_colon or (more and (len(remainder) < 40 or describing)))
                if heading_only:
                    lead_in[sec.keys] = (cs, le)
            elif ends_colon:
                para_owner[sec.keys if sec else ()] = head_owner
                heading_only = not body_after_colon
            elif directive and len(remainder.split()) <= 3 and not line.rstrip().endswith((".", ";")):
                # "Đề nghị Viện kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh" on a line of its own
                # addresses what follows, like a heading.
                para_owner[sec.keys if sec else ()] = head_owner
                heading_only = True
        if _DEBUG: print("   subj", [m.name for m in first_subjects], owning, heading_only, repr(to_colon[:40]))
        # A line ending in a colon introduces what follows; it is a task of its own when it names
        # no one, has an owner above it and reads as one ("a) Chỉ đạo các ngân hàng thương mại ...
        # phối hợp với Sở Y tế triển khai thực hiện tốt Kế hoạch ..., cụ thể như sau:").
        introduces = ends_colon and (is_heading or not body_after_colon)
        owner_above = inherited(sec) if introduces and not first_subjects else None
        own_task = owner_above is not None and _reads_as_task(d.folded[cs:le])
        if (not first_subjects or not owning) and (_is_title_line(line) or introduces) and not own_task:
            # "Chủ trì, phối hợp với các sở, ngành ...:" gives the owner above it its role in the tasks after it.
            role = d.role_after(cs, le) if owner_above is not None else None
            if owner_above is not None and role is not None:
                para_owner[sec.keys if sec else ()] = _Owner(owner_above.mentions, role)
            continue
        if heading_only or _CLOSING.search(d.folded[cs:le]) or len(re.findall(r"[a-z0-9]+", d.folded[cs:le])) < _MIN_TASK_WORDS:
            continue
        # Runs of clauses: a clause naming its own assignees starts a new run.
        # The role: what follows the assignees' names ("... chủ trì, phối hợp"), else what the
        # owning heading says, else how the task itself opens ("Chủ trì, phối hợp với ...").
        if first_subjects:
            current: _Owner | None = _Owner(tuple(first_subjects), d.role_after(first_end, le))
        else:
            current = inherited(sec)
        fixed = current.role if current is not None else None
        run_start = cs
        # The first paragraph under a heading that only names its owner continues the heading's
        # sentence ("2.9. Đề nghị Liên đoàn Lao động tỉnh" / "Chủ trì, phối hợp ..."): the task
        # reads from the heading's words.
        head = lead_in.get(sec.keys) if sec is not None and not is_heading and not first_subjects else None
        lead_start = None
        if head is not None and sec is not None and text[head[1] : ls].strip() == "" and current is section_owner.get(sec.keys):
            lead_start = head[0]
        runs: list[tuple[_Owner | None, str | None, int, int]] = []
        for n, (a, b) in enumerate(clauses):
            subj, subj_end, _ = (first_subjects, first_end, directive) if n == 0 else d.subjects(a, b)
            if n > 0 and subj:
                runs.append((current, fixed, run_start, a))
                new_owner = _Owner(tuple(subj), d.role_after(subj_end, b))
                current, fixed, run_start = new_owner, new_owner.role, a
        runs.append((current, fixed, run_start, le))
        for n, (owner, role_fixed, a, b) in enumerate(runs):
            if owner is None:
                continue
            emit_span(owner.mentions, role_fixed, a, b, sec, lead_start if n == 0 else None)
    out.sort(key=lambda x: (x.start, x.role != "collective", x.agency))
    return tuple(out)


# A field line may be a bullet or an item of its own ("- Đơn vị chủ trì: Công an Thành phố.",
# "c) Thời gian thực hiện: Thực hiện thường xuyên.").
_BULLET = r"(?:[-+*\u2022\u2013]\s*|[a-z0-9]{1,2}[.)]\s+)?"
_FIELD = re.compile(
    _BULLET + r"(?:don vi|co quan)\s+(?:(?P<lead>chu tri(?: tham muu)?(?: thuc hien)?|thuc hien)|"
    r"(?P<partner>phoi hop(?: thuc hien)?))\s*:\s*(?=\S)"
)
_TIME_FIELD = re.compile(_BULLET + r"(?:thoi gian|thoi han|tien do)(?: thuc hien| hoan thanh)?\s*:\s*(?=\S)")
# The card of an administrative procedure (thủ tục hành chính) also says "Cơ quan thực hiện: Sở X";
# it describes who handles the procedure, not a task a directive assigns.
_PROCEDURE = re.compile(
    r"\b(?:co quan co tham quyen quyet dinh|trinh tu thuc hien|cach thuc thuc hien|thanh phan,? so luong ho so"
    r"|doi tuong thuc hien thu tuc|co quan tiep nhan(?: ho so)? va tra ket qua)\b"
)
# A sub-item that only holds the fields of its sibling task items: "b) Cơ quan thực hiện:" after
# "a) Nhiệm vụ: - ... - ...", then "c) Thời gian thực hiện: ...".
# Only that label: "IV. Tổ chức thực hiện" or "Phân công thực hiện" head whole parts of a plan.
_FIELDS_HEADING = re.compile(
    r"(?:[a-z0-9]{1,3}[.)]\s*)?(?:co quan|don vi)(?: chu tri)?,?(?: (?:co quan|don vi))? (?:thuc hien|phoi hop)\s*:?\s*$"
)


def is_field(folded: str) -> bool:
    """Whether folded lower-case text starts with a task's labelled field ("thoi gian hoan thanh: ...",
    "don vi chu tri: ...", "co quan phoi hop: ..."): a line that describes the task before it."""
    return bool(_FIELD.match(folded) or _TIME_FIELD.match(folded))


@dataclass(frozen=True)
class _FieldBlock:
    start: int  # the task's first line
    end: int  # the last field's end
    lead: tuple[int, int]  # the lead field's value (empty span if none)
    partner: tuple[int, int]
    time: str | None
    path: tuple[str, ...]


def _field_blocks(text: str, starts: list[int], d: _Doc) -> list[_FieldBlock]:
    """Tasks described by labelled fields after them, each with its field values."""
    lines = line_spans(text)
    folded = d.folded
    kinds: list[tuple[str | None, int]] = []
    for ls, le in lines:
        f = _FIELD.match(folded, ls, le)
        t = _TIME_FIELD.match(folded, ls, le)
        found = f or t
        kinds.append((("lead" if f.group("lead") else "partner") if f else "time" if t else None,
                      found.end() if found else ls))
    out: list[_FieldBlock] = []
    prev_end = 0
    i = 0
    secs = d.innermost_of([ls for ls, _ in lines])
    while i < len(lines):
        if kinds[i][0] is None:
            i += 1
            continue
        j = i
        values: dict[str, tuple[int, int]] = {}
        while j < len(lines) and kinds[j][0] is not None:
            values.setdefault(kinds[j][0] or "", (kinds[j][1], lines[j][1]))
            j += 1
        sec = secs[i]
        scope = sec
        if scope is not None and scope.start == lines[i][0]:  # the field line is a bullet: its parent
            scope = d.parent_of(scope) or scope  # (a bullet at the top has no task above it)
        after = scope.start if scope else 0
        if scope is not None and d.parent_of(scope) is not None and _FIELDS_HEADING.match(
                folded, scope.start, scope.body_start):
            # "b) Cơ quan thực hiện:": the task is in the sibling items before it, under the parent
            # heading ("3. Về đảm bảo an toàn thông tin" > "a) Nhiệm vụ: ...").
            scope = d.parent_of(scope)
            after = scope.body_start if scope else 0
        first = next((k for k in range(i) if lines[k][0] >= max(prev_end, after)), i)
        if "lead" in values and first < i and not _PROCEDURE.search(folded, lines[first][0], lines[j - 1][1]):
            time = values.get("time")
            out.append(_FieldBlock(lines[first][0], lines[j - 1][1], values["lead"], values.get("partner", (0, 0)),
                                   " ".join(text[time[0] : time[1]].split()) if time else None,
                                   scope.path if scope else ()))
        prev_end = lines[j - 1][1]
        i = j
    return out


def _strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t":
        a += 1
    while b > a and text[b - 1] in " \t":
        b -= 1
    return a, b
