"""Automatic list numbers of a .docx ("1.", "a)", "II."), which python-docx does not render.

Follows ECMA-376 Part 1, 17.9 (Numbering): a paragraph's w:numPr (or its style's) names a
w:num, which points to a w:abstractNum whose w:lvl gives start, numFmt and lvlText ("%1.%2.").
Counters run per w:num in document order; a level restarts when a shallower level advances.
Formats other than decimal, letters, roman and bullets fall back to decimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docx.oxml.ns import qn

_LEVELS = 9
BULLET = "-"  # a bullet glyph is usually a Symbol-font private-use character; "-" reads the same


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str
    text: str


def _roman(n: int) -> str:
    out = []
    for value, digits in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(digits * count)
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz, aaa...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else ""


FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": lambda n: _roman(n).lower(),
    "upperRoman": _roman,
    "none": lambda n: "",
}


def _val(el: Any, tag: str) -> str | None:
    child = el.find(qn(tag)) if el is not None else None
    return None if child is None else child.get(qn("w:val"))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class Numbering:
    """Renders list labels paragraph by paragraph; call `label` in document order."""

    def __init__(self, numbering_xml: Any | None) -> None:
        self._levels: dict[str, dict[int, Level]] = {}
        self._counters: dict[str, list[int]] = {}
        if numbering_xml is None:
            return
        abstract: dict[str, dict[int, Level]] = {}
        for an in numbering_xml.findall(qn("w:abstractNum")):
            abstract[an.get(qn("w:abstractNumId"))] = {
                _int(lvl.get(qn("w:ilvl")), 0): Level(
                    start=_int(_val(lvl, "w:start"), 1),
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                )
                for lvl in an.findall(qn("w:lvl"))
            }
        for num in numbering_xml.findall(qn("w:num")):
            levels = dict(abstract.get(_val(num, "w:abstractNumId") or "", {}))
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0)
                start = _val(override, "w:startOverride")
                if ilvl in levels and start is not None:
                    old = levels[ilvl]
                    levels[ilvl] = Level(_int(start, old.start), old.fmt, old.text)
            self._levels[num.get(qn("w:numId"))] = levels

    def label(self, num_id: str | None, ilvl: int) -> str:
        """The label for the next paragraph of list `num_id` at level `ilvl`, or ""."""
        levels = self._levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return ""
        assert num_id is not None
        counters = self._counters.setdefault(num_id, [0] * _LEVELS)
        ilvl = min(max(ilvl, 0), _LEVELS - 1)
        for deeper in range(ilvl + 1, _LEVELS):
            counters[deeper] = 0
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl].start
        level = levels[ilvl]
        if level.fmt == "bullet":
            glyph = level.text
            return glyph if glyph.isprintable() and glyph.isascii() and glyph.strip() else BULLET
        out = level.text
        for i in range(_LEVELS):
            placeholder = f"%{i + 1}"
            if placeholder in out:
                lvl = levels.get(i, level)
                value = counters[i] or lvl.start
                out = out.replace(placeholder, FORMATS.get(lvl.fmt, str)(value))
        return out


def paragraph_numbering(p_element: Any, style_element: Any | None) -> tuple[str | None, int]:
    """(numId, ilvl) from the paragraph's own w:numPr, else from its style chain's."""
    for ppr in (p_element.pPr, *_style_pprs(style_element)):
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is not None:
            num_id = _val(num_pr, "w:numId")
            return (None if num_id in (None, "0") else num_id), _int(_val(num_pr, "w:ilvl"), 0)
    return None, 0


def _style_pprs(style: Any | None, limit: int = 16) -> list[Any]:
    """w:pPr of a style and the styles it is based on (a basedOn cycle stops the walk)."""
    out: list[Any] = []
    seen: set[str] = set()
    while style is not None and len(out) < limit:
        seen.add(style.get(qn("w:styleId")) or "")
        out.append(style.find(qn("w:pPr")))
        based_on = _val(style, "w:basedOn")
        if based_on is None or based_on in seen:
            break
        parent = style.getparent()
        style = next((s for s in parent.findall(qn("w:style")) if s.get(qn("w:styleId")) == based_on), None)
    return out
