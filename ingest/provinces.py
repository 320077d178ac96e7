"""Provinces before and after the 2025 merger, and finding the issuing province in a text.

Nghị quyết 202/2025/QH15 of Quốc hội (12/6/2025, in force 1/7/2025) merged the 63 provinces and
centrally-run cities into 34; Thừa Thiên Huế had already become thành phố Huế on 1/1/2025
(Nghị quyết 1314/NQ-UBTVQH15). A 2020 Kon Tum directive keeps "Kon Tum" as its province and gets
"Quảng Ngãi" as its 2025 province; a filter for "Quảng Ngãi" must find it (`names_for`).

Every lookup is diacritic- and case-insensitive through `ingest.vietnamese.fold`: "kon tum",
"Kon Tum", "KON TUM", "Kontum" and "tỉnh Kon Tum" are the same key. The table is
`ingest/data/provinces.json`, read once through importlib.resources.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from domain.errors import ChidaoError
from ingest.vietnamese import fold


class UnknownProvince(ChidaoError, KeyError):
    """A name that is none of the 63 + 34 provinces nor one of their listed spellings."""


@dataclass(frozen=True)
class Province:
    name: str  # the short form stored in Metadata.province ("Kon Tum", "Huế", "TP Hồ Chí Minh")
    kind: str  # "tỉnh" | "thành phố"
    current: bool  # one of the 34 provinces from 1/7/2025
    successor: str  # the 2025 province that covers it (itself when current)
    predecessors: tuple[str, ...]  # for a current province: the pre-merger ones it absorbed


@dataclass(frozen=True)
class _Table:
    current: dict[str, Province]
    former: dict[str, Province]  # the 63 as they stood before the merger, by name
    keys: dict[str, str]  # lookup key -> name (a current name wins over a former one)
    mention: re.Pattern[str]  # "tỉnh X" / "thành phố X" / "UBND tỉnh X", over folded text, any case
    bare: re.Pattern[str]  # the name alone, Title Case, over folded text
    names_by_folded: dict[str, str]  # folded spelling (lower, single spaces) -> name


# "tỉnh", "thành phố", "TP.", "T.P" in front of a name; applied to folded lower-case text.
_PREFIX = re.compile(r"^\s*(?:tinh|thanh\s*pho|t\.?\s*p)\b\.?\s*")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    folded = fold(name).lower()
    return _NON_ALNUM.sub("", _PREFIX.sub("", folded, count=1))


def _spelling_pattern(spelling: str) -> str:
    """Regex for one folded spelling: words separated by spaces or a hyphen, any amount of either."""
    words = [w for w in re.split(r"[\s\-]+", fold(spelling)) if w]
    return r"(?:\s*-\s*|\s+)".join(re.escape(w) for w in words)


def _compile(spellings: dict[str, str], flags: int, head: str) -> re.Pattern[str]:
    # Longest first, so "Thừa Thiên Huế" wins over "Huế" and "Bà Rịa - Vũng Tàu" over nothing.
    alts = sorted(spellings, key=len, reverse=True)
    body = "|".join(_spelling_pattern(s) for s in alts)
    return re.compile(rf"{head}(?P<name>{body})(?![\w])", flags)


@lru_cache(maxsize=1)
def _table() -> _Table:
    raw = json.loads(resources.files("ingest").joinpath("data/provinces.json").read_text(encoding="utf-8"))
    current: dict[str, Province] = {}
    former: dict[str, Province] = {}
    keys: dict[str, str] = {}
    in_text: dict[str, str] = {}  # spelling as written -> name, searched in running text
    prefix_only: set[str] = set()
    for entry in raw["provinces_pre_2025"]:
        p = Province(entry["name"], entry["kind"], False, entry["successor"], ())
        former[p.name] = p
    for entry in raw["provinces_2025"]:
        p = Province(entry["name"], entry["kind"], True, entry["name"], tuple(entry["predecessors"]))
        current[p.name] = p
    for entries in (raw["provinces_pre_2025"], raw["provinces_2025"]):  # current names override
        for entry in entries:
            name = entry["name"]
            for spelling in [name, *entry["variants"], *entry["abbreviations"], *entry["prefix_only"]]:
                keys[_key(spelling)] = name
            for spelling in [name, *entry["variants"]]:
                in_text[spelling] = name
            for spelling in entry["prefix_only"]:
                in_text[spelling] = name
                prefix_only.add(spelling)
    # Strip a leading "TP " from names like "TP Hồ Chí Minh": the prefix pattern already reads it.
    mention_spellings = {re.sub(r"^TP\.? ", "", s): n for s, n in in_text.items()}
    bare_spellings = {s: n for s, n in in_text.items() if s not in prefix_only}
    head = r"(?<![\w])(?:(?:UBND|Uy ban nhan dan|HDND|Hoi dong nhan dan|Tinh uy|Thanh uy)\s+)?(?:tinh|thanh pho|TP\.?)\s*"
    mention = _compile(mention_spellings, re.IGNORECASE, head)
    bare = _compile(bare_spellings, 0, r"(?<![\w])")
    names_by_folded = {_norm(fold(s)): n for s, n in [*in_text.items(), *mention_spellings.items()]}
    return _Table(current, former, keys, mention, bare, names_by_folded)


def canonical(name: str) -> str | None:
    """The stored name for any spelling of a province, old or new; None when it is not one."""
    if not name or not name.strip():
        return None
    return _table().keys.get(_key(name))


def _lookup(name: str) -> Province:
    t = _table()
    found = canonical(name)
    if found is None:
        raise UnknownProvince(name)
    return t.current.get(found) or t.former[found]


def is_current(name: str) -> bool:
    """True for one of the 34 provinces in force from 1/7/2025."""
    return _lookup(name).current


def successor(old_name: str) -> str:
    """The 2025 province covering `old_name` ("Kon Tum" -> "Quảng Ngãi"); a 2025 name maps to itself."""
    return _lookup(old_name).successor


def predecessors(new_name: str) -> tuple[str, ...]:
    """The pre-merger provinces a 2025 province absorbed ("Đồng Nai" -> ("Đồng Nai", "Bình Phước")).

    A pre-merger name that did not survive gives its own name only.
    """
    p = _lookup(new_name)
    return p.predecessors if p.current else (p.name,)


def names_for(name: str) -> set[str]:
    """Province names a filter for `name` should accept in Metadata.province.

    A 2025 province takes in every province it absorbed ("Quảng Ngãi" -> {"Quảng Ngãi", "Kon Tum"});
    a province merged away matches itself only ("Kon Tum" -> {"Kon Tum"}): a 2026 Quảng Ngãi
    directive is not a Kon Tum one. A pure rename keeps both names ("Thừa Thiên Huế" <-> "Huế").
    Empty for a name that is no province (a filter typed by a user must not raise).
    """
    if canonical(name) is None:
        return set()
    p = _lookup(name)
    if p.current:
        return {p.name, *p.predecessors}
    heir = _table().current[p.successor]
    return {p.name, heir.name} if heir.predecessors == (p.name,) else {p.name}


# "Đồng Nai, ngày 30 tháng 7 năm 2020" (Nghị định 30/2020/NĐ-CP, Phụ lục I: địa danh, ngày tháng năm).
_PLACE_DATE = re.compile(
    r"(?im)^[ \t]*(?P<place>[a-z][a-z .\-]{1,40}?)[ \t]*,[ \t]*ngay[ \t]+\d{1,2}[ \t]*(?:thang|/)"
)


def _most_frequent(names: list[str]) -> str | None:
    if not names:
        return None
    counts = Counter(names)
    best = max(counts.values())
    return next(n for n in names if counts[n] == best)  # ties: the first mentioned


def place_province(place: str) -> str | None:
    """The province named by the place of a place-date line, trying its trailing words
    ("Thành phố Hồ Chí Minh" -> "TP Hồ Chí Minh"; "Kon Tum" -> "Kon Tum"; "Biên Hòa" -> None)."""
    words = place.split()
    for i in range(len(words)):
        found = canonical(" ".join(words[i:]))
        if found:
            return found
    return None


def mentions(text: str) -> list[str]:
    """Provinces named with their level in `text` ("tỉnh Kon Tum", "UBND thành phố Huế"), in order."""
    t = _table()
    return [t.names_by_folded[_norm(m.group("name"))] for m in t.mention.finditer(fold(text))]


def bare_mentions(text: str) -> list[str]:
    """Provinces named alone in Title Case ("Sâm Ngọc Linh Kon Tum", "PBGDPL Thái Nguyên"), in order."""
    t = _table()
    return [t.names_by_folded[_norm(m.group("name"))] for m in t.bare.finditer(fold(text))]


def spellings() -> dict[str, str]:
    """Every listed spelling, folded lower-case with single spaces ("ba ria vung tau"), -> its name."""
    return dict(_table().names_by_folded)


def _norm(found: str) -> str:
    return _SPACES.sub(" ", found.lower().replace("-", " ")).strip()


def find_in_text(text: str) -> str | None:
    """The province a text names as its issuing place, or None.

    In order: the place of a place-date line ("Đồng Nai, ngày 30 tháng 7 năm 2020"); the province
    most often named with its level ("tỉnh Kon Tum", "UBND thành phố Huế"); the province most often
    named alone in Title Case ("Cổng thông tin PBGDPL Thái Nguyên"). A national body's letter dated
    "Hà Nội, ngày ..." returns "Hà Nội": deciding that a ministry has no province is the caller's job.
    """
    folded = fold(text)
    for m in _PLACE_DATE.finditer(folded):
        found = place_province(m.group("place"))
        if found:
            return found
    return _most_frequent(mentions(text)) or _most_frequent(bare_mentions(text))
