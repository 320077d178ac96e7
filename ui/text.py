"""Document text shown as text, never as markup.

Streamlit's markdown is the only way to highlight, so every character that markdown, HTML or
Streamlit's own directives (`:red[...]`, `$math$`) would read is backslash-escaped
(CommonMark: any ASCII punctuation may be escaped). A directive containing `<script>` or
`<img onerror=...>` is then shown as those characters. `unsafe_allow_html` is never used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&\"'=])")


def escape(text: str) -> str:
    """Literal text for st.markdown; line breaks kept (markdown would join lines)."""
    lines = [_SPECIAL.sub(r"\\\1", line) for line in text.split("\n")]
    return "  \n".join(lines)


def highlighted(text: str, spans: Sequence[Sequence[int]], color: str = "orange") -> str:
    """`text` escaped, with each [start, end) span on a coloured background."""
    out, last = [], 0
    for s, e in merged(text, spans):
        if s < last or e <= s:
            continue
        out.append(escape(text[last:s]))
        part = text[s:e]
        # a directive cannot span a line break: mark each line of the span on its own
        out.append("  \n".join(f":{color}-background[{escape(line)}]" if line.strip() else ""
                               for line in part.split("\n")))
        last = e
    out.append(escape(text[last:]))
    return "".join(out)


def merged(text: str, spans: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Spans sorted, with neighbours separated only by spaces joined ("giải ngân vốn" is one mark)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted((int(a), int(b)) for a, b in spans):
        if out and s >= out[-1][1] and text[out[-1][1]:s].strip(" ") == "":
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def cell(text: str | None) -> str:
    """One markdown table cell: escaped, on one line."""
    return escape(" ".join((text or "").split())) or "—"
