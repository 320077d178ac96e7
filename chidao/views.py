"""Terminal renderings of answers: provinces side by side for `chidao compare`."""

from __future__ import annotations

import textwrap
from itertools import zip_longest

from answer.compare import Column, Comparison, Group, Instruction

EXCERPT_CHARS = 260


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
            lines += wrap.wrap("Chủ trì: " + "; ".join(d.lead_agencies))
        if d.deadlines:
            lines += wrap.wrap("Thời hạn: " + "; ".join(d.deadlines))
        for i in d.instructions:
            lines += textwrap.wrap("• " + _clip(i.excerpt, EXCERPT_CHARS), width=width, subsequent_indent="  ")
        lines.append("")
    return lines


def side_by_side(comparison: Comparison, width: int = 150, gap: int = 3) -> str:
    n = max(len(comparison.columns), 1)
    col_width = max(24, (width - gap * (n - 1)) // n)
    columns = [_column_lines(c, col_width) for c in comparison.columns]
    rows = [(" " * gap).join(cell.ljust(col_width) for cell in row).rstrip()
            for row in zip_longest(*columns, fillvalue="")]
    return "\n".join(rows)


def _member(i: Instruction, comparison: Comparison) -> str:
    doc = next(d for c in comparison.columns for d in c.directives if d.doc_id == i.doc_id)
    return f"{i.province} · {_directive_label(doc.number, doc.doc_type, doc.date, doc.doc_id)}: {_clip(i.excerpt, 160)}"


def _groups(title: str, groups: tuple[Group, ...], comparison: Comparison) -> list[str]:
    lines = [title]
    if not groups:
        lines.append("  (không có)")
    for n, g in enumerate(groups, 1):
        sim = f", cosine ≥ {g.similarity:.3f}" if len(g.members) > 1 else ""
        lines.append(f"  [{n}] {', '.join(g.provinces)} ({len(g.members)} chỉ đạo{sim})")
        lines += [f"      - {_member(i, comparison)}" for i in g.members]
    return lines


def render_comparison(comparison: Comparison, width: int = 150) -> str:
    head = f"So sánh: {comparison.topic} — {', '.join(comparison.provinces) or '(không tỉnh nào)'}"
    parts = [head, "", side_by_side(comparison, width), ""]
    parts += _groups(f"Điểm chung (nhóm chỉ đạo giống nhau ở ≥ 2 tỉnh; cosine ≥ {comparison.threshold}):",
                     comparison.shared, comparison)
    parts.append("")
    parts += _groups("Chỉ một tỉnh yêu cầu:", comparison.unique, comparison)
    return "\n".join(parts)
