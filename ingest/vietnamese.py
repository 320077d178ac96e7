"""Vietnamese text primitives: NFC, one tone-mark placement, diacritic folding.

Every stage calls these before it tokenizes, compares or stores text, so "hoà" and "hòa",
"uỷ" and "ủy", "khoá" and "khóa" are the same word everywhere in chidao.

The canonical placement is the traditional one ("hòa", "thủy", "khóa"), the one the
examples in the brief map to: in an open syllable ending in a two-vowel cluster the tone
sits on the first vowel; a cluster followed by a final consonant carries it on the last
vowel ("hoàng", "khuyến"); a vowel with a quality mark (â ă ê ô ơ ư) always takes it
("người", "thuở"); three-vowel clusters take it in the middle ("ngoài", "khuỷu").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining tone marks (NFD): grave, acute, tilde, hook above, dot below.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Combining quality marks: circumflex, breve, horn.
_QUALITY = frozenset("\u0302\u0306\u031b")
_VOWELS = frozenset("aeiouyAEIOUY")
# Letters with any combining marks that follow them: a stray mark (a second tone on a precomposed
# vowel, "Ụ" + U+0300) stays with its word, so the result is NFC and normalize is idempotent.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _split_letters(nfd: str) -> list[tuple[str, str]]:
    """Split an NFD word into (base letter, its combining marks) pairs."""
    letters: list[tuple[str, str]] = []
    for ch in nfd:
        if unicodedata.combining(ch) and letters:
            base, marks = letters[-1]
            letters[-1] = (base, marks + ch)
        else:
            letters.append((ch, ""))
    return letters


@lru_cache(maxsize=65536)
def canonical_syllable(word: str) -> str:
    """Return `word` (NFC) with its tone mark on the canonical vowel; other words unchanged."""
    nfd = unicodedata.normalize("NFD", word)
    tones = [ch for ch in nfd if ch in _TONES]
    if len(tones) != 1:
        return unicodedata.normalize("NFC", word)
    tone = tones[0]
    letters = [(base, "".join(m for m in marks if m not in _TONES)) for base, marks in _split_letters(nfd)]
    vowel_idx = [i for i, (base, _) in enumerate(letters) if base in _VOWELS]
    if not vowel_idx:
        return unicodedata.normalize("NFC", word)
    # The cluster is the first contiguous run of vowels.
    cluster = [vowel_idx[0]]
    for i in vowel_idx[1:]:
        if i != cluster[-1] + 1:
            break
        cluster.append(i)
    head = "".join(b for b, _ in letters[: cluster[0]]).lower()
    first = letters[cluster[0]][0].lower()
    # "qu" and "gi" (before another vowel) belong to the initial consonant.
    if len(cluster) > 1 and ((head == "q" and first == "u") or (head == "g" and first == "i")):
        cluster = cluster[1:]
    has_final = cluster[-1] + 1 < len(letters)
    marked = [i for i in cluster if letters[i][1]]
    if marked:
        target = marked[-1]
    elif has_final or len(cluster) == 1:
        target = cluster[-1]
    elif len(cluster) == 2:
        target = cluster[0]
    else:
        target = cluster[1]
    base, marks = letters[target]
    letters[target] = (base, marks + tone)
    return unicodedata.normalize("NFC", "".join(b + m for b, m in letters))


def normalize_tones(text: str) -> str:
    """NFC plus canonical tone placement for every word. Length-preserving on NFC input."""
    return _WORD.sub(lambda m: canonical_syllable(m.group(0)), nfc(text))


def normalize(text: str) -> str:
    """The one normalisation applied before anything else: NFC and tone placement."""
    return normalize_tones(text)


_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Strip all diacritics ("Sở Y tế" -> "So Y te"), for queries typed without them."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_EXTRA))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so it was not typed folded)."""
    return fold(text) != text
