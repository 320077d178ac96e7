"""Terminal rendering of `ask()` answers (the CLI's human output)."""

from __future__ import annotations

from typing import Any

from answer.answers import AgencyAnswer, DirectiveTasks, Task

ROLE_LABELS = {"chu_tri": "chủ trì", "phoi_hop": "phối hợp", "giao": "được giao", "collective": "giao chung"}
WIDTH = 320


def _short(text: str, width: int = WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _header(g: DirectiveTasks) -> str:
    province = g.province if not g.province_2025 or g.province_2025 == g.province else f"{g.province} (nay {g.province_2025})"
    parts = [g.type, g.number or "(không số)", g.date or "(không ngày)", province, g.issuer]
    return " · ".join(p for p in parts if p)


def _task(n: int, t: Task, asked: str = "") -> list[str]:
    role = ROLE_LABELS.get(t.role, t.role)
    deadline = t.deadline_text or "—"
    if t.deadline and t.deadline_text and t.deadline not in t.deadline_text:
        deadline = f"{t.deadline_text} ({t.deadline})"
    lines = [f"  {n}. [{role}] hạn: {deadline}" + (f" · báo cáo: {t.reports_to}" if t.reports_to else "")]
    if t.via:
        lines.append(f"     (giao cho {t.via}, nay sáp nhập vào {asked})")
    if t.section_path:
        lines.append("     § " + " > ".join(_short(p, 60) for p in t.section_path))
    lines.append("     " + _short(t.text))
    c = t.citation
    lines.append(f"     ↳ {c.chunk_id or c.doc_id} [bản gốc {c.start}–{c.end}]")
    return lines


def render_agency(a: AgencyAnswer) -> str:
    if not a.known:
        out = [f"Chỉ mục chưa thấy cơ quan nào tên \"{a.agency}\" được giao nhiệm vụ."]
        if a.closest:
            out.append("Cơ quan gần nhất đã biết: " + "; ".join(a.closest))
        return "\n".join(out)
    n_own = len(a.tasks)
    out = [f"{a.agency}: {n_own} nhiệm vụ trong {len(a.groups)} văn bản (mới nhất trước)"]
    if a.predecessors_included:
        out.append("  gồm cả nhiệm vụ giao cho " + ", ".join(a.predecessors_included)
                   + " (sáp nhập theo Nghị định 45/2025/NĐ-CP)")
    for g in a.groups:
        out.append("")
        out.append("▸ " + _header(g) + (f" — {g.label}" if g.label else ""))
        for n, t in enumerate(g.tasks, 1):
            out += _task(n, t, a.agency)
    if a.collective:
        total = sum(len(g.tasks) for g in a.collective)
        out.append("")
        out.append(f"Nhiệm vụ giao chung cho nhiều cơ quan (có {a.agency}): {total} nhiệm vụ")
        for g in a.collective:
            out.append("")
            out.append(f"▸ {_header(g)} — gửi: {g.label}")
            for n, t in enumerate(g.tasks, 1):
                out += _task(n, t)
    if not a.groups and not a.collective:
        out.append("Không tìm thấy nhiệm vụ nào giao cho cơ quan này trong chỉ mục.")
    return "\n".join(out)


def render_factual(a: Any) -> str:
    out = []
    if getattr(a, "answered", False):
        # The short answer first, then its sentence with it marked, then the citation: once each.
        short = getattr(a, "short", None)
        sentence = a.sentence_marked() if hasattr(a, "sentence_marked") else None
        if short:
            out.append("Trả lời: " + short)
            out.append("  " + _short(sentence or a.answer_text, 600))
        else:
            out.append("Trả lời: " + _short(a.answer_text, 600))
        c = a.citation
        if c is not None:
            where = " · ".join(x for x in (c.number, c.date, c.province) if x) or c.doc_id
            out.append(f"  ↳ {c.chunk_id} ({where}) [bản gốc {c.start}–{c.end}]")
            if c.section_path:
                out.append("  § " + " > ".join(_short(p, 60) for p in c.section_path))
    else:
        out.append(getattr(a, "answer_text", "") or "Không tìm thấy câu trả lời.")
        for p in getattr(a, "closest", ()):
            out.append(f"  - {p.chunk_id}: {_short(p.text, 240)}")
    if getattr(a, "generated", None):
        out.append("")
        out.append("Trả lời (sinh tự động, đã kiểm tra trích dẫn): " + a.generated)
    return "\n".join(out)


def render(answer: Any) -> str:
    if isinstance(answer, AgencyAnswer):
        return render_agency(answer)
    return render_factual(answer)
