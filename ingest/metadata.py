"""Metadata of a directive: type, number, date, issuer, province, subject, signer, recipients, cites.

The layout read is the one of Nghị định 30/2020/NĐ-CP, Phụ lục I (administrative documents):
issuing body top left, the national motto top right, "Số: 8888 /UBND-THNC", the place-date line
"Đồng Nai, ngày 30 tháng 7 năm 2020", the type in capitals with its trích yếu (or "V/v ..." for a
công văn), the body, "Nơi nhận:", then the signer's capacity, title and name. Party documents
(Hướng dẫn 36-HD/VPTW) swap the motto for "ĐẢNG CỘNG SẢN VIỆT NAM" and number as "1098-KL/TU".

Where the header is missing, in order: the summary table of a crawled legal-library page
("Số hiệu:", "Ngày ban hành:" ...), the lede of a news article ("Ngày 14/5/2021, UBND tỉnh ban
hành Công văn số 1536/UBND-KTTH ...", seeds 000, 002, 003), the enacting sentence ("Ủy ban nhân
dân tỉnh kết luận:", seed 001) and an annex's "(Kèm theo Quyết định số ... ngày ...)".
A file carrying several documents (seed 004) is read for its first one; the pipeline passes each
part of `ingest.attachments.split_documents` on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ingest import provinces
from ingest.attachments import is_upper_line, signatures, split_documents
from ingest.model import CleanText, Metadata
from ingest.vietnamese import fold

# ---------------------------------------------------------------------------------------------
# Document numbers: "8888/UBND-THNC", "37/2016/QĐ-UBND", "60/2024/QH15" (state, Nghị định 30,
# Phụ lục I, mục II.3) and "1098-KL/TU", "14-NQ/TU" (party). A code segment starts with a capital;
# at least two capitals in all, so "40/121", "15/8/2020" and "1/ Ban" are not numbers. Every
# quantifier is bounded, so a match costs constant time per start: the scan is linear.
_SEG = r"[A-ZĐÐ][A-Za-zĐđÐ0-9&]{0,15}"
DOC_NUMBER = re.compile(
    rf"(?:(?<=[Ss]ố)|(?<=SỐ)|(?<![\w/.\-]))(?<!\d:)"
    rf"(?P<n>\d{{1,5}})"
    rf"(?:\s?/(?P<y>(?:19|20)\d\d)\s?/{_SEG}(?:\s?-\s?{_SEG}){{0,4}}"
    rf"|\s?/{_SEG}(?:\s?-\s?{_SEG}){{0,4}}"
    rf"|-{_SEG}/{_SEG}(?:-{_SEG}){{0,3}})"
    rf"(?![\w/])"
)
_WS = re.compile(r"\s+")


def normalize_number(raw: str) -> str:
    """ "8888 /UBND-THNC" -> "8888/UBND-THNC"; the Icelandic eth of old fonts -> Đ."""
    return _WS.sub("", raw).replace("Ð", "Đ")


def _valid_number(number: str) -> bool:
    code = number.split("/", 1)[1] if "/" in number else number
    return sum(1 for c in code if c.isupper()) >= 2


def find_doc_numbers(text: str) -> list[str]:
    """Every document number in `text`, normalised, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for m in DOC_NUMBER.finditer(text):
        number = normalize_number(m.group(0))
        if _valid_number(number):
            seen.setdefault(number, None)
    return list(seen)


def _number_at(text: str, pos: int) -> str | None:
    m = DOC_NUMBER.match(text, pos)
    if not m:
        return None
    number = normalize_number(m.group(0))
    return number if _valid_number(number) else None


# ---------------------------------------------------------------------------------------------
# Types and their codes in the number (Nghị định 30/2020/NĐ-CP, Phụ lục III; party codes after
# Hướng dẫn 36-HD/VPTW). TYPES runs longest first so "Thông tư liên tịch" wins over "Thông tư".
TYPE_CODES: dict[str, str] = {
    "NQ": "Nghị quyết",
    "NQLT": "Nghị quyết liên tịch",
    "NĐ": "Nghị định",
    "QĐ": "Quyết định",
    "CT": "Chỉ thị",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "QC": "Quy chế",
    "QyĐ": "Quy định",
    "QĐi": "Quy định",
    "TC": "Thông cáo",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CTr": "Chương trình",
    "KH": "Kế hoạch",
    "PA": "Phương án",
    "ĐA": "Đề án",
    "DA": "Dự án",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "TTr": "Tờ trình",
    "HĐ": "Hợp đồng",
    "CĐ": "Công điện",
    "BGN": "Bản ghi nhớ",
    "BTT": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời",
    "GGT": "Giấy giới thiệu",
    "KL": "Kết luận",
    "PL": "Pháp lệnh",
    "VBHN": "Văn bản hợp nhất",
}
TYPES: tuple[str, ...] = tuple(
    sorted(
        {*TYPE_CODES.values(), "Luật", "Bộ luật", "Công văn", "Hiến pháp", "Lệnh", "Văn bản hợp nhất"},
        key=len,
        reverse=True,
    )
)
_TYPE_BY_FOLD = {fold(t).lower(): t for t in TYPES}
_TYPE_ALT = "|".join(re.escape(t) for t in TYPES)


def type_from_number(number: str) -> str | None:
    """ "37/2016/QĐ-UBND" -> Quyết định, "1098-KL/TU" -> Kết luận, "1536/UBND-KTTH" -> Công văn."""
    parts = number.split("/")
    if "-" in parts[0]:  # party: 1098-KL/TU
        return TYPE_CODES.get(parts[0].split("-", 1)[1])
    code = parts[-1].split("-", 1)[0]
    if code in TYPE_CODES:
        return TYPE_CODES[code]
    if len(parts) == 2 and "-" in parts[1]:
        return "Công văn"  # "số/ký hiệu cơ quan-đơn vị soạn thảo" is the công văn form
    return None


def _type_from_words(words: str) -> str | None:
    return _TYPE_BY_FOLD.get(fold(words).lower())


# ---------------------------------------------------------------------------------------------
# Header parts.
# The motto line, not "QUỐC HỘI NƯỚC CỘNG HÒA ..." in a sentence nor a slogan "ĐẢNG CỘNG SẢN VIỆT NAM QUANG VINH".
_MOTTO = re.compile(
    r"(?<!NƯỚC )(?<!nước )CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT N|ĐẢNG CỘNG SẢN VIỆT NAM(?![ \t]*[^\W\d_])"
)
_BODY_START = re.compile(
    r"(?m)^[ \t]*(?:Căn cứ|Kính gửi|Thực hiện|Xét |Theo đề nghị|Điều 1\b|Chương I\b|Phần I\b|Trên cơ sở|"
    r"Ngày \d|Sau khi|Để |Nhằm |Hôm nay|Thời gian qua)"
)
# "Số:", "Số", "SỐ:" or "Luật số:"; not "SỐ" inside a trích yếu in capitals ("... CỦA THÔNG TƯ SỐ 07/2024/...").
_HEADER_NUMBER = re.compile(
    r"(?:(?<=\s)|^)(?:Số\s*:?|SỐ\s*:|(?:Luật|Bộ luật|Nghị quyết|Pháp lệnh|Lệnh) số\s*:?)\s*", re.MULTILINE
)
_PLACE_DATE = re.compile(
    r"(?P<place>[^\W\d_][^\n,;:()]{0,48}?)\s*,\s*ngày\s+(?P<d>\d{1,2})\s*(?:"
    r"tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})|[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>\d{4}))",
    re.IGNORECASE,
)
# "V/v ..." on its own line, or after the number on the same one ("Số: 5387/CT-CS v/v trả lời ...").
_VV = re.compile(r"(?m)(?:^[ \t]*|(?<=[ \t]))[Vv]/[Vv]\b[ \t]*[:.]?[ \t]*(?P<s>[^\n]+)")
# The enacting formula repeats the trích yếu: "Bộ trưởng Bộ Xây dựng ban hành Thông tư quy định ...".
_ENACTED_SUBJECT = re.compile(rf"ban hành\s+(?:{_TYPE_ALT})\s+(?P<s>[^\n.;]{{10,300}})")
_SUMMARY = re.compile(
    r"(?m)^[ \t#*|]*(?P<label>Số hiệu|Loại văn bản|Nơi ban hành|Người ký|Ngày ban hành|Tình trạng)"
    r"[ \t*]*:[ \t*|]*\n(?:[ \t|*]*\n)*[ \t|*]*(?P<value>[^\s|*#][^\n|*]*)"
)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_LEDE = re.compile(
    r"[Nn]gày\s+(?P<d>\d{1,2})(?:/|\s+tháng\s+)(?P<m>\d{1,2})(?:/|\s+năm\s+)(?P<y>\d{4})\s*,?\s+"
    r"(?P<actor>[^\n,.;:()]{2,90}?)\s+(?:đã\s+)?(?:ký\s+)?(?:ban hành|có|ra|ký)\s+"
    rf"(?P<kind>(?i:{_TYPE_ALT}|văn bản))\s+(?:số\s*)?(?=\d)"
)
# Nghị định 30/2020/NĐ-CP, Phụ lục I: an annex opens with its own line "(Kèm theo Quyết định số ... ngày ...)".
_ATTACHED_TO = re.compile(
    rf"(?m)^[ \t]*\([ \t]*(?:[Bb]an hành\s+)?[Kk]èm theo\s+(?P<kind>{_TYPE_ALT})\s+số\s*(?=\d)", re.IGNORECASE
)
_DATE_AFTER = re.compile(
    r"\s*(?:,\s*)?ngày\s+(?P<d>\d{1,2})(?:/|\s*tháng\s*)(?P<m>\d{1,2})(?:/|\s*năm\s*)(?P<y>\d{4})"
)
# Luật Ban hành văn bản quy phạm pháp luật: a law or resolution ends "... thông qua ngày 30 tháng 11 năm 2024."
_ADOPTED = re.compile(
    r"(?:Luật|Bộ luật|Nghị quyết|Pháp lệnh) này\s+(?:đã\s+)?được[^\n]{0,200}?thông qua\s+ngày\s+"
    r"(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})"
)
# The authority line under the trích yếu (Phụ lục I, mục II.6: "BỘ TRƯỞNG BỘ TÀI CHÍNH").
_AUTHORITY_LINE = re.compile(
    r"^(?:(?:BỘ TRƯỞNG|THỐNG ĐỐC|TỔNG KIỂM TOÁN|CHỦ NHIỆM)\s+(?P<body>.+)|(?P<whole>ỦY BAN THƯỜNG VỤ QUỐC HỘI|"
    r"QUỐC HỘI|CHÍNH PHỦ|THỦ TƯỚNG CHÍNH PHỦ|(?:CHỦ TỊCH\s+)?(?:ỦY BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN)\s.+))$"
)
_ENACTING = re.compile(
    r"(?:^|[;:.]\s+)(?P<actor>(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|UBND|Hội đồng nhân dân|HĐND)\s+(?:tỉnh|thành phố)"
    rf"|Chính phủ|Quốc hội|Thủ tướng Chính phủ|(?:Bộ trưởng|Thống đốc)\s+[^\n,;:.]{{3,70}}?)\s+"
    rf"(?:ban hành\s+(?:{_TYPE_ALT})|kết luận\s*:|quyết nghị\s*:|quyết định\s*:)",
    re.MULTILINE,
)
# "Kính gửi:" / "Nơi nhận:" (seed 001 writes "Noi nhận"); not "Nơi nhận hồ sơ: ..." in a procedure.
_RECIPIENTS = re.compile(r"(?m)^[ \t]*(?P<label>Kính gửi|N[oơ]i nh[aậ]n)[ \t]*(?::[ \t]*(?P<rest>[^\n]*))?$")
_BULLET = re.compile(r"^[-+*•–]+\s*")
_NOISE_LINE = re.compile(r"^[\s\-–_*#=.|]*$")
_AUTHORITY = re.compile(
    r"\s(?:CHỦ TỊCH |PHÓ CHỦ TỊCH )?(?:ỦY BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|BỘ TRƯỞNG|THỦ TƯỚNG|CHÍNH PHỦ|"
    r"QUỐC HỘI|ỦY BAN THƯỜNG VỤ|BAN THƯỜNG VỤ|BAN CHẤP HÀNH|THỐNG ĐỐC|TỔNG KIỂM TOÁN|GIÁM ĐỐC|CHỦ TỊCH)\b"
)
_SUBJECT_STOP = re.compile(
    r"^(?:CHỦ TỊCH|PHÓ CHỦ TỊCH|ỦY BAN|HỘI ĐỒNG|BỘ TRƯỞNG|THỦ TƯỚNG|CHÍNH PHỦ|QUỐC HỘI|BAN THƯỜNG VỤ|"
    r"BAN CHẤP HÀNH|THỐNG ĐỐC|TỔNG KIỂM TOÁN|GIÁM ĐỐC|Kính gửi|Căn cứ|Thực hiện|Xét|Theo đề nghị|Điều 1)"
)


@dataclass(frozen=True)
class _Header:
    start: int
    end: int
    has_motto: bool  # a real header: motto plus a number or a place-date line
    blank_number: bool  # "Số:      /KH-UBND": the number is left blank (a draft, a crawled copy)
    issuer_block: str | None  # capitals above the motto: "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI"
    authority: str | None  # capitals under the trích yếu: "BỘ TRƯỞNG BỘ TÀI CHÍNH"
    number: str | None
    number_kind: str | None  # "Luật" in "Luật số: 60/2024/QH15"
    date: str | None
    place: str | None
    type: str | None
    subject: str | None


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _summary(text: str) -> tuple[dict[str, str], int]:
    """The legal-library summary table ("Số hiệu:", ...) at the top, and where it ends."""
    found: dict[str, str] = {}
    end = 0
    for m in _SUMMARY.finditer(text, 0, min(len(text), 3000)):
        value = m.group("value").strip()
        end = m.start("label") + text[m.start("label") :].find("\n")
        if value.endswith(":") or (m.group("label") != "Số hiệu" and is_upper_line(value)):
            continue  # an empty cell: the next label or the document header was read as its value
        found.setdefault(m.group("label"), value)
    return found, end


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        out.append((pos, text[pos:stop].strip()))
        pos = stop + 1
    return out


def _issuer_block(text: str, start: int, motto: int) -> str | None:
    """The capitals lines just above the motto (Nghị định 30, Phụ lục I: tên cơ quan ban hành)."""
    lines = _lines(text, start, motto)
    if lines and motto > lines[-1][0]:  # "CHÍNH PHỦ Số: 170/2025/NĐ-CP CỘNG HÒA ..." on one line
        pos, last = lines[-1]
        last = re.split(r"\bS[ốỐ]\b", last, maxsplit=1)[0].strip()
        lines[-1] = (pos, last)
    block: list[str] = []
    for _, line in reversed(lines):
        if (
            not line
            or _NOISE_LINE.match(line)
            or re.match(r"S[ốỐ]\b|V/[vV]\b", line)
            or _PLACE_DATE.search(line)
        ):
            continue
        if is_upper_line(line) and len(line) <= 120:
            block.append(re.sub(r"[-–_*#|]{2,}|\*", " ", line))
            continue
        break
    joined = _WS.sub(" ", " ".join(reversed(block))).strip(" ,")
    if not joined or re.search(r"[\d!?.:;“”\"]", joined) or len(joined.split()) > 20:
        return None  # numbered slogans or a heading, not the name of a body
    return joined


def _heading(lines: list[tuple[int, str]]) -> tuple[str | None, str | None, int]:
    """The type heading in capitals, the trích yếu under it, and the index of the next line.

    A crawl may break the heading itself ("THÔNG" / "TƯ", "TỜ" / "TRÌNH"): a short capitals line
    is tried joined to the next one first.
    """
    for i, (_, line) in enumerate(lines):
        candidates = [(line, i + 1)]
        if len(line) <= 12 and is_upper_line(line) and i + 1 < len(lines) and is_upper_line(lines[i + 1][1]):
            candidates.insert(0, (f"{line} {lines[i + 1][1]}", i + 2))
        for cand, nxt in candidates:
            for t in TYPES:
                up = t.upper()
                if cand.startswith(up) and (len(cand) == len(up) or not cand[len(up)].isalpha()):
                    following = [ln for _, ln in lines[nxt:]]
                    return t, _subject_after(cand[len(up) :], following), nxt
    return None, None, len(lines)


def _subject_after(rest: str, following: list[str]) -> str | None:
    parts = [rest.strip(" :")] if rest.strip(" :") else []
    mixed = 0
    for line in following:
        if not line or _NOISE_LINE.match(line):
            continue
        if _SUBJECT_STOP.match(line) or len(" ".join(parts)) > 400:
            break
        if is_upper_line(line):
            if mixed:
                break
            parts.append(line)
        else:
            if mixed or (parts and is_upper_line(parts[-1]) and not line[0].islower()):
                break
            parts.append(line)
            mixed += 1
    subject = _WS.sub(" ", " ".join(parts)).strip(" .;")
    return _cut_authority(subject) or None


def _cut_authority(subject: str) -> str:
    """Drop an authority line the cleaner joined onto the trích yếu ("... CHỦ TỊCH ỦY BAN NHÂN DÂN TP")."""
    for m in _AUTHORITY.finditer(subject):
        before = subject[: m.start()].split()
        tail = subject[m.start() :]
        if is_upper_line(tail) and before and before[-1] not in {"CỦA", "THUỘC", "VÀ", "VỚI", "CHO"}:
            return subject[: m.start()].strip()
    return subject


# A number left blank in a draft or a crawled copy: "Số:      /KH-UBND", "Số: …/QĐ-UBND", "Số:  /2025/NQ-HĐND".
_BLANK_NUMBER = re.compile(r"[ \t]*[.…_]*[ \t]*/(?:\d{4}/)?[A-ZĐ]")


def _header_parts(
    text: str, zone_start: int, zone_end: int
) -> tuple[str | None, str | None, str | None, str | None, bool]:
    """Number, its type word, date and place found in text[zone_start:zone_end], and whether the
    number is left blank."""
    number = kind = None
    blank = False
    for m in _HEADER_NUMBER.finditer(text, zone_start, zone_end):
        if _BLANK_NUMBER.match(text, m.end()):
            blank = True  # "Số:      /KH-UBND": a draft's number left blank stays blank
            break
        number = _number_at(text, m.end())
        if number:
            kind = _type_from_words(m.group(0).split(" số")[0]) if " số" in m.group(0) else None
            break
    when = place = None
    pd = _PLACE_DATE.search(text, zone_start, zone_end)
    if pd:
        when = _iso(pd["d"], pd["m"] or pd["m2"], pd["y"] or pd["y2"])
        place = pd["place"].strip()
    return number, kind, when, place, blank


def _header(text: str, start: int) -> _Header:
    """The header after `start` (where a library summary table ends)."""
    for motto in _MOTTO.finditer(text, start, min(len(text), start + 8000)):
        zone_start = max(start, text.rfind("\n", start, max(start, motto.start() - 700)) + 1)
        body = _BODY_START.search(text, motto.end(), min(len(text), motto.end() + 2500))
        zone_end = body.start() if body else min(len(text), motto.end() + 2500)
        number, kind, when, place, blank = _header_parts(text, zone_start, zone_end)
        if number or when or blank:
            block = _issuer_block(text, zone_start, motto.start())
            lines = _lines(text, zone_start, zone_end)
            break
    else:
        motto = None
        body = _BODY_START.search(text, start, min(len(text), start + 2000))
        zone_start, zone_end = start, body.start() if body else min(len(text), start + 2000)
        number, kind, when, place, blank = _header_parts(text, zone_start, zone_end)
        block = None
        lines = _lines(text, zone_start, zone_end)
    kind_heading, subject, after = _heading(lines)
    authority = None
    for _, line in lines[after:] if kind_heading else []:
        m = _AUTHORITY_LINE.match(line)
        if m:
            authority = m["body"] or m["whole"]
            break
    vv = _VV.search(text, zone_start, zone_end)
    if vv:
        subject = vv["s"].strip(" .;")
    return _Header(
        zone_start,
        zone_end,
        motto is not None,
        blank,
        block,
        authority,
        number,
        kind,
        when,
        place,
        kind_heading,
        subject,
    )


# ---------------------------------------------------------------------------------------------
# Issuer names: "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI" -> "UBND tỉnh Đồng Nai", "TỈNH ỦY ĐỒNG NAI" ->
# "Tỉnh ủy Đồng Nai", "BỘ TÀI CHÍNH CỤC THUẾ" -> "Cục Thuế" (the lowest unit names the issuer;
# a local government keeps its place, a subordinate unit does not: the province field has it).
_PARENT = re.compile(r"^(?:BỘ|UBND|ỦY BAN NHÂN DÂN|CỤC|TỔNG CỤC)\b")
_SUBUNIT = re.compile(
    r"(?<![\w])(?:TỔNG CỤC|CHI CỤC|CỤC|SỞ|TRUNG TÂM|THANH TRA|BAN QUẢN LÝ|THUẾ (?=TỈNH|THÀNH PHỐ)|"
    r"KHO BẠC|VĂN PHÒNG(?= ỦY BAN| UBND| HĐND| HỘI ĐỒNG))"
)
_LOCAL = re.compile(
    r"^(?P<head>(?:CHỦ TỊCH\s+)?(?:ỦY BAN NHÂN DÂN|UBND|HỘI ĐỒNG NHÂN DÂN|HĐND|THUẾ)|TỈNH ỦY|THÀNH ỦY|ĐẢNG ỦY)"
    r"(?:\s+(?P<level>TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG))?(?:\s+(?P<place>.+))?$"
)
_LOCAL_HEAD = {
    "ỦY BAN NHÂN DÂN": "UBND",
    "UBND": "UBND",
    "HỘI ĐỒNG NHÂN DÂN": "HĐND",
    "HĐND": "HĐND",
    "TỈNH ỦY": "Tỉnh ủy",
    "THÀNH ỦY": "Thành ủy",
    "ĐẢNG ỦY": "Đảng ủy",
    "THUẾ": "Thuế",
}
_ABBREV = (
    (re.compile(r"Ủy ban nhân dân", re.IGNORECASE), "UBND"),
    (re.compile(r"Hội đồng nhân dân", re.IGNORECASE), "HĐND"),
)
_PROPER = ("Việt Nam", "Chính phủ", "Nhà nước", "Quốc hội", "Trung ương", "Thủ tướng")
# Central bodies as they write their own names (ministries after Nghị định 25-48/2025/NĐ-CP, and
# those before the 2025 restructuring that older directives cite).
_CENTRAL = {
    fold(n).lower(): n
    for n in (
        "Quốc hội",
        "Ủy ban Thường vụ Quốc hội",
        "Chính phủ",
        "Thủ tướng Chính phủ",
        "Văn phòng Chính phủ",
        "Bộ Quốc phòng",
        "Bộ Công an",
        "Bộ Ngoại giao",
        "Bộ Nội vụ",
        "Bộ Tư pháp",
        "Bộ Tài chính",
        "Bộ Công Thương",
        "Bộ Nông nghiệp và Môi trường",
        "Bộ Xây dựng",
        "Bộ Văn hóa, Thể thao và Du lịch",
        "Bộ Khoa học và Công nghệ",
        "Bộ Giáo dục và Đào tạo",
        "Bộ Y tế",
        "Bộ Dân tộc và Tôn giáo",
        "Ngân hàng Nhà nước Việt Nam",
        "Thanh tra Chính phủ",
        "Kiểm toán Nhà nước",
        "Cục Thuế",
        "Cục Hải quan",
        "Bộ Kế hoạch và Đầu tư",
        "Bộ Tài nguyên và Môi trường",
        "Bộ Giao thông vận tải",
        "Bộ Lao động - Thương binh và Xã hội",
        "Bộ Thông tin và Truyền thông",
        "Bộ Nông nghiệp và Phát triển nông thôn",
        "Ủy ban Dân tộc",
        "Tổng cục Thuế",
        "Tổng cục Hải quan",
        "Bảo hiểm xã hội Việt Nam",
        "Tòa án nhân dân tối cao",
        "Viện kiểm sát nhân dân tối cao",
        "Ban Chấp hành Trung ương",
        "Bộ Chính trị",
        "Ban Bí thư",
    )
}
_PLACE_TAIL = re.compile(r"\b(tỉnh|thành phố) (\S+(?: \S+){0,3})$")
_NATIONAL = re.compile(
    r"^(?:Bộ\s|Chính phủ|Thủ tướng|Phó Thủ tướng|Quốc hội|Ủy ban Thường vụ Quốc hội|Văn phòng (?:Chính phủ|Quốc hội|"
    r"Trung ương|Chủ tịch nước)|Chủ tịch nước|Ban Chấp hành Trung ương|Bộ Chính trị|Ban Bí thư|Kiểm toán [Nn]hà nước|"
    r"Ngân hàng Nhà nước|Tòa án nhân dân tối cao|Viện kiểm sát nhân dân tối cao|Cục\s|Tổng cục\s|Vụ\s|"
    r"Bảo hiểm xã hội Việt Nam|Thanh tra Chính phủ|Ủy ban Dân tộc|Ủy ban Trung ương)"
)
_NATIONAL_CODE = re.compile(r"(?:-|/)(?:CP|TTg|VPCP|NHNN|KTNN|UBTVQH\d*|QH\d+|TW|B[A-ZĐ]{1,8})$")
_TITLE_PREFIX = re.compile(
    r"^(?:Bộ trưởng|Thống đốc|Chủ nhiệm|Tổng Kiểm toán|Cục trưởng|Giám đốc)\s+(?=[A-ZĐ])"
)


def _title_word(w: str) -> str:
    return w[:1].upper() + w[1:].lower()


def _place_case(place: str) -> str:
    return " ".join(_title_word(w) if w != "-" else w for w in place.split())


def _mixed_case_in(text: str, upper: str) -> str | None:
    """The same name written in ordinary case somewhere in the text ("Bộ Khoa học và Công nghệ")."""
    pattern = r"\s+".join(re.escape(w) for w in upper.split())
    for m in re.finditer(pattern, text, re.IGNORECASE):
        found = _WS.sub(" ", m.group(0))
        if found[0].isupper() and not is_upper_line(found):
            return found
    return None


def issuer_name(block: str, text: str = "") -> str:
    """A readable issuer name from the capitals of a header block."""
    block = _WS.sub(" ", block).strip(" ,.")
    if _PARENT.match(block):
        units = [m.start() for m in _SUBUNIT.finditer(block) if m.start() > 0]
        if units:
            block = block[units[-1] :]
    m = _LOCAL.match(block)
    if m:
        head = m["head"]
        chair = head.startswith("CHỦ TỊCH")
        core = _WS.sub(" ", head.replace("CHỦ TỊCH", "")).strip()
        parts = (["Chủ tịch"] if chair else []) + [_LOCAL_HEAD[core]]
        if m["level"]:
            parts.append(m["level"].lower())
        if m["place"]:
            parts.append(_place_case(m["place"]))
        return " ".join(parts)
    central = _CENTRAL.get(fold(block).lower())
    if central:
        return central
    found = _mixed_case_in(text, block) if text else None
    if found is None:
        found = block[:1] + block[1:].lower()
        for proper in _PROPER:
            found = re.sub(re.escape(proper.lower()), proper, found)
        tail = _PLACE_TAIL.search(found)
        if tail and provinces.canonical(tail[2]):
            found = found[: tail.start(2)] + _place_case(tail[2])
    for pattern, short in _ABBREV:
        found = pattern.sub(short, found)
    return found


def _actor_name(actor: str) -> str:
    actor = re.sub(r"(?:\s+(?:vừa|đã|mới|cũng))+$", "", _TITLE_PREFIX.sub("", actor.strip()))
    central = _CENTRAL.get(fold(actor).lower())
    if central:
        return central
    for pattern, short in _ABBREV:
        actor = pattern.sub(short, actor)
    return actor


def is_national(issuer: str | None, number: str | None = None) -> bool:
    """A central body: its letters are dated "Hà Nội" but concern no province of their own."""
    if issuer:
        return bool(_NATIONAL.match(issuer)) and not provinces.mentions(issuer)
    return bool(number and _NATIONAL_CODE.search(number))


def _unnamed_local(issuer: str | None) -> bool:
    """ "UBND tỉnh", "Tỉnh ủy": a local body whose text does not say which province."""
    return (
        bool(issuer)
        and re.fullmatch(r"(?:Chủ tịch )?(?:UBND|HĐND|Tỉnh ủy|Thành ủy)(?: tỉnh| thành phố)?", issuer or "")
        is not None
    )


def _block_province(block: str) -> str | None:
    found = provinces.mentions(block)
    if found:
        return found[0]
    return provinces.place_province(block)


# ---------------------------------------------------------------------------------------------
def _recipients(
    text: str, clean: CleanText, offset: int, header_end: int, issuer: str | None
) -> tuple[str, ...]:
    """The "Kính gửi:" addressees right under the header, then the first "Nơi nhận:" list
    (annexed forms carry their own "Kính gửi: ......")."""
    items: list[str] = []
    seen: set[str] = set()
    for m in _RECIPIENTS.finditer(text):
        label = fold(m["label"]).lower()
        if label in seen or (label.startswith("kinh") and m.start() > header_end + 200):
            continue
        seen.add(label)
        rest = (m["rest"] or "").strip()
        if rest:
            if rest.startswith(("-", "+")):
                items.append(_item(rest))
            else:
                if issuer and (cut := rest.find(f" {issuer} ", 3)) > 0:
                    rest = rest[:cut]  # "Kính gửi: Thuế tỉnh Gia Lai Cục Thuế nhận được ..." (a joined line)
                items.append(_inline_recipient(rest, clean, offset + m.start("rest")))
        dangling = False  # a bullet alone on its line: its text is on the next one
        for _, line in _lines(text, m.end() + 1, min(len(text), m.end() + 3000)):
            if not line:
                continue
            if _BULLET.match(line) or dangling:
                item = _item(line)
                dangling = not item
                if item:
                    items.append(item)
                continue
            break
    return tuple(i for i in items if i)


def _inline_recipient(rest: str, clean: CleanText, pos: int) -> str:
    """ "Kính gửi: Thuế tỉnh Gia Lai." - where the cleaner joined the body on, cut at the original line end."""
    short = re.split(r"(?<=[.;])\s", rest, maxsplit=1)[0]
    if len(short) <= 120:
        return _item(short)
    a = clean.original_pos(pos)
    end = clean.original.find("\n", a)
    line = re.sub(r"[*_|#]", "", clean.original[a : end if end >= 0 else len(clean.original)]).strip()
    return _item(line if 2 <= len(line.split()) and len(line) < len(short) else short[:150])


def _item(line: str) -> str:
    return _BULLET.sub("", _BULLET.sub("", line.strip())).strip(" ;,.:")


def _headline(text: str, start: int, lede_at: int) -> str | None:
    for pos, line in _lines(text, start, min(len(text), start + 400)):
        if not line:
            continue
        if pos < lede_at and len(line) <= 250 and not line.endswith(".") and not line.startswith("#"):
            return line
        return None
    return None


def _enacted_subject(text: str, start: int) -> str | None:
    m = _ENACTED_SUBJECT.search(text, start, min(len(text), start + 4000))
    return m["s"].strip(" ,") if m else None


def _lede_subject(text: str, end: int) -> str | None:
    rest = text[end : end + 400].split("\n", 1)[0]
    rest = re.split(r"\.(?:\s|$)", rest, maxsplit=1)[0]
    rest = re.sub(r"^\s*(?:,\s*)?(?:V/v|về việc|về)\s+", "", rest).strip(" ,;")
    return rest or None


def _attached_to(
    text: str, own_type: str | None, subject: str | None
) -> tuple[str | None, str, str | None] | None:
    """An annex's "(Kèm theo Quyết định số 3999/QĐ-BTC ngày 28 tháng 11 năm 2025 ...)": type, number, date.

    Not a document the trích yếu names (an amending Thông tư's annexes cite the one it amends).
    """
    for m in _ATTACHED_TO.finditer(text):
        kind = _type_from_words(m["kind"])
        tail = DOC_NUMBER.match(text, m.end())
        if tail is None or own_type not in (None, kind):
            continue
        number = normalize_number(tail.group(0))
        if not _valid_number(number) or (subject and number in normalize_number(subject)):
            continue
        dm = _DATE_AFTER.match(text, tail.end())
        return kind, number, _iso(dm["d"], dm["m"], dm["y"]) if dm else None
    return None


@dataclass(frozen=True)
class Explained:
    """Metadata plus where each field came from ("header", "summary", "lede", ...)."""

    meta: Metadata
    sources: dict[str, str]


def _first(sources: dict[str, str], field: str, candidates: list[tuple[str, str | None]]) -> str | None:
    """The first candidate value that is present; records which source gave it."""
    for name, value in candidates:
        if value:
            sources[field] = name
            return value
    return None


def _summary_date(summary: dict[str, str]) -> str | None:
    m = _DMY.search(summary.get("Ngày ban hành", ""))
    return _iso(*m.groups()) if m else None


def explain_metadata(clean: CleanText, source: str = "") -> Explained:
    """Metadata of the first document in `clean`, with the source of each field."""
    first_start, first_end = split_documents(clean)[0]
    text = clean.text[first_start:first_end]
    src: dict[str, str] = {}
    summary, summary_end = _summary(text)
    head = _header(text, summary_end)
    lede = _LEDE.search(text, summary_end, min(len(text), summary_end + 2500))
    lede_number = _number_at(text, lede.end()) if lede else None
    if lede is None or lede_number is None:
        lede = None
    attached = _attached_to(text, head.type, head.subject)
    adopted = _ADOPTED.search(text, head.end)
    real_header = head.has_motto  # else a library summary is the better source than stray "Số"s

    number = _first(
        src,
        "number",
        [
            ("header", head.number if real_header else None),
            ("summary", _number_at(summary["Số hiệu"], 0) if "Số hiệu" in summary else None),
            ("header", head.number),
            ("lede", None if head.blank_number else lede_number),
            ("annex reference", attached[1] if attached and not head.blank_number else None),
        ],
    )
    when = _first(
        src,
        "date",
        [
            ("header", head.date if real_header else None),
            ("summary", _summary_date(summary)),
            ("header", head.date),
            ("lede", _iso(lede["d"], lede["m"], lede["y"]) if lede else None),
            ("adoption sentence", _iso(adopted["d"], adopted["m"], adopted["y"]) if adopted else None),
            ("annex reference", attached[2] if attached and attached[1] == number else None),
        ],
    )
    lede_kind = lede and lede["kind"]
    kind = _first(
        src,
        "type",
        [
            ("number code", "Văn bản hợp nhất" if number and "/VBHN-" in number else None),
            ("header", head.type),
            ("header number line", head.number_kind),
            ("V/v line", "Công văn" if _VV.search(text, head.start, head.end) else None),
            ("summary", _type_from_words(summary.get("Loại văn bản", ""))),
            (
                "lede",
                _type_from_words(lede_kind) if lede_kind and fold(lede_kind).lower() != "van ban" else None,
            ),
            ("number code", type_from_number(number) if number else None),
            ("annex reference", attached[0] if attached else None),
        ],
    )

    enacting = _ENACTING.search(text, head.start, min(len(text), head.end + 4000))
    summary_issuer = summary.get("Nơi ban hành")
    if summary_issuer and provinces.canonical(summary_issuer):
        summary_issuer = None  # the library gives a place ("Tỉnh Cao Bằng"), not a body
    issuer = _first(
        src,
        "issuer",
        [
            ("header", issuer_name(head.issuer_block, text) if head.issuer_block else None),
            ("authority line", issuer_name(head.authority, text) if head.authority else None),
            ("lede", _actor_name(lede["actor"]) if lede else None),
            ("enacting sentence", _actor_name(enacting["actor"]) if enacting else None),
            ("summary", summary_issuer),
        ],
    )
    province = _province(src, clean, text, head, issuer, number, summary)
    subject = _first(
        src,
        "subject",
        [
            ("header", head.subject),
            ("headline", _headline(text, summary_end, lede.start()) if lede else None),
            ("lede", _lede_subject(text, lede.end() + len(lede_number or "")) if lede else None),
            ("enacting sentence", _enacted_subject(text, head.end) if head.type or number else None),
        ],
    )
    sigs = signatures(text, head.end)
    signer = _first(
        src, "signer", [("signature", sigs[0].name if sigs else None), ("summary", summary.get("Người ký"))]
    )
    meta = Metadata(
        type=kind,
        number=number,
        date=when,
        issuer=issuer,
        province=province,
        province_2025=provinces.successor(province) if province else None,
        subject=subject,
        signer=signer,
        recipients=_recipients(text, clean, first_start, head.end, issuer),
        cites=tuple(n for n in find_doc_numbers(text) if n != number),
    )
    return Explained(meta, src)


def _province(
    src: dict[str, str],
    clean: CleanText,
    text: str,
    head: _Header,
    issuer: str | None,
    number: str | None,
    summary: dict[str, str],
) -> str | None:
    """The province at issue time: named by the issuing body, else its place, else (for "UBND tỉnh"
    that does not say which) the province the text and the page around it name most."""
    block = " ".join(b for b in (head.issuer_block, head.authority) if b)
    if block and (found := _block_province(block)):
        return _first(src, "province", [("issuer block", found)])
    if is_national(issuer, number):
        return None
    return _first(
        src,
        "province",
        [
            ("place-date line", provinces.place_province(head.place) if head.place and issuer else None),
            ("summary", provinces.canonical(summary.get("Nơi ban hành", ""))),
            ("text mentions", provinces.find_in_text(text) if _unnamed_local(issuer) else None),
            (
                "page around the text",
                provinces.find_in_text(clean.original) if _unnamed_local(issuer) else None,
            ),
        ],
    )


def extract_metadata(clean: CleanText, source: str = "") -> Metadata:
    """Metadata of the (first) document in `clean`; fields the text does not give are None.

    `source` (the file path) is accepted for the pipeline's signature; nothing is read from it.
    """
    return explain_metadata(clean, source).meta
