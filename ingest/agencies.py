"""Agency names: one canonical name per agency, found in text however it is spelled.

The table is `ingest/data/agencies.json` (aliases taken from real directive headers, the
collective addressees, reporting bodies, and the 2025 reorganisation under Nghị định
45/2025/NĐ-CP). Matching works on *name tokens*: diacritics folded, lower case, punctuation
dropped, and runs of abbreviation letters joined, so "Sở LĐ-TB&XH", "Sở LĐTB&XH", "sở ldtbxh"
are one spelling, and "Sở Lao động - Thương binh và Xã hội" = "Sở Lao động, Thương binh và Xã
hội" = "so lao dong thuong binh va xa hoi". A token with no vowel letter is an abbreviation
piece (LĐ, TB, XH, KH, ĐT...); "và" between two such pieces is dropped ("KH và ĐT" = "KH&ĐT").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ingest.vietnamese import fold, normalize

_TOKEN = re.compile(r"[0-9a-z]+")
_VOWELS = frozenset("aeiouy")


class UnknownAgency(KeyError):
    """A name that matches no agency or collective of the table."""


@dataclass(frozen=True)
class Agency:
    name: str  # canonical name
    aliases: tuple[str, ...]
    collective: bool = False  # "các sở, ban, ngành", "UBND các huyện, thành phố" ...
    covers: str = "department"  # what a collective addresses: departments | districts | party


@dataclass(frozen=True)
class Mention:
    """An agency (or collective) named in a text: [start, end) of the spelling as written."""

    start: int
    end: int
    agency: Agency
    weak: bool = False  # a generic spelling: an assignee only after "giao", "yêu cầu", "đề nghị"

    @property
    def name(self) -> str:
        return self.agency.name


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    f = fold(ch).lower()
    return f if len(f) == 1 else ch.lower() if len(ch.lower()) == 1 else ch


def fold_text(text: str) -> str:
    """Folded, lower-case text of exactly the same length (offsets carry over)."""
    return "".join(_fold_char(c) for c in text)


def _is_abbrev(tok: str) -> bool:
    return tok.isalpha() and not (set(tok) & _VOWELS)


def name_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) over `text`, joined as the module docstring says."""
    folded = fold_text(normalize(text))
    raw = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(folded)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(raw):
        s, e, tok = raw[i]
        if _is_abbrev(tok):
            j = i
            parts = [tok]
            while True:
                if j + 1 < len(raw) and _is_abbrev(raw[j + 1][2]) and _joined(folded, raw[j][1], raw[j + 1][0]):
                    j += 1
                elif (j + 2 < len(raw) and raw[j + 1][2] == "va" and _is_abbrev(raw[j + 2][2])):
                    j += 2
                else:
                    break
                parts.append(raw[j][2])
            out.append((s, raw[j][1], "".join(parts)))
            i = j + 1
            continue
        out.append((s, e, tok))
        i += 1
    return out


def _joined(folded: str, end: int, start: int) -> bool:
    """Two abbreviation pieces belong together when only -, &, / or one space separates them."""
    gap = folded[end:start]
    return gap.strip(" ") in ("", "-", "&", "/", ",") and len(gap) <= 3


def name_key(text: str) -> str:
    """The comparison form of a name: its tokens joined by single spaces."""
    return " ".join(t for _, _, t in name_tokens(text))


@dataclass(frozen=True)
class Merger:
    predecessor: str
    successor: str
    note: str = ""


class AgencyTable:
    """Loaded from agencies.json; `find()` spots every agency named in a text."""

    def __init__(self, data: dict) -> None:
        self.source: str = data["reorganisation"]["source"]
        self.effective: str = data["reorganisation"]["effective"]
        agencies = [Agency(a["name"], tuple(a["aliases"])) for a in data["agencies"]]
        agencies += [Agency(c["name"], tuple(c["aliases"]), True, c["covers"]) for c in data["collectives"]]
        self.agencies: dict[str, Agency] = {a.name: a for a in agencies}
        self._by_key: dict[tuple[str, ...], Agency] = {}
        for a in agencies:
            for spelling in (a.name, *a.aliases):
                toks = tuple(t for _, _, t in name_tokens(spelling))
                self._by_key.setdefault(toks, a)
        self._first: dict[str, list[tuple[str, ...]]] = {}
        for toks in self._by_key:
            self._first.setdefault(toks[0], []).append(toks)
        for lst in self._first.values():
            lst.sort(key=len, reverse=True)
        self._weak = {tuple(t for _, _, t in name_tokens(x)) for x in data.get("trigger_only", {}).get("aliases", ())}
        self.titles = tuple(tuple(t for _, _, t in name_tokens(x)) for x in data.get("titles", ()))
        self.report_bodies = tuple(data.get("report_bodies", ()))
        self.mergers = tuple(Merger(m["from"], m["into"], m.get("note", "")) for m in data["reorganisation"]["mergers"])
        for m in self.mergers:
            for n in (m.predecessor, m.successor):
                if n not in self.agencies:
                    raise ValueError(f"agencies.json: merger names unknown agency {n!r}")

    # ---- lookups --------------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Every agency named in `text`, longest spelling first, left to right, no overlaps."""
        toks = name_tokens(text)
        words = [t for _, _, t in toks]
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            for cand in self._first.get(words[i], ()):
                if tuple(words[i : i + len(cand)]) == cand:
                    weak = cand in self._weak or cand[0] == "nganh"
                    out.append(Mention(toks[i][0], toks[i + len(cand) - 1][1], self._by_key[cand], weak))
                    i += len(cand)
                    break
            else:
                i += 1
        return out

    def lookup(self, name: str) -> Agency | None:
        """The agency a whole name denotes ("Giám đốc Sở KH&ĐT", "so y te"), or None."""
        toks = tuple(t for _, _, t in name_tokens(name))
        for title in self.titles:
            if toks[: len(title)] == title:
                toks = toks[len(title) :]
                break
        if toks in self._by_key:
            return self._by_key[toks]
        found = self.find(name)
        return found[0].agency if len(found) == 1 else None

    def exact(self, name: str) -> Agency | None:
        """The agency one of whose spellings is exactly `name` (name tokens compared), or None."""
        return self._by_key.get(tuple(t for _, _, t in name_tokens(name)))

    def canonical(self, name: str) -> str:
        agency = self.lookup(name)
        if agency is None:
            raise UnknownAgency(name)
        return agency.name

    def successors(self, name: str) -> tuple[str, ...]:
        """Agencies that took over `name` in the 2025 reorganisation (empty if it kept going)."""
        canon = self.canonical(name)
        return tuple(m.successor for m in self.mergers if m.predecessor == canon)

    def predecessors(self, name: str) -> tuple[str, ...]:
        """Agencies merged into `name` in the 2025 reorganisation."""
        canon = self.canonical(name)
        return tuple(m.predecessor for m in self.mergers if m.successor == canon)

    def collectives_covering(self, name: str) -> tuple[str, ...]:
        """Collective addressees that include `name`: every provincial agency is one of "các
        sở, ban, ngành"; district people's committees and party committees are other groups."""
        agency = self.agencies.get(self.canonical(name))
        if agency is None or agency.collective:
            return ()
        return tuple(a.name for a in self.agencies.values() if a.collective and a.covers == "departments")


@lru_cache(maxsize=1)
def table() -> AgencyTable:
    raw = resources.files("ingest").joinpath("data/agencies.json").read_text(encoding="utf-8")
    return AgencyTable(json.loads(raw))


def canonical(name: str) -> str:
    return table().canonical(name)


def successors(name: str) -> tuple[str, ...]:
    return table().successors(name)


def predecessors(name: str) -> tuple[str, ...]:
    return table().predecessors(name)
