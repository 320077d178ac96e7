"""Mark the words of a passage that match the query. A query typed without (some of) its marks
is read restored when the restoration is sure ("so tai chinh" marks "Sở Tài chính", not "số" or
"tại"); when it is unsure, a query typed without any marks is matched diacritic-insensitively
("so y te" marks "Sở Y tế")."""

from __future__ import annotations

import re

from ingest.vietnamese import fold, has_diacritics, normalize
from search.diacritics import needs_restoration, restore_query

_WORD = re.compile(r"[\w/-]+")
# Function words that would mark half of every sentence.
_SKIP = frozenset({"của", "là", "gì", "và", "các", "những", "được", "cho", "với", "về", "có", "thì", "nào"})


def _terms(query: str) -> tuple[set[str], bool]:
    if needs_restoration(query):
        restored = restore_query(query)
        if restored.alternative is None:
            query = restored.text
    folded = not has_diacritics(query)
    words = {normalize(w).lower() for w in _WORD.findall(query)}
    words = {w for w in words if w not in _SKIP}
    return ({fold(w) for w in words} if folded else words), folded


def spans(text: str, query: str) -> list[tuple[int, int]]:
    terms, folded = _terms(query)
    out = []
    for m in _WORD.finditer(text):
        w = normalize(m.group(0)).lower()
        if (fold(w) if folded else w) in terms:
            out.append(m.span())
    return out


def mark(text: str, query: str, left: str = "«", right: str = "»") -> str:
    parts, last = [], 0
    for s, e in spans(text, query):
        parts += [text[last:s], left, text[s:e], right]
        last = e
    parts.append(text[last:])
    return "".join(parts)
