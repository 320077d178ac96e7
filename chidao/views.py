"""Terminal renderings of answers: provinces side by side for `chidao compare`, then the table of
alike instructions (one row per group, a ✓ per province that gave it)."""

from __future__ import annotations

import textwrap
from itertools import zip_longest

from answer.compare import Column, Comparison, Group

EXCERPT_CHARS = 260
PER_COLUMN = 8  # instructions listed per directive in the side-by-side view (all are in --json)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _directive_label(number: str | None, doc_type: str | None, date: str | None, doc_id: str) -> str:
    head = " ".join(x for x in (doc_type, number) if x) or doc_id
    return f"{head} · {date}" if date else head


def _column_lines(col: Column, width: int) -> list[str]:
    wrap = textwrap.TextWrapper(width=width, subsequent_indent="  ")
    lines = [col.province.upper(), "─" * min(width, 40)]
    if not col.directives:
        lines.append("(không có văn bản về chủ đề này)")
    for d in col.directives:
        lines += wrap.wrap(_directive_label(d.number, d.doc_type, d.date, d.doc_id))
        if d.subject:
            lines += wrap.wrap("V/v " + _clip(d.subject, 90))
        if d.province and d.province != col.province:
            lines.append(f"  (ban hành: tỉnh {d.province})")
        if d.lead_agencies:
            lines += wrap.wrap("Chủ trì: " + "; ".join(d.lead_agencies[:4]))
        if d.deadlines:
            lines += wrap.wrap("Thời hạn: " + "; ".join(d.deadlines[:4]))
        lines.append(f"{len(d.instructions)} chỉ đạo")
        for i in d.instructions[:PER_COLUMN]:
            lines += textwrap.wrap("• " + _clip(i.text, EXCERPT_CHARS), width=width, subsequent_indent="  ")
        lines.append("")
    return lines


def side_by_side(comparison: Comparison, width: int = 150, gap: int = 3) -> str:
    n = max(len(comparison.columns), 1)
    col_width = max(24, (width - gap * (n - 1)) // n)
    columns = [_column_lines(c, col_width) for c in comparison.columns]
    rows = [(" " * gap).join(cell.ljust(col_width) for cell in row).rstrip()
            for row in zip_longest(*columns, fillvalue="")]
    return "\n".join(rows)


def _row(n: int, g: Group) -> list[str]:
    marks = "  ".join(f"{'✓' if c.instructions else '·'} {c.province}" for c in g.cells)
    sim = f" (cosine ≥ {g.similarity:.3f})" if g.shared else ""
    lines = [f"  [{n}] {marks}{sim}"]
    for c in g.cells:
        for i in c.instructions:
            lines.append(f"      {c.province}: {_clip(i.text, 160)}")
    return lines


def render_comparison(comparison: Comparison, width: int = 150) -> str:
    head = f"So sánh: {comparison.topic} — {', '.join(comparison.provinces) or '(không tỉnh nào)'}"
    parts = [head, "", side_by_side(comparison, width), ""]
    parts.append(f"Điểm chung (chỉ đạo giống nhau ở ≥ 2 tỉnh; cosine ≥ {comparison.threshold} và từ khóa chung):")
    if not comparison.shared:
        parts.append("  (không có)")
    for n, g in enumerate(comparison.shared, 1):
        parts += _row(n, g)
    parts.append("")
    parts.append("Chỉ một tỉnh yêu cầu:")
    if not comparison.unique:
        parts.append("  (không có)")
    for n, g in enumerate(comparison.unique, len(comparison.shared) + 1):
        parts += _row(n, g)
    return "\n".join(parts)
