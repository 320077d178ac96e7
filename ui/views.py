"""One render function per kind of answer, plus the document view. Every piece of document text
goes through `ui.text` (escaped markdown); no view uses unsafe_allow_html."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ingest.vietnamese import fold, normalize
from ui.text import cell, escape, highlighted

Json = dict[str, Any]

ROLE_LABELS = {"lead": "Chủ trì", "chu_tri": "Chủ trì", "coordinate": "Phối hợp", "phoi_hop": "Phối hợp",
               "assigned": "Được giao", "giao": "Được giao", "collective": "Giao chung"}


def doc_link(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    """A link that opens the document view of this app on the cited span."""
    params: dict[str, Any] = {"doc": doc_id}
    if start is not None and end is not None:
        params.update(start=start, end=end)
    return "?" + urlencode(params)


def _date_vn(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def ocr_mark(meta: Json) -> str:
    """"OCR 96%" for a document read from scanned pages (check the original), else ""."""
    ocr = meta.get("ocr")
    return f"OCR {ocr['confidence']:.0f}%" if ocr else ""


def doc_label(meta: Json) -> str:
    """"Thông báo 133/TB-UBND · 13/08/2021 · Kon Tum" (whatever of it is known), "· OCR 96%"
    after it when pages were scans read by OCR."""
    head = " ".join(x for x in (meta.get("type") or meta.get("doc_type"), meta.get("number")) if x)
    parts = [head, _date_vn(meta.get("date")), meta.get("province") or ""]
    label = " · ".join(p for p in parts if p) or str(meta.get("id") or meta.get("doc_id") or "")
    return " · ".join(x for x in (label, ocr_mark(meta)) if x)


# ---- search results ---------------------------------------------------------------------
def scope_note(scope: str | None) -> str:
    """The province a topic naming one was searched in (its documents first)."""
    return f", trong văn bản của {scope} trước" if scope else ""


def render_search(result: Json) -> None:
    hits = result.get("hits") or []
    if not hits:
        st.info("Không tìm thấy văn bản phù hợp. Thử bỏ bớt bộ lọc hoặc dùng từ khác.")
        return
    st.caption(f"{len(hits)} đoạn văn bản phù hợp nhất" + scope_note(result.get("scope")))
    for h in hits:
        meta = h["document"]
        with st.container(border=True):
            st.markdown(f"**{h['rank']}. {escape(doc_label(meta))}**")
            if meta.get("subject"):
                st.caption(escape(meta["subject"]))
            if h.get("section_path"):
                st.markdown("§ " + escape(" › ".join(h["section_path"])))
            st.markdown(highlighted(h["text"], h.get("highlights") or []))
            st.markdown(f"[Mở văn bản gốc]({doc_link(h['doc_id'], h.get('start'), h.get('end'))})")


# ---- agency tasks -----------------------------------------------------------------------
def _overdue(task: Json, today: dt.date) -> bool:
    if task.get("overdue") is not None:
        return bool(task["overdue"])
    try:
        return bool(task.get("deadline")) and dt.date.fromisoformat(str(task["deadline"])[:10]) < today
    except ValueError:
        return False


def _folded(text: str) -> str:
    """Lower-case, without diacritics, same length as `text` (NFC)."""
    return fold(normalize(text)).lower() if len(fold(normalize(text))) == len(text) else text.lower()


def name_spans(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    """Where the organisation's own name (or a predecessor's) occurs in a task, marks or none."""
    folded = _folded(text)
    spans = []
    for name in names:
        n = _folded(" ".join(name.split()))
        if n:
            spans += [m.span() for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", folded)]
    return sorted(spans)


def section_of(path: Sequence[str], task_text: str) -> str:
    """The heading that owns a task: the deepest one that is not the task's own opening words
    (a numbered item is both a heading and the task: "3. Sở Y tế chủ trì ..." shows its parent)."""
    task = _folded(" ".join(task_text.split()))
    for heading in reversed(path):
        h = _folded(" ".join(heading.split())).rstrip(" :.")
        bare = re.sub(r"^(?:[\divxlc]+[.)]|[a-zđ][.)]|[-+•*])\s*", "", h)
        if bare and (task.startswith((h, bare)) or h.startswith(task[:60])):
            continue
        return heading
    return ""


def task_table(rows: Sequence[Json], today: dt.date, names: Sequence[str] = ()) -> str:
    """A markdown table: role, task (the organisation's own name in `names` highlighted),
    deadline (overdue on red), directive, section heading, source link."""
    lines = ["| Vai trò | Nhiệm vụ | Thời hạn | Văn bản | Mục | Nguồn |", "|---|---|---|---|---|---|"]
    for r in rows:
        task, directive = r["task"], r["directive"]
        deadline = cell(task.get("deadline_text") or _date_vn(task.get("deadline")) or "")
        if _overdue(task, today):
            deadline = f":red-background[{deadline} \\(quá hạn\\)]"
        role = ROLE_LABELS.get(str(task.get("role")), str(task.get("role") or ""))
        if task.get("via"):
            role += f" (giao cho {task['via']})"
        where = doc_label(directive)
        if directive.get("label"):
            where = f"{directive['label']} — {where}"
        text = _short(task.get("text"))
        section = _short(section_of(task.get("section_path") or [], task.get("text") or ""), 90)
        cite = task.get("citation") or {}
        link = doc_link(cite.get("doc_id") or directive.get("doc_id"), cite.get("start"), cite.get("end"))
        shown = highlighted(text, name_spans(text, names)) if names and text else cell(text)
        lines.append(f"| {cell(role)} | {shown} | {deadline} | "
                     f"{cell(where)} | {cell(section)} | [Mở]({link}) |")
    return "\n".join(lines)


def _short(text: str | None, limit: int = 300) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def render_agency(answer: Json, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    agency = answer.get("agency") or answer.get("agency_name") or ""
    groups = answer.get("groups") or []
    rows = [{"task": t, "directive": g.get("directive") or g} for g in groups for t in g.get("tasks", [])]
    st.subheader(f"Nhiệm vụ của {escape(agency)}" if agency else "Nhiệm vụ được giao")
    if answer.get("predecessors_included"):
        st.caption("Gồm cả nhiệm vụ đã giao cho " + escape(", ".join(answer["predecessors_included"]))
                   + " (cơ quan tiền thân, sắp xếp lại năm 2025 theo Nghị định 45/2025/NĐ\\-CP)")
    if not rows:
        st.info("Không tìm thấy nhiệm vụ nào giao riêng cho cơ quan này trong các văn bản đã có.")
    else:
        st.caption(f"{len(rows)} nhiệm vụ trong {len(groups)} văn bản (mới nhất trước)")
        names = [agency, *(answer.get("predecessors_included") or [])] if agency else []
        st.markdown(task_table(rows, today, names))
    collective = answer.get("collective") or []
    crow = [{"task": t, "directive": g.get("directive") or g} for g in collective for t in g.get("tasks", [])]
    if crow:
        st.subheader("Nhiệm vụ giao chung cho các sở, ban, ngành")
        st.caption("Giao cho tất cả các cơ quan, không riêng cơ quan được hỏi")
        st.markdown(task_table(crow, today))


# ---- factual answer ---------------------------------------------------------------------
def render_question(answer: Json) -> None:
    passage = answer.get("passage") or {}
    if answer.get("generated"):
        st.markdown(escape(answer["generated"]))
    if answer.get("answered"):
        # The short answer first and large, then its sentence with it highlighted, then the source:
        # each once (the sentence is not repeated inside its whole passage).
        span, short = answer.get("span"), answer.get("short_span")
        text = passage.get("text", "")
        if answer.get("short"):
            st.markdown("### " + escape(answer["short"]))
        if span and short and text:
            s, e = span
            st.markdown(highlighted(text[s:e], [(short[0] - s, short[1] - s)]))
        else:
            st.success(escape(answer.get("answer_text") or ""))
    else:
        st.warning("Các văn bản tìm được không trả lời trực tiếp câu hỏi này. Các đoạn gần nhất:")
    cite = answer.get("citation")
    if cite:
        label = doc_label({**(answer.get("passage") or {}), **cite})
        section = " › ".join(cite.get("section_path") or [])
        st.markdown(f"Nguồn: [{escape(label)}]({doc_link(cite['doc_id'], cite.get('start'), cite.get('end'))})"
                    + (f" — § {escape(section)}" if section else ""))
    for p in (answer.get("closest") or [])[: 0 if answer.get("answered") else 5]:
        with st.container(border=True):
            st.markdown(f"**{escape(doc_label(p))}**" + (" — § " + escape(" › ".join(p["section_path"]))
                                                         if p.get("section_path") else ""))
            st.markdown(escape(_short(p.get("text"), 600)))
            st.markdown(f"[Mở văn bản gốc]({doc_link(p['doc_id'])})")


# ---- comparison -------------------------------------------------------------------------
ROWS_SHOWN = 40  # table rows shown at first; the rest open under "Xem thêm"


def _compare_cell(instructions: list[Json]) -> str:
    """✓, the instruction's short text and a link to it in its directive; empty when none."""
    if not instructions:
        return " "
    parts = []
    for ins in instructions[:2]:
        text = (ins.get("text") or "").lstrip("-+•* ")
        parts.append(f"✓ {cell(_short(text, 220))} [↗]({doc_link(ins['doc_id'], ins.get('start'), ins.get('end'))})")
    more = f" (+{len(instructions) - 2})" if len(instructions) > 2 else ""
    return " · ".join(parts) + more


def compare_table(rows: list[Json], provinces: list[str]) -> str:
    """The comparison as one markdown table: one row per group of alike instructions, one column
    per province."""
    head = "| | " + " | ".join(cell(p) for p in provinces) + " |"
    lines = [head, "|" + "---|" * (len(provinces) + 1)]
    for n, g in enumerate(rows, 1):
        by_province = {c["province"]: c.get("instructions") or [] for c in g.get("cells") or []}
        if not by_province:  # an older server: members only
            for m in g.get("members") or []:
                by_province.setdefault(m["province"], []).append(m)
        kind = f"Chung ({len(g.get('provinces', []))} tỉnh)" if g.get("shared") else "Riêng"
        lines.append(f"| {n}. {kind} | " + " | ".join(_compare_cell(by_province.get(p, [])) for p in provinces) + " |")
    return "\n".join(lines)


def render_compare(comparison: Json) -> None:
    """The comparison table (shared rows first, then each province's own), then each province's
    directives on the subject."""
    columns = comparison.get("columns") or []
    provinces = [c.get("province", "") for c in columns]
    st.subheader(f"So sánh: {escape(comparison.get('topic', ''))}")
    if not any(c.get("directives") for c in columns):
        st.info("Không có văn bản nào về chủ đề này ở các tỉnh đã chọn.")
        return
    shared, unique = comparison.get("shared") or [], comparison.get("unique") or []
    st.caption(f"{len(shared)} nhóm chỉ đạo chung, {len(unique)} chỉ đạo riêng. ✓: tỉnh có chỉ đạo này "
               f"(nhóm theo độ tương đồng ngữ nghĩa ≥ {comparison.get('threshold')} và từ khóa chung); "
               "↗ mở văn bản tại chỗ trích.")
    rows = [*shared, *unique]
    st.markdown(compare_table(rows[:ROWS_SHOWN], provinces))
    if len(rows) > ROWS_SHOWN:
        with st.expander(f"Xem thêm {len(rows) - ROWS_SHOWN} dòng"):
            st.markdown(compare_table(rows[ROWS_SHOWN:], provinces))
    st.subheader("Văn bản của từng tỉnh")
    for col, data in zip(st.columns(len(columns)), columns):
        with col:
            st.markdown(f"#### {escape(data.get('province', ''))}")
            if not data.get("directives"):
                st.caption("Không có văn bản về chủ đề này")
            for d in data.get("directives", []):
                with st.container(border=True):
                    st.markdown(f"**{escape(doc_label(d))}**")
                    if d.get("subject"):
                        st.caption(escape(d["subject"]))
                    for key, label in (("lead_agencies", "Chủ trì"), ("deadlines", "Thời hạn")):
                        if d.get(key):
                            st.markdown(f"*{label}:* " + escape("; ".join(map(str, d[key][:5]))))
                    st.markdown(f"{len(d.get('instructions', []))} chỉ đạo · [Mở văn bản gốc]({doc_link(d['doc_id'])})")


# ---- document view ----------------------------------------------------------------------
def render_document(doc: Json) -> None:
    meta = doc["meta"]
    st.subheader(escape(doc_label(meta)))
    if meta.get("subject"):
        st.caption(escape(meta["subject"]))
    ocr = meta.get("ocr")
    scanned = (f"trang {', '.join(map(str, ocr['pages']))} là bản quét, đọc bằng OCR (độ tin cậy "
               f"{ocr['confidence']:.0f}%): đối chiếu với bản gốc") if ocr else None
    facts = [("Cơ quan ban hành", meta.get("issuer")), ("Tỉnh (nay)", meta.get("province_2025")),
             ("Người ký", meta.get("signer")), ("Tệp", doc.get("source_name")), ("OCR", scanned)]
    st.markdown("  \n".join(f"**{k}:** {escape(v)}" for k, v in facts if v))
    text = doc["original"]
    span = doc.get("highlight")
    if not span:
        st.markdown(escape(text))
        return
    s, e = span
    # three parts: the cited span gets its own keyed container, which a tiny script scrolls to
    st.markdown(escape(text[:s]))
    with st.container(key="cited-span"):
        st.markdown(highlighted(text[s:e], [(0, e - s)], color="orange"))
    st.markdown(escape(text[e:]))
    scroll_to(".st-key-cited-span")


def scroll_to(selector: str) -> None:
    """Scroll the page to an element. The script holds no document text, only a fixed selector."""
    import streamlit.components.v1 as components

    components.html(
        "<script>setTimeout(function(){var el=window.parent.document.querySelector("
        + repr(selector) + ");if(el){el.scrollIntoView({block:'center'});}},300);</script>",
        height=0,
    )
