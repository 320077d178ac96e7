"""Vietnamese tokenizer for BM25: syllables, in-clause bigrams, numbers, document numbers, abbreviations.

`tokenize(text)` runs `ingest.vietnamese.normalize` (NFC, one tone placement), lower-cases, and
emits all unigrams in text order, then all bigrams in text order:

- every syllable, one-letter ones included ("Sở Y tế" -> "sở", "y", "tế"), and every
  syllable pair inside a clause joined by "_" ("sở_y", "y_tế"). Clauses end at . , ; : ! ? ( ) [ ]
  quotes | / \\, at a blank line and at a line-start bullet; a single newline (hard-wrapped web
  text) and a dash between words ("Lao động - Thương binh") do not end one.
- numbers as one token each, with leading zeros dropped so that "06/01/2020" = "6/1/2020",
  "08" = "8": "2", "15/8/2020", "6,05", "18:21". A date is one token, so "2020" does not match
  every date of that year.
- document numbers (số ký hiệu) as one token, spaces dropped, dashes unified, lower-case,
  leading zeros dropped: "1536/UBND-KTTH" -> "1536/ubnd-ktth", "8888 /UBND-THNC" ->
  "8888/ubnd-thnc", "01/NQ-CP" -> "1/nq-cp"; followed by the bare number ("1536"), which also
  stands for the document number in the bigram chain ("số_1536"). "Nghị quyết 138/NQ-CP" then
  matches on a rare whole token (high idf) while "138" alone matches only documents that carry
  the number 138 at all; the year of "117/2020/NĐ-CP" is not emitted, so "2020" does not flood.
- abbreviations from `index/data/abbreviations.txt` as their key plus their expansion, inline:
  "Sở KH&ĐT" -> "sở", "khđt", "kế", "sở_kế", "hoạch", "kế_hoạch", ... The same happens to
  queries and to documents, so "Sở KH&ĐT" and "Sở Kế hoạch và Đầu tư" share every token but the
  key. Expanding at both ends (not only in queries) is what lets a full-name query reach a
  document that only writes the abbreviation with the same syllables and bigrams, and score it
  like one that writes the name in full; a query-only scheme would have to map the full name back
  to the abbreviation and could only ever match that one token.

`tokenize(text, folded=True)` strips diacritics after normalising (ingest.vietnamese.fold), for
the folded index field that serves queries typed without them.

Pure Python, one precompiled scanner regex; plain runs of words (most of any text) are handled a
run at a time. About 3-4 M characters/s on one core (2,000 scale-corpus documents, 20 M chars).
See tests/unit/index/test_tokenize.py for the exact token lists.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import cast

from ingest.vietnamese import fold, nfc, normalize, normalize_tones

# Bump when the tokens for some text change (rules or data): it goes into index manifests.
TOKENIZER_VERSION = "vi-syl-bigram-1"

_DATA = Path(__file__).parent / "data"
ABBREVIATIONS_FILE = _DATA / "abbreviations.txt"
STOPWORDS_FILE = _DATA / "stopwords.txt"

_L = r"[^\W\d_]"  # a letter
_A = r"[^\W_]"  # a letter or a digit
_GROUP = rf"{_L}(?:{_A}|&)*"  # one part of a document number's code: QĐ, NĐ, BNN&PTNT, QH14
_SLASH = r"[ \t]*/[ \t]*"
# Số ký hiệu after Nghị định 30/2020/NĐ-CP and party rules: 1536/UBND-KTTH, 117/2020/NĐ-CP,
# 59/2020/QH14, 1098-KL/TU. Two code parts are required unless a year is present, so "50/ha" or
# "3/tháng" never become document numbers; dates have no letters and never match.
_DOCNUM = (
    rf"\d+{_L}?(?:{_SLASH}(?:19|20)\d\d{_SLASH}{_GROUP}(?:[-–/]{_GROUP})*"
    rf"|(?:{_SLASH}|[-–]){_GROUP}(?:[-–/]{_GROUP})+)"
)
_WS = r"[ \t\r\u00a0]"
# A run of plain letter words, at most one newline apart: the common case, handled per run.
# A word followed by a digit or by "&", "-", "," and a letter belongs to another alternative.
_RUN_WORD = rf"{_L}+(?!{_A}|[&,\-–]{_A})"
_BREAK_CHAR = r"[.,;:!?()\[\]{}\"“”«»…|/\\]"
# Alternatives, most frequent in the middle; a run may start with the clause break before it
# (group x), which saves a Python-level iteration per punctuation mark.
_TOKEN = re.compile(
    rf"(?P<d>{_DOCNUM})"
    rf"|(?P<n>\d+(?:[.,/:]\d+)*)(?!{_A})"
    rf"|(?P<p>(?:(?P<x>{_BREAK_CHAR}){_WS}*)?"
    rf"(?P<r>{_RUN_WORD}(?:(?:{_WS}+\n?|\n){_WS}*{_RUN_WORD})*))"
    rf"|(?P<w>{_A}+)(?P<t>(?:[&,\-–]{_L}{_A}*)+)?"
    rf"|(?P<b>{_BREAK_CHAR}|\r?\n[ \t\r]*(?:\n|[-–—+•*>#]))"
)
_COMPOUND_SEP = re.compile(r"([&,\-–])")
_ALNUM = re.compile(r"[^\W_]+")
_KEY_DROP = str.maketrans("", "", "&-–, ")
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")
_DOCNUM_LEAD = re.compile(r"\d+")
# A document-type code is expanded when a number follows it after this much space at most.
_GAP = r"[ \t\r\u00a0]*(?:\n[ \t\r\u00a0]*)?"  # one optional newline; linear (no nested choice of where a run splits)
_GAP_ONLY = re.compile(_GAP)
_NUMBER_AHEAD = re.compile(_GAP + r"\d")
_LETTERS = re.compile(r"[^\W\d_]+")
_EMPTY: frozenset[str] = frozenset()
_CANON_MAX = 500_000  # entries per memo table; cleared when full (the vocabulary is small)


@dataclass(frozen=True)
class Abbreviation:
    """One line of index/data/abbreviations.txt."""

    short: str  # as usually written: "KH&ĐT"
    expansion: str  # "Kế hoạch và Đầu tư"
    when: str  # "always" | "before-number"
    source: str


# Items of an expansion: syllables, with None where the expansion itself has a clause break.
_Items = tuple[str | None, ...]


@dataclass(frozen=True)
class _Lexicon:
    """The data files compiled for one form of the text (with or without diacritics)."""

    always: Mapping[str, _Items]
    before_number: Mapping[str, _Items]
    special: frozenset[str]  # keys of both, for one membership test per word
    stopwords: frozenset[str]


def abbreviation_key(short: str) -> str:
    """The lookup key of an abbreviation: lower-case, without & - – , ("KH&ĐT" -> "khđt")."""
    return normalize(short).lower().translate(_KEY_DROP)


def _read_rows(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def abbreviations() -> Mapping[str, Abbreviation]:
    """The curated abbreviations by key (`abbreviation_key`), read once from index/data."""
    table: dict[str, Abbreviation] = {}
    for row in _read_rows(ABBREVIATIONS_FILE):
        short, expansion, when, source = row.split("\t")
        if when not in ("always", "before-number"):
            raise ValueError(f"{ABBREVIATIONS_FILE}: unknown 'when' {when!r} for {short}")
        key = abbreviation_key(short)
        if key in table:
            raise ValueError(f"{ABBREVIATIONS_FILE}: {short} duplicates {table[key].short}")
        table[key] = Abbreviation(short, normalize(expansion), when, source)
    return MappingProxyType(table)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = frozenset(normalize(w.strip()).lower() for w in _read_rows(STOPWORDS_FILE))
    short = sorted(w for w in words if len(w) < 2)
    if short:
        raise ValueError(f"{STOPWORDS_FILE}: one-letter syllables must never be stopwords: {short}")
    return words


class _FoldTable(dict[int, str]):
    """str.translate table equal to ingest.vietnamese.fold, char by char, filled on demand.

    fold() decomposes and recomposes the whole string (6 MB/s); on NFC text, which is what
    normalize() returns, folding each character on its own gives the same string (checked on the
    seeds in tests, and on 2,000 scale-corpus documents) at the speed of str.translate.
    """

    def __missing__(self, code: int) -> str:
        folded = fold(chr(code))
        self[code] = folded
        return folded


@lru_cache(maxsize=1)
def _fold_table() -> _FoldTable:
    table = _FoldTable()
    for code in (*range(0x00C0, 0x0250), *range(0x0300, 0x0370), *range(0x1E00, 0x1F00)):
        table[code]  # fills the entry
    return table


def fold_fast(text: str) -> str:
    """`ingest.vietnamese.fold` for NFC text, via one str.translate."""
    return text.translate(_fold_table())


_FOLDED: dict[str, str] = {}


def fold_tokens(tokens: list[str]) -> list[str]:
    """Each token folded (memoised per token: five times faster than translating the joined text).

    The lexical index fills its folded field this way; see index/lexical.py for why this and
    not a second `tokenize(text, folded=True)` pass.
    """
    cached = list(map(_FOLDED.get, tokens))
    if None not in cached:
        return cast(list[str], cached)
    if len(_FOLDED) >= _CANON_MAX:
        _FOLDED.clear()
    table = _fold_table()
    out: list[str] = []
    for token, folded in zip(tokens, cached):
        if folded is None:
            folded = _FOLDED[token] = token.translate(table)
        out.append(folded)
    return out


def _expansion_items(expansion: str, folded: bool) -> _Items:
    text = normalize(expansion).lower()
    if folded:
        text = fold_fast(text)
    items: list[str | None] = []
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "b":
            items.append(None)
        elif m.lastgroup == "t":  # "Lao động - Thương binh": dashes keep the chain, commas break it
            for piece in _COMPOUND_SEP.split(m.group()):
                if piece == ",":
                    items.append(None)
                elif piece and piece not in "&-–":
                    items.append(piece)
        elif m.lastgroup == "p":
            if m.group("x") is not None:
                items.append(None)
            items.extend(m.group("r").split())
        else:
            items.append(m.group())
    return tuple(items)


@lru_cache(maxsize=2)
def _lexicon(folded: bool) -> _Lexicon:
    always: dict[str, _Items] = {}
    before: dict[str, _Items] = {}
    for key, abbr in abbreviations().items():
        k = fold_fast(key) if folded else key
        table = always if abbr.when == "always" else before
        if k in always or k in before:
            raise ValueError(f"{ABBREVIATIONS_FILE}: {abbr.short} collides with another key once folded")
        table[k] = _expansion_items(abbr.expansion, folded)
    stop = frozenset(fold_fast(w) for w in stopwords()) if folded else stopwords()
    return _Lexicon(always, before, frozenset(always) | frozenset(before), stop)


def _canonical_number(number: str) -> str:
    if "/" in number:
        return "/".join(_LEADING_ZEROS.sub("", part) for part in number.split("/"))
    return _LEADING_ZEROS.sub("", number)


def _canonical_docnum(raw: str) -> str:
    return _LEADING_ZEROS.sub("", raw.replace(" ", "").replace("\t", "").replace("–", "-"))


def canonical_doc_number(number: str) -> str:
    """The token a document number becomes: "8888 /UBND-THNC" -> "8888/ubnd-thnc".

    Also the form the lexical index stores cited numbers in, so filters compare like tokens.
    """
    return _canonical_docnum(normalize(number).strip().lower())


_CANON: dict[str, str] = {}


def _canon(word: str) -> str:
    """normalize_tones for one lower-case NFC word, memoised (the vocabulary is small).

    A foreign word can come back with a combining mark inside ("liǔqín" -> "liǔ́qin": the tone
    moves onto a vowel with no precomposed form); such results are not memoised, so that the
    caller's slow path sees them and splits them as normalize() followed by the scanner would.
    """
    canon = _CANON.get(word)
    if canon is None:
        canon = normalize_tones(word)
        if canon.isalnum():
            if len(_CANON) >= _CANON_MAX:
                _CANON.clear()
            _CANON[word] = canon
    return canon


def _canon_words(words: list[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        canon = _canon(w)
        if canon.isalnum():
            out.append(canon)
        else:
            out.extend(_ALNUM.findall(canon))
    return out


def tokenize(text: str, *, folded: bool = False, drop_stopwords: bool = False) -> list[str]:
    """Tokens for BM25, documents and queries alike (see the module docstring for the rules).

    Returns every unigram in text order, then every bigram in text order. `folded` strips
    diacritics after normalising; `drop_stopwords` drops the syllables of index/data/stopwords.txt
    as unigrams but keeps the bigrams they are part of.
    """
    # normalize() then lower() is applied as NFC + lower() here and tone placement per word
    # below (memoised): the same tokens (tested), at twice the speed. Folding removes tone marks
    # anyway, so the folded form needs no tone placement at all.
    text = nfc(text).lower()
    if folded:
        text = text.translate(_fold_table())
    return _tokens(text, folded, drop_stopwords, canonical=not folded)


def _tokens(text: str, folded: bool, drop_stopwords: bool, canonical: bool) -> list[str]:
    """The scanner behind tokenize(); `text` is NFC and lower-case (and folded if `folded`)."""
    lex = _lexicon(folded)
    always, before, special = lex.always, lex.before_number, lex.special
    stop = lex.stopwords if drop_stopwords else _EMPTY
    canon = _canon if canonical else str
    uni: list[str] = []
    bi: list[str] = []
    prev: str | None = None  # the last syllable of the current clause

    def chain(items: _Items, prev: str | None) -> str | None:
        for s in items:
            if s is None:
                prev = None
                continue
            if s not in stop:
                uni.append(s)
            if prev is not None:
                bi.append(f"{prev}_{s}")
            prev = s
        return prev

    def word(w: str, prev: str | None) -> str | None:
        items = always.get(w)
        if items is None:
            if not w.isalnum():  # a combining mark left inside by tone placement: see _canon
                return chain(tuple(_ALNUM.findall(w)), prev)
            return chain((w,), prev)
        uni.append(w)
        return chain(items, prev)

    pending: str | None = None  # a document-type code waiting to see whether a number follows
    pending_end = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if pending is not None:
            if (kind == "n" or kind == "d") and _GAP_ONLY.fullmatch(text, pending_end, m.start()):
                uni.append(pending)
                prev = chain(before[pending], prev)
            else:
                prev = chain((pending,), prev)
            pending = None
        if kind == "p":
            if m.group("x") is not None:
                prev = None
            words = m.group("r").split()
            if canonical:
                cached = list(map(_CANON.get, words))
                words = _canon_words(words) if None in cached else cast(list[str], cached)
            if special.isdisjoint(words):
                uni.extend(words if not stop else [w for w in words if w not in stop])
                if prev is not None:
                    bi.append(f"{prev}_{words[0]}")
                bi.extend([f"{a}_{b}" for a, b in pairwise(words)])
                prev = words[-1]
                continue
            for w in words:  # a run with an abbreviation in it
                if pending is not None:
                    prev = chain((pending,), prev)
                    pending = None
                if w in before:  # only a run's last word can have a number next
                    pending, pending_end = w, m.end()
                else:
                    prev = word(w, prev)
        elif kind == "b":
            prev = None
        elif kind == "w":  # letters and digits: "covid19", "h5n1", "f0"
            w = canon(m.group())
            if w in before:
                pending, pending_end = w, m.end()
            else:
                prev = word(w, prev)
        elif kind == "n":
            prev = chain((_canonical_number(m.group()),), prev)
        elif kind == "d":
            number = _canonical_docnum(canon(m.group()))
            uni.append(number)
            lead = _DOCNUM_LEAD.match(number)
            prev = chain((lead.group() if lead else number,), prev)
        else:  # "t": letters joined by & - – , ("KH&ĐT", "LĐ-TB&XH", "VH,TT&DL", "Cu-ba")
            compound = canon(m.group())
            key = compound.translate(_KEY_DROP)
            if key in always:
                uni.append(key)
                prev = chain(always[key], prev)
                continue
            for piece in _COMPOUND_SEP.split(compound):
                if piece == ",":
                    prev = None
                elif piece and piece not in "&-–":
                    prev = word(piece, prev)
    if pending is not None:
        chain((pending,), prev)
    return uni + bi


def _expand_word(word: str, number_follows: bool) -> str:
    abbr = abbreviations().get(word.lower())
    if abbr is None or (abbr.when == "before-number" and not number_follows):
        return word
    return abbr.expansion


def _expand_match(m: re.Match[str]) -> str:
    kind, text = m.lastgroup, m.group()
    if kind == "p":
        run, head = m.group("r"), text[: m.start("r") - m.start()]
        last_before_number = _NUMBER_AHEAD.match(m.string, m.end()) is not None
        return head + _LETTERS.sub(
            lambda w: _expand_word(w.group(), last_before_number and w.end() == len(run)), run
        )
    if kind == "w":
        return _expand_word(text, _NUMBER_AHEAD.match(m.string, m.end()) is not None)
    if kind == "t":
        abbr = abbreviations().get(text.lower().translate(_KEY_DROP))
        if abbr is not None and abbr.when == "always":
            return abbr.expansion
        return "".join(_expand_word(piece, False) for piece in _COMPOUND_SEP.split(text))
    return text


def expand_abbreviations(text: str) -> str:
    """Normalised `text` with every known abbreviation written out, as tokenize() reads it.

    "Sở KH&ĐT" -> "Sở Kế hoạch và Đầu tư", "theo QĐ 4019" -> "theo Quyết định 4019";
    document numbers stay as they are ("1536/UBND-KTTH"). For embedders and display, which do
    not see tokens; tokenize() applies the same expansions itself.
    """
    return _TOKEN.sub(_expand_match, normalize(text))


@lru_cache(maxsize=1)
def tokenizer_id() -> str:
    """TOKENIZER_VERSION plus a digest of the data files: what an index manifest records."""
    digest = hashlib.sha256()
    for path in (ABBREVIATIONS_FILE, STOPWORDS_FILE):
        digest.update(path.read_bytes())
    return f"{TOKENIZER_VERSION}+{digest.hexdigest()[:12]}"
