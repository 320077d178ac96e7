"""The grammar of figures, dates and durations in administrative Vietnamese, on folded lower-case
text (`ingest.vietnamese.fold`): one place read by the answer cues (`answer.extract.cue`) and by
the short answer (`answer.short_answer`), so "a figure with its unit" means the same to both.

- a figure: a number with its unit ("400 trieu usd", "1.700 ha", "03 lan/tuan", "02 gb", "300m",
  "55%"), a qualifier before it ("it nhat", "toi thieu") and a short parenthesis after it;
- a date or period with its lead word ("truoc ngay 31/5/2026", "trong thang 11/2025", "quy iv");
- a duration ("cham nhat 20 ngay lam viec", "trong vong 03 thang").
"""

from __future__ import annotations

import re

NUM = r"\d+(?:[.,]\d+)*(?:/\d+(?:[.,]\d+)*)?"  # "1.700", "6,05", "40/121" (of 121)
TIME_UNIT = r"(?:ngay|tuan|thang|quy|nam|gio|phut)"
UNIT_WORDS = (r"(?:%|trieu|ty|nghin|ngan|dong|usd|tan|kg|gb|mb|tb|ha|km2|km|m2|m3|m|cm|mw|kw|kwh|lan|"
              r"ngay lam viec|ngay|tuan|thang|nam|gio|phut|nguoi|ho|xa|phuong|doanh nghiep|ca|con|cay|"
              r"chiec|diem|truong|lop|hoc sinh|benh vien|giuong|co so|san pham|du an|tour|luot)")
QUALIFIER = r"(?:it nhat|toi thieu|toi da|tren|duoi|hon|khoang|gan|it hon|khong qua|khong duoi)"
FIGURE = re.compile(
    rf"(?:(?P<q>{QUALIFIER})\s+)?(?P<n>{NUM}(?:\s*-\s*{NUM})?)"
    rf"(?P<u>(?:\s*%|\s*{UNIT_WORDS}\b(?:\s+{UNIT_WORDS}\b)*)(?:/{TIME_UNIT}\b)?)?"
    r"(?P<p>\s*\([^()]{1,40}\))?"
)
_DAY = r"(?:ngay\s+)?\d{1,2}(?:/\d{1,2}(?:/\d{4})?|\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?)"
_MONTH = r"thang\s+\d{1,2}(?:/\d{4}|\s+nam\s+\d{4})?"
_PERIOD = rf"(?:{_DAY}|{_MONTH}|quy\s+(?:[iv]+|\d)(?:/\d{{4}}|\s+nam\s+\d{{4}})?|nam\s+\d{{4}}|ngay\s+\d{{1,2}})"
_LEAD = r"(?:truoc ngay|truoc|cham nhat (?:la |vao |trong )?(?:ngay )?|trong|den|tu|vao|ke tu|sau)"
_EVERY = r"(?:\s+(?:hang|dinh ky)\s+(?:ngay|tuan|thang|quy|nam))"
DATE = re.compile(rf"(?:(?P<lead>{_LEAD})\s+)?(?P<d>{_PERIOD}){_EVERY}?(?!\d)")
DURATION = re.compile(rf"(?:(?P<q>{QUALIFIER}|cham nhat(?: trong)?|trong vong|trong)\s+)?{NUM}\s+"
                      r"(?:ngay lam viec|ngay|tuan|thang|nam|gio)\b")
# "trong bao nhiêu ngày", "mấy tháng": the question asks for a duration, not a date.
ASKS_DURATION = re.compile(r"\b(?:bao nhieu|may)\s+(?:ngay|tuan|thang|nam|gio)\b")


def measured_figures(lower: str, asked: str) -> list[re.Match[str]]:
    """The figures of `lower` that carry a unit, a % or a parenthesis, are not part of a date, and
    whose number the question (`asked`, folded lower-case) does not already contain."""
    dates = [m.span() for m in DATE.finditer(lower) if "/" in m.group("d") or "thang" in m.group("d")]
    out = []
    for m in FIGURE.finditer(lower):
        if not m.group("u") and "(" not in (m.group("p") or ""):
            continue
        n = m.group("n")
        if any(s <= m.start("n") < e for s, e in dates) or re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d.,])", asked):
            continue
        out.append(m)
    return out
