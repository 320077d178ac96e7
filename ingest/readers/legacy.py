"""Legacy Vietnamese font encodings: TCVN3 (ABC, ".VnTime") and VNI (VNI-Windows, "VNI-Times").

Before Unicode, Vietnamese documents were typed as 8-bit characters shown through special
fonts. They reach us as Latin-1/Windows-1252 gibberish: TCVN3 "Uû ban nh©n d©n tØnh" and
VNI "UÛy ban nhaân daân tænh" are both "Uỷ ban nhân dân tỉnh".

- TCVN3 is TCVN 5712:1993. The table below is its VN1 variant (the superset; glibc iconv
  "TCVN5712-1" decodes the same bytes to the same letters): one byte per letter, lowercase in
  0xA8-0xFE, uppercase toned vowels in 0x80-0x9F, the gaps of 0xAF-0xFF and 12 C0 positions.
  The everyday ABC fonts (VN3) omit the uppercase toned vowels and show capitals with an
  "H" font (".VnTimeH") over the lowercase codes; that case is recovered from the font name
  by the docx reader, plain text keeps it lowercase.
- VNI-Windows writes a vowel as its ASCII base letter plus a modifier byte (tone, or quality
  mark and tone); ơ ư đ and the toned i's and ỵ have single bytes.

Text arrives in one of two views of the legacy bytes: the Latin-1 view (raw bytes decoded
by this package, unambiguous) or the Windows-1252 view (Word, web pages). In the 1252 view
bytes 0x80-0x9F turn into punctuation (… – “ ” ™ ...); those are converted only inside a word,
so real quotes and dashes around words survive.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

LegacyEncoding = Literal["tcvn3", "vni"]
LEGACY_ENCODINGS: tuple[LegacyEncoding, ...] = ("tcvn3", "vni")

# --- TCVN3 (TCVN 5712:1993, VN1) ------------------------------------------------------------

# Bytes 0x80-0xFF, sixteen per row. 0xA0 and 0xFD map to themselves (NBSP, ý); 0xB0-0xB4 are
# the combining tone marks grave, hook, tilde, acute, dot below.
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨ"  # 0x80
    "ÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"  # 0x90
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ"  # 0xA0
    "\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"  # 0xB0
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽ"  # 0xC0
    "éẹềểễếệìỉỄẾỒĩíịò"  # 0xD0
    "Ổỏõóọồổỗốộờởỡớợù"  # 0xE0
    "ỖủũúụừửữứựỳỷỹýỵỐ"  # 0xF0
)
# VN1 also places twelve uppercase vowels on C0 codes that are not line breaks or tabs.
_TCVN3_LOW = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ", 0x11: "Ứ",
    0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
}  # fmt: skip

TCVN3_BYTES: Mapping[int, str] = {
    **_TCVN3_LOW,
    **{0x80 + i: ch for i, ch in enumerate(_TCVN3_HIGH) if ch != chr(0x80 + i)},
}


def _cp1252(byte: int) -> str | None:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return None


def _tcvn3_views() -> tuple[dict[int, str], dict[str, str]]:
    """(always, inner): `always` maps the Latin-1 view of every byte, and the 1252 view where
    it is a letter (Š Œ Ÿ ...); `inner` maps 1252 punctuation that stands for 0x80-0x9F,
    converted only between two letters."""
    always: dict[int, str] = dict(TCVN3_BYTES)
    inner: dict[str, str] = {}
    for byte in range(0x80, 0xA0):
        view = _cp1252(byte)
        if view is None or view == chr(byte):
            continue
        if view.isalpha():
            always[ord(view)] = TCVN3_BYTES[byte]
        else:
            inner[view] = TCVN3_BYTES[byte]
    return always, inner


_TCVN3_ALWAYS, _TCVN3_INNER = _tcvn3_views()
_TCVN3_INNER_RE = re.compile(r"(?<=[^\W\d_])([" + re.escape("".join(_TCVN3_INNER)) + r"])(?=[^\W\d_])")

# --- VNI-Windows ----------------------------------------------------------------------------

# Tone modifiers in the order acute, grave, hook, tilde, dot below (lowercase; uppercase is
# the byte minus 0x20). A quality mark combines with the tone in one modifier byte.
_TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_VNI_TONE = "ùøûõï"
_VNI_CIRCUMFLEX = "âáàåãä"  # bare, then with each tone
_VNI_BREVE = "êéèúüë"
# Single bytes: ơ ư đ and i/ỵ, which have no room for a separate modifier.
_VNI_SINGLE = {"ô": "ơ", "ö": "ư", "ñ": "đ", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


def _vni_table() -> dict[str, str]:
    """VNI sequence -> Unicode letter, lowercase and uppercase (any case mix of base and modifier)."""
    lower: dict[str, str] = {}
    for base in "aeiouy":
        for tone, mod in zip(_TONES, _VNI_TONE):
            if base != "i":  # the i vowels are single bytes (í ì æ ó ò)
                lower[base + mod] = _compose(base, tone)
    for base in "aeo":
        lower[base + _VNI_CIRCUMFLEX[0]] = _compose(base, "\u0302")
        for tone, mod in zip(_TONES, _VNI_CIRCUMFLEX[1:]):
            lower[base + mod] = _compose(base, "\u0302", tone)
    lower["a" + _VNI_BREVE[0]] = "ă"
    for tone, mod in zip(_TONES, _VNI_BREVE[1:]):
        lower["a" + mod] = _compose("a", "\u0306", tone)
    for single, letter in (("ô", "ơ"), ("ö", "ư")):
        for tone, mod in zip(_TONES, _VNI_TONE):
            lower[single + mod] = _compose(letter, tone)
    del lower["y" + _VNI_TONE[4]]  # ỵ is the single byte î
    table: dict[str, str] = {}
    for seq, letter in lower.items():
        base, mod = tuple(seq)
        for b in (base, base.upper()):
            for m in (mod, mod.upper()):
                table[b + m] = letter.upper() if b.isupper() else letter
    for single, letter in _VNI_SINGLE.items():
        table[single] = letter
        table[single.upper()] = letter.upper()
    return table


VNI_TABLE: Mapping[str, str] = _vni_table()
_VNI_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_TABLE, key=len, reverse=True)))


# --- conversion -----------------------------------------------------------------------------


def to_unicode(text: str, encoding: LegacyEncoding) -> str:
    """Convert legacy-encoded `text` (Latin-1 or Windows-1252 view) to NFC Unicode."""
    if encoding == "tcvn3":
        out = text.translate(_TCVN3_ALWAYS)
        out = _TCVN3_INNER_RE.sub(lambda m: _TCVN3_INNER[m.group(1)], out)
    elif encoding == "vni":
        out = _VNI_RE.sub(lambda m: VNI_TABLE[m.group(0)], text)
    else:
        valid = ", ".join(LEGACY_ENCODINGS)
        raise ValueError(f"unknown legacy encoding {encoding!r}; valid: {valid}")
    return unicodedata.normalize("NFC", out)


# --- plausibility: is a word a Vietnamese syllable? ------------------------------------------

_INITIAL = r"(?:ngh|ng|nh|gh|gi|kh|ph|qu|th|tr|ch|[bcdđghklmnprstvx])?"
_OPEN = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ "
    "iêu oai oao oay oeo uây uôi uya uyu ươi ươu yêu"
)
_CLOSED = "ă â iê yê uô ươ uyê oă uâ"
_EITHER = "a e ê i o ô ơ u ư y oa oe uê uy oo"
_SOFT_FINAL = r"(?:ch|nh)"  # only after a, ê, i, y: anh, ếch, inh, huynh, oanh
_FINAL = r"(?:ng|[cmnpt])"


def _alt(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    rf"{_INITIAL}(?:(?:{_alt(_OPEN)})|(?:{_alt(_CLOSED)}){_FINAL}|(?:{_alt(_EITHER)}){_FINAL}?"
    rf"|(?:{_alt('a ê i y oa uê uy')}){_SOFT_FINAL})"
)
_TONE_MARKS = frozenset(_TONES)


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True if `word` is spelled like one Vietnamese syllable (at most one tone mark)."""
    nfd = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONE_MARKS for ch in nfd) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in _TONE_MARKS))
    return _SYLLABLE.fullmatch(bare) is not None


# --- detection ------------------------------------------------------------------------------

_SAMPLE_CHARS = 200_000
_MAX_WORDS = 4000
_SPLIT = re.compile(r"[ \t\n\r\f\v]+")  # ASCII only: str.split() would cut at TCVN3's 0x85
_EDGE = "\"'()[]{}<>.,;:!?/\\|*_#=+-–—…“”‘’«»0123456789"


@dataclass(frozen=True)
class LegacyScores:
    """Counts over the words that are not plain ASCII."""

    words: int  # words with a non-ASCII character
    unicode: int  # already a Vietnamese syllable as written
    tcvn3: int  # not one as written, a syllable after TCVN3 conversion
    vni: int  # the same after VNI conversion


def score(text: str) -> LegacyScores:
    """Count, over the first words of `text`, which reading makes them Vietnamese syllables."""
    words = unicode = tcvn3 = vni = 0
    for token in _SPLIT.split(text[:_SAMPLE_CHARS]):
        word = token.strip(_EDGE)
        if word.isascii() and word.isprintable():
            continue
        words += 1
        if is_syllable(word):
            unicode += 1
        else:
            tcvn3 += is_syllable(to_unicode(word, "tcvn3"))
            vni += is_syllable(to_unicode(word, "vni"))
        if words >= _MAX_WORDS:
            break
    return LegacyScores(words, unicode, tcvn3, vni)


def detect_legacy(text: str) -> LegacyEncoding | None:
    """"tcvn3" or "vni" when most non-ASCII words only become Vietnamese after conversion.

    Fires when one table makes at least two words syllables, more than the other table,
    twice as many as are syllables already, and half of all non-ASCII words. Unicode
    Vietnamese never fires (its words already are syllables), nor does English (its few
    accented words are not syllables under either table).
    """
    s = score(text)
    hits = max(s.tcvn3, s.vni)
    if s.tcvn3 == s.vni or hits < 2 or hits < 2 * s.unicode or 2 * hits < s.words:
        return None
    return "tcvn3" if s.tcvn3 > s.vni else "vni"


_VIEW_CHARS = frozenset(chr(b) for b in range(256)) | frozenset(
    c for b in range(0x80, 0xA0) if (c := _cp1252(b))
)
# What only Unicode Vietnamese holds: letters outside every 8-bit view (ạ ơ ư đ ...), and the
# combining marks of NFD text.
UNICODE_ONLY = frozenset(ch for ch in TCVN3_BYTES.values() if ch not in _VIEW_CHARS) | frozenset(
    "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
)


def has_unicode_vietnamese(text: str) -> bool:
    """True if `text` holds a character no Latin-1/Windows-1252 view of legacy bytes can."""
    return any(ch in UNICODE_ONLY for ch in text)


def convert_lines(text: str, encoding: LegacyEncoding) -> str:
    """`to_unicode` on each line without Unicode Vietnamese, for text decoded as Unicode.

    Old pages and documents mix: a Unicode menu around a TCVN3 article, a paragraph retyped
    in Unicode but still formatted ".VnTime". A line with a letter like ạ ơ ư đ is Unicode
    already; converting it again would garble it.
    """
    # split("\n"), not splitlines(): U+0085 (NEL) is TCVN3's "Ặ" in the Latin-1 view.
    return "\n".join(
        line if has_unicode_vietnamese(line) else to_unicode(line, encoding) for line in text.split("\n")
    )
