"""Organisations named in a text, by the grammar of Vietnamese administrative names.

The agency table (`ingest/data/agencies.json`) is the *normaliser* (aliases, abbreviations, the
2025 mergers), no longer the gate. A name the table does not know is still an organisation when
it has the shape of one (Nghị định 30/2020/NĐ-CP, Phụ lục I; the naming habits of provincial
plans):

    head noun      Sở, Ban Quản lý, Trung tâm, Văn phòng, Thanh tra, Công an, Bộ Chỉ huy Quân
                   sự, Kho bạc, Thuế, Bảo hiểm xã hội, Báo, Đài, Hội, Liên đoàn, Ủy ban Mặt
                   trận, Đoàn, Cục, Chi cục, Trường, Bệnh viện, Công ty, Ngân hàng, Chi nhánh,
                   chủ đầu tư, UBND xã/phường/đặc khu <tên>, Đảng ủy ...
    + name         capitalised words and the lower-case syllables that follow them ("Phát
                   triển quỹ đất", "Dân tộc và Tôn giáo", "dự án đầu tư xây dựng số 1"), up to
                   punctuation, a verb that starts the predicate ("chủ trì", "có trách nhiệm",
                   "phối hợp" ...) or another organisation
    + place        "tỉnh", "tỉnh Đồng Nai", "thành phố Cần Thơ", a bare province name.

The organisation's name is the name without the place (the place scopes the document, not the
body): "Công an tỉnh Ninh Bình" and "Công an tỉnh" are one organisation. Names declared in the
document ("Ban Quản lý dự án ... (sau đây gọi tắt là Ban QLDA)", "(viết tắt: BQLDA)") are
aliases of the name before them for the rest of that document.

Local government follows the document's date: from 1 July 2025 a province has xã, phường and đặc
khu directly under it, so "UBND các xã, phường", "UBND cấp xã" and "các địa phương" name the
communes; "UBND các huyện" belongs to earlier documents only. A named commune ("UBND xã Gia
Thuận", "Ủy ban nhân dân các xã A, B, C") is an organisation of its own, one per commune.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest import provinces
from ingest.agencies import Agency, AgencyTable, Mention, fold_text, name_key, table
from ingest.vietnamese import normalize

COMMUNES = "UBND các xã, phường, đặc khu"  # the collective of the lower tier from 1 July 2025
DISTRICTS = "UBND các huyện, thành phố"
REFORM_DATE = "2025-07-01"

# Head nouns (folded tokens), each with whether the next word must be capitalised ("Báo cáo",
# "Ban hành", "Hội nghị" are no organisations; "Công an tỉnh", "Hội nông dân tỉnh" are).
_HEADS: tuple[tuple[str, bool], ...] = (
    ("ban quan ly", False), ("ban chi dao", False), ("ban chi huy", False), ("ban dan toc", False),
    ("ban to chuc", False), ("ban tuyen giao", False), ("ban dan van", False), ("ban noi chinh", False),
    ("ban kinh te", False), ("ban van hoa xa hoi", False), ("ban phap che", False),
    ("bo chi huy quan su", False), ("bo chi huy bo doi bien phong", False), ("bo doi bien phong", False),
    ("bo chqs", False), ("bchqs", False),
    ("trung tam", False), ("van phong", False), ("thanh tra", False), ("cong an", False),
    ("kho bac nha nuoc", False), ("kho bac", False), ("thue", True), ("cuc thue", False), ("chi cuc thue", False),
    ("bao hiem xa hoi", False), ("bhxh", False), ("bao va phat thanh", False), ("dai phat thanh", False),
    ("lien doan lao dong", False), ("lien doan", False), ("lien minh hop tac xa", False), ("lien minh", False),
    ("uy ban mat tran to quoc", False), ("mat tran to quoc", False), ("tinh doan", False),
    ("doan thanh nien", False), ("doan tncs", False), ("hoi lien hiep phu nu", False), ("hoi nong dan", False),
    ("hoi cuu chien binh", False), ("hoi chu thap do", False), ("hiep hoi", False),
    ("cuc", True), ("chi cuc", True), ("truong", True), ("benh vien", True), ("cong ty", False),
    ("tong cong ty", False), ("tap doan", True), ("ngan hang", False), ("chi nhanh", True),
    ("vien kiem sat", False), ("toa an", False), ("cong thong tin dien tu", False), ("dang uy", False),
    ("so", True), ("ban", True), ("hoi", True), ("bao", True), ("dai", True), ("vien", True), ("quy", True),
    ("hoc vien", True), ("bo", True), ("nha dau tu", False), ("chu dau tu", False), ("doanh nghiep", False),
    ("cac doanh nghiep", False), ("chu rung", False), ("cac chu rung", False), ("don vi cap nuoc", False),
    ("cac don vi cap nuoc", False),
)
# The written (accented) form of each one-word head.
_ACCENTED = {"so": "sở", "ban": "ban", "hoi": "hội", "bao": "báo", "dai": "đài", "vien": "viện", "quy": "quỹ",
             "cuc": "cục", "truong": "trường", "bo": "bộ", "thue": "thuế"}
_HEAD_BY_FIRST: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
for _h, _cap in _HEADS:
    _toks = tuple(_h.split())
    _HEAD_BY_FIRST.setdefault(_toks[0], []).append((_toks, _cap))
for _lst in _HEAD_BY_FIRST.values():
    _lst.sort(key=lambda x: len(x[0]), reverse=True)
# Heads written in lower case in running text ("chủ đầu tư", "các doanh nghiệp") still count.
_LOWER_OK = frozenset({"nha", "chu", "doanh", "cac", "don", "cong"})
# Words after a head that make it no organisation ("Báo cáo", "Ban hành", "Hội nghị", "Sở hữu").
_NOT_AFTER_HEAD = frozenset({
    "cao", "hanh", "nghi", "thao", "dong", "huu", "di", "chi", "tam", "tri", "nhan", "tac", "tien", "ve", "cu",
})
# Words (folded, written in lower case) that start the predicate or a preposition and so end a
# name; capitalised they belong to it ("Trung tâm Phát triển quỹ đất").
_STOP = frozenset(["chu", "phoi", "co", "thuc", "to", "chi", "huong", "theo", "kiem", "trien", "tham", "phu", "la", "duoc", "da", "dang", "se", "can", "phai", "tiep", "khan", "chiu", "tang", "nghien", "de", "bao", "lam", "tap", "dam", "ra", "thong", "cung", "giai", "nang", "day", "trinh", "danh", "ho", "van", "tuyen", "lap", "voi", "cho", "tai", "trong", "ve", "den", "tren", "duoi", "nham", "khi", "neu", "ngay", "thang", "nam", "cua", "cac", "nhung", "moi", "hoac", "thuoc", "ket", "ung", "quyet", "bo", "cu", "kip", "nghiem", "giam", "tao", "phat", "uu", "tiep", "ban", "truoc", "sau", "giao"])
# Predicate words never the second syllable of a name word ("Cục Thuế có ý kiến").
_PREDICATE_WORDS = frozenset(["co", "la", "duoc", "da", "dang", "se", "can", "phai", "chu", "phoi", "thuc", "tham", "to", "chi", "huong", "theo", "kiem", "tiep", "khan", "chiu", "lam", "voi", "cho", "tai", "trong", "ve", "den", "nham", "khi", "neu", "tren", "duoi", "cua", "cac", "nhung", "moi", "hoac", "thuoc", "truoc", "sau", "bao"])
# Two-word predicates whose first word a name may carry ("xây dựng kế hoạch" ends "Sở Y tế", but
# "Ban Quản lý dự án đầu tư xây dựng" keeps it).
_STOP_PAIRS = frozenset({("xay", "dung"), ("quan", "ly"), ("ra", "soat"), ("su", "dung"), ("xu", "ly")})
# Nouns of two syllables, one of which would otherwise end a name (a predicate or preposition
# when it stands alone: "thông", "bảo", "tài" = "tại", "vệ" = "về"): "các doanh nghiệp viễn
# thông", "doanh nghiệp kinh doanh bảo hiểm", "Cục Bảo vệ thực vật". "Bảo vệ" is also a verb ("các
# chủ rừng bảo vệ rừng"): it belongs to a name only written with a capital.
_NAME_NOUNS = frozenset({
    ("vien", "thong"), ("giao", "thong"), ("truyen", "thong"), ("pho", "thong"), ("thong", "tin"),
    ("bao", "hiem"), ("tai", "chinh"), ("tai", "nguyen"), ("thuc", "pham"), ("thuc", "vat"), ("van", "tai"),
    ("kiem", "lam"), ("phat", "thanh"), ("van", "hoa"), ("moi", "truong"),
})
_CAPITAL_NAME_NOUNS = frozenset({("bao", "ve")})
# Nouns that open the next item of a list, never a field of a name after a comma.
_LIST_NOUNS = frozenset({("co", "quan"), ("thu", "truong"), ("don", "vi"), ("to", "chuc"), ("ca", "nhan")})
# Words that cannot end a name ("Văn phòng Ban Chỉ huy và cơ quan ...": the "và" joins a list).
_NO_END = frozenset({"va", "voi", "hoac", "cung"})
_MAX_NAME = 14
_ALIAS = re.compile(
    r"\(\s*(?:sau\s+đây\s+)?(?:gọi\s+)?(?:tắt\s+là|viết\s+tắt(?:\s+là)?\s*:?)\s*[\"“]?([^)\"”]{1,60}?)[\"”]?\s*\)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:[\-&/][^\W_]+)*", re.UNICODE)

# Local government, written every way: collectives and named communes.
_COMMUNE_COLLECTIVE = re.compile(
    r"\b(?:ubnd|uy ban nhan dan|chinh quyen)\s+(?:cac\s+)?(?:cap xa|(?:xa|phuong|dac khu|thi tran)"
    r"(?:\s*(?:,|va|/)\s*(?:xa|phuong|dac khu|thi tran))*)(?![\w])"
)
# "Các Sở: Xây dựng, Tài chính": a plural head over a list of names.
_HEAD_LIST = re.compile(r"\b[Cc]ác[ ]+(Sở|SỞ|Ban|Trung tâm|Hội)[ ]*:[ ]*(?=[A-ZĐÀ-Ỹ])")
_NAMED_COMMUNE = re.compile(
    r"\b(?:ubnd|uy ban nhan dan)\s+(?:cac\s+|\d{1,3}\s+)?(xa|phuong|dac khu|thi tran)\s*:?\s+"
)


@dataclass(frozen=True)
class Organisation:
    """One organisation named in a text: its name without the place, and the place if given."""

    start: int
    end: int  # the span of the whole spelling (place included)
    name: str
    place: str | None
    name_end: int = -1  # where the name proper ends (before the place)


def org_key(name: str) -> str:
    """Comparison form of an organisation's name: name tokens, place and leading "các" dropped."""
    toks = name_key(name).split()
    toks = _strip_place(toks)
    while toks and toks[0] in ("cac", "nhung"):
        toks = toks[1:]
    return " ".join(toks)


def _strip_place(toks: list[str]) -> list[str]:
    """Tokens without a trailing "tỉnh X" / "thành phố X" / bare province name."""
    spell = provinces.spellings()
    for n in range(min(5, len(toks) - 1), 0, -1):
        tail = " ".join(toks[-n:])
        if tail in spell:
            toks = toks[:-n]
            break
    while toks and len(toks) > 1 and tuple(toks[-2:]) == ("thanh", "pho"):
        toks = toks[:-2]
    while toks and len(toks) > 1 and toks[-1] in ("tinh", "tp"):
        toks = toks[:-1]
    return toks


def _capital(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def _title(word: str) -> bool:
    """A title-case word ("Phát", "Y"): a syllable of a name whose next syllable is lower case."""
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


def _tokens(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, word as written, folded word) for each word of `text`."""
    folded = fold_text(text)
    return [(m.start(), m.end(), m.group(0), folded[m.start() : m.end()]) for m in _WORD.finditer(text)]


def _place_at(text: str, toks: Sequence[tuple[int, int, str, str]], i: int) -> int:
    """Tokens a place takes from i ("tỉnh", "tỉnh Đồng Nai", "thành phố Cần Thơ", "Đồng Nai"), or 0."""
    spell = provinces.spellings()
    words = [t[3] for t in toks]

    def province_len(k: int) -> int:
        for n in (4, 3, 2, 1):
            if (k + n <= len(toks) and all(_capital(t[2]) for t in toks[k : k + n])
                    and " ".join(words[k : k + n]) in spell):
                return n
        return 0

    if tuple(words[i : i + 2]) in (("cap", "tinh"), ("cap", "xa"), ("cap", "huyen")):
        return 2
    for level in (("thanh", "pho"), ("tinh",), ("tp",)):
        if tuple(words[i : i + len(level)]) == level:
            j = i + len(level)
            if j < len(toks) and _gap_ok(text, toks[j - 1][1], toks[j][0]):
                n = province_len(j)
                if n:
                    return len(level) + n
            return len(level) if level != ("thanh", "pho") else 0
    n = province_len(i)
    # "Đoàn TNCS Hồ Chí Minh tỉnh": a province's name followed by a level is part of the name.
    if n and i + n < len(toks) and words[i + n] in ("tinh", "thanh", "tp"):
        return 0
    return n


def _enumerated(text: str, toks: Sequence[tuple[int, int, str, str]], words: Sequence[str], i: int, k: int) -> bool:
    """After a comma inside a name: the name enumerates its fields ("Báo và Phát thanh, Truyền
    hình", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch") when "và" and one more field
    follow within four words, none of them a predicate word or another organisation's head."""
    if k - i < 2 or words[k] in ("ubnd", "uy", "cac") or (words[k] in _HEAD_BY_FIRST and _capital(toks[k][2])):
        return False
    if tuple(words[k : k + 2]) in _LIST_NOUNS:
        return False  # "Cục Trồng trọt và Bảo vệ thực vật, Cơ quan, Thủ trưởng các Vụ": a list goes on
    typed = not any(c.isupper() for c in text)  # a question typed all in lower case
    if "va" in words[i:k] and (_capital(toks[k][2]) or typed):
        return True  # "Báo và Phát thanh, Truyền hình"
    for n in range(k, min(k + 4, len(toks) - 1)):
        if n > k and not _gap_ok(text, toks[n - 1][1], toks[n][0]):
            return False
        if words[n] == "va":
            return n > k and words[n + 1] not in _STOP and words[n + 1] not in _HEAD_BY_FIRST
        if words[n] in _STOP or words[n] in _PREDICATE_WORDS:
            return False
    return False


def _in_name_noun(toks: Sequence[tuple[int, int, str, str]], words: Sequence[str], k: int) -> bool:
    """Word k is a syllable of a two-syllable noun of `_NAME_NOUNS` (or of `_CAPITAL_NAME_NOUNS`
    written with a capital), with the word before or after it."""
    for a in (k - 1, k):
        if a < 0 or a + 1 >= len(words):
            continue
        pair = (words[a], words[a + 1])
        if pair in _NAME_NOUNS or (pair in _CAPITAL_NAME_NOUNS and _capital(toks[a][2])):
            return True
    return False


def _gap_ok(text: str, end: int, start: int) -> bool:
    """Only spaces (or a hyphen, an ampersand) between two words of one name."""
    gap = text[end:start]
    return gap.strip(" ") in ("", "-", "–", "&", "/") and "\n" not in gap


def grammar_organisations(text: str, casual: bool = False) -> list[Organisation]:
    """Organisations found by the head-noun grammar alone (the module docstring), in order.
    `casual`: text typed without capitals or diacritics (a question): a head of two words or
    more ("ban quan ly", "trung tam") counts in lower case too."""
    toks = _tokens(text)
    words = [t[3] for t in toks]
    out: list[Organisation] = []
    i = 0
    while i < len(toks):
        found = _organisation_at(text, toks, words, i, casual)
        if found is None:
            i += 1
            continue
        org, j = found
        out.append(org)
        i = j
    return out


def _organisation_at(text: str, toks: Sequence[tuple[int, int, str, str]], words: Sequence[str],
                     i: int, casual: bool = False) -> tuple[Organisation, int] | None:
    for head, needs_cap in _HEAD_BY_FIRST.get(words[i], ()):
        n = len(head)
        if tuple(words[i : i + n]) != head:
            continue
        if not _capital(toks[i][2]) and words[i] not in _LOWER_OK and not (casual and n >= 2):
            continue
        # Folding merges words the grammar must keep apart: Sở/Số, Đài/Đại, Quỹ/Quy, Thuế/Thuê,
        # Trường/Trưởng, Hội/Hỏi. A head written with diacritics must be the right word.
        written = normalize(toks[i][2]).lower()
        if n == 1 and written != words[i] and written != _ACCENTED.get(words[i], written):
            continue
        # A line in capitals is a title ("QUY TRÌNH GIẢI QUYẾT ..."), not a name in running text.
        if (len(toks[i][2]) > 1 and toks[i][2].isupper() and i + 1 < len(toks) and len(toks[i + 1][2]) > 1
                and toks[i + 1][2].isupper()):
            continue
        if any(not _gap_ok(text, toks[k][1], toks[k + 1][0]) for k in range(i, i + n - 1)):
            continue
        j = i + n
        if j < len(toks) and words[j] in _NOT_AFTER_HEAD and n == 1:
            continue
        if needs_cap and not (j < len(toks) and _gap_ok(text, toks[j - 1][1], toks[j][0]) and (
                _capital(toks[j][2]) or words[j] in ("va", "nong", "phu", "cuu", "chu", "lien")
                or _place_at(text, toks, j))):
            continue
        # The name: words up to punctuation, a predicate word, another head or a place.
        place_at = None
        k = j
        while k < len(toks) and k - i < _MAX_NAME:
            if not _gap_ok(text, toks[k - 1][1], toks[k][0]):
                # "Báo và Phát thanh, Truyền hình Đồng Nai": a comma then a capitalised word that
                # starts no other organisation continues the name.
                gap = text[toks[k - 1][1] : toks[k][0]]
                if not (gap.strip() == "," and _enumerated(text, toks, words, i, k)):
                    break
            p = _place_at(text, toks, k)
            if p:
                place_at = k
                k += p
                break
            w = words[k]
            # A lower-case syllable right after a capitalised one ends the same word ("Phát
            # triển", "Dân tộc"); "các" right after the head opens the name ("Ban Quản lý các khu").
            lower = not _capital(toks[k][2]) and (not _title(toks[k - 1][2]) or w in _PREDICATE_WORDS)
            if lower and len(w) == 1:
                break  # "điểm a", "khoản b": a list letter, never a syllable of a name
            if k == j and w == "cac":
                lower = False
            if lower and _in_name_noun(toks, words, k):
                lower = False
            if lower and w in _STOP and tuple(words[k : k + 2]) != ("chi", "nhanh"):
                break
            if lower and tuple(words[k : k + 2]) in _STOP_PAIRS and words[k - 1] not in ("tu", "dau"):
                break
            # "Sở Tài chính và Sở Nội vụ": "và" before another organisation ends this one.
            if w == "va" and k + 1 < len(toks) and _organisation_at(text, toks, words, k + 1) is not None:
                break
            k += 1
        while place_at is None and k > j and words[k - 1] in _NO_END:
            k -= 1
        end_name = place_at if place_at is not None else k
        if end_name <= j and head[-1] in ("so", "ban", "hoi", "bao", "dai", "vien", "quy", "cuc", "truong"):
            continue
        name = " ".join(t[2] for t in toks[i:end_name])
        name = re.sub(r"\s+", " ", text[toks[i][0] : toks[end_name - 1][1]]) if end_name > i else name
        place = text[toks[place_at][0] : toks[k - 1][1]] if place_at is not None else None
        if place is not None and fold_text(place).strip() in ("tinh", "thanh pho", "tp"):
            name = f"{name} {place}"  # "Công an tỉnh", "Hội Nông dân tỉnh": the level is part of the name
        elif place is not None:
            level = fold_text(place).split()[0]
            if level in ("tinh", "tp") or fold_text(place).startswith("thanh pho"):
                name = f"{name} {'tỉnh' if level == 'tinh' else 'thành phố'}"
        return Organisation(toks[i][0], toks[k - 1][1], name, place, toks[end_name - 1][1]), k
    return None


@dataclass(frozen=True)
class Finder:
    """Finds organisations in one document: table spellings first, then the grammar."""

    agencies: AgencyTable
    date: str | None = None
    casual: bool = False  # a typed question: lower-case heads of two words or more count

    def find(self, text: str) -> list[Mention]:
        communes = self._named_communes(text) + self._head_lists(text)
        communes += self._collectives(text, [(m.start, m.end) for m in communes])
        taken = [(m.start, m.end) for m in communes]
        table_mentions = [self._dated(m, text) for m in self.agencies.find(text)
                          if not any(s < m.end and m.start < e for s, e in taken)]
        taken += [(m.start, m.end) for m in table_mentions]
        extra = list(communes)
        for org in grammar_organisations(text, self.casual):
            bare = text[org.start : org.name_end]
            core = self.agencies.exact(org.name) or self.agencies.exact(bare) or self.agencies.exact(f"{bare} tỉnh")
            clash = [m for m in table_mentions if m.start < org.end and org.start < m.end]
            if clash:
                # The table's spelling at the same place wins unless the grammar read a longer name
                # ("Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II" over "Ngân hàng Nhà nước",
                # "Các đơn vị cấp nước sạch" over "các đơn vị").
                m = clash[0]
                if len(clash) > 1 or m.start != org.start or core is not None or org.name_end <= m.end:
                    continue
                if not (m.agency.collective or m.weak):
                    # A specific agency the table knows: the table normalises, the grammar reads how
                    # far its spelling goes ("Ngân hàng Nhà nước chi nhánh khu vực 14").
                    if org.name_end > m.end and not any(x.start >= m.end and x.start < org.name_end for x in table_mentions):
                        table_mentions[table_mentions.index(m)] = Mention(m.start, org.name_end, m.agency, m.weak)
                    continue
                table_mentions.remove(m)
                taken.remove((m.start, m.end))
            elif any(s < org.end and org.start < e for s, e in taken):
                continue
            if core is not None and clash:
                continue
            agency = core if core is not None else Agency(org.name[:1].upper() + org.name[1:], ())
            extra.append(Mention(org.start, org.end, agency, weak=agency.collective))
            taken.append((org.start, org.end))
        out = sorted(table_mentions + extra, key=lambda m: m.start)
        return self._aliases(text, out)

    def _dated(self, m: Mention, text: str) -> Mention:
        """Lower-tier collectives read by the document's date ("các địa phương" in 2026 are the
        communes; "UBND các xã, phường" is never the districts)."""
        if m.agency.name != DISTRICTS:
            return m
        spelled = fold_text(text[m.start : m.end])
        communal = re.search(r"(?<!dia )\b(?:xa|phuong|dac khu)\b", spelled) is not None
        if communal or (self.date is not None and self.date >= REFORM_DATE and "huyen" not in spelled):
            return Mention(m.start, m.end, self.agencies.agencies.get(COMMUNES) or Agency(COMMUNES, (), True, "communes"),
                           m.weak)
        return m

    def _head_lists(self, text: str) -> list[Mention]:
        """A plural head noun over a list of names ("Các Sở: Xây dựng, Tài chính, Công Thương:"):
        each name with the head ("Sở Xây dựng", "Sở Tài chính", ...)."""
        out: list[Mention] = []
        for m in _HEAD_LIST.finditer(text):
            head = m.group(1)
            pos = m.end()
            while True:
                w = re.match(r"([A-ZĐÀ-Ỹ][^\W_]*(?:[ ]+(?:và[ ]+)?[^\W_]+){0,5}?)(?=[ ]*(?:[,;:.]|$|\n))", text[pos:])
                if not w:
                    break
                name = f"{head[:1].upper()}{head[1:].lower()} {w.group(1)}"
                agency = self.agencies.exact(name) or Agency(name, ())
                out.append(Mention(m.start() if not out or out[-1].start < m.start() else pos, pos + w.end(1), agency))
                rest = re.match(r"[ ]*[,;][ ]*(?=[A-ZĐÀ-Ỹ])", text[pos + w.end(1) :])
                if not rest:
                    break
                pos = pos + w.end(1) + rest.end()
        return out

    def _collectives(self, text: str, taken: list[tuple[int, int]]) -> list[Mention]:
        """The lower tier written as a whole ("UBND cấp xã", "UBND các phường, xã, đặc khu")."""
        communes = self.agencies.agencies.get(COMMUNES) or Agency(COMMUNES, (), True, "communes")
        return [Mention(c.start(), c.end(), communes) for c in _COMMUNE_COLLECTIVE.finditer(fold_text(text))
                if not any(a < c.end() and c.start() < b for a, b in taken)]

    def _named_communes(self, text: str) -> list[Mention]:
        """Named communes ("UBND xã Gia Thuận", "Ủy ban nhân dân các xã A, B, C"), one each."""
        out: list[Mention] = []
        for m in _NAMED_COMMUNE.finditer(fold_text(text)):
            if not text[m.end() : m.end() + 1].isupper():
                continue
            level = text[m.start(1) : m.end(1)]
            pos = m.end()
            names: list[tuple[int, int]] = []
            while True:
                w = re.match(r"[A-ZĐÀ-Ỹ0-9][^\W_]*(?:[ ]+[A-ZĐÀ-Ỹ0-9][^\W_]*){0,3}", text[pos:])
                if not w:
                    break
                names.append((pos, pos + w.end()))
                rest = re.match(r"[ ]*(?:,|và)[ ]*(?:(?:xã|phường|đặc khu)[ ]+)?(?=[A-ZĐÀ-Ỹ0-9])", text[pos + w.end() :])
                if not rest:
                    break
                pos = pos + w.end() + rest.end()
            for s, e in names:
                place = " ".join(text[s:e].split())
                agency = Agency(f"UBND {fold_level(level)} {place}", ())
                out.append(Mention(m.start() if (s, e) == names[0] else s, e, agency))
        return out

    def _aliases(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """Aliases declared after a name ("(sau đây gọi tắt là Ban QLDA)") name it from there on."""
        declared: dict[str, Agency] = {}
        inside: set[int] = set()
        for m in mentions:
            a = _ALIAS.match(text, m.end, min(len(text), m.end + 90)) or _ALIAS.match(text, m.end + 1, min(len(text), m.end + 90))
            if a:
                short = a.group(1).strip()
                if 1 <= len(short.split()) <= 6:
                    declared[short] = m.agency
                    inside.add(a.start(1))
        if not declared:
            return mentions
        keys = {name_key(k) for k in declared}
        out = [m for m in mentions if not (name_key(text[m.start : m.end]) in keys or m.start in inside)]
        spans = [(m.start, m.end) for m in out]
        for short, agency in declared.items():
            for hit in re.finditer(r"(?<![\w])" + re.escape(short) + r"(?![\w])", text):
                if hit.start() in inside or any(s <= hit.start() < e or s < hit.end() <= e for s, e in spans):
                    continue
                out.append(Mention(hit.start(), hit.end(), agency))
                spans.append((hit.start(), hit.end()))
        return sorted(out, key=lambda m: m.start)


def fold_level(level: str) -> str:
    f = fold_text(level)
    return {"xa": "xã", "phuong": "phường", "dac khu": "đặc khu", "thi tran": "thị trấn"}.get(f, level)


def finder(date: str | None = None, agencies: AgencyTable | None = None) -> Finder:
    return Finder(agencies or table(), date)


def is_commune(name: str) -> bool:
    """A named commune's organisation ("UBND xã Gia Thuận")."""
    return re.match(r"UBND (?:xã|phường|đặc khu|thị trấn) ", name) is not None
