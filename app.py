"""chidao: the Streamlit app. `chidao app --index DIR` (or CHIDAO_INDEX=DIR streamlit run app.py).

One question box; the kind of question picks the view (agency tasks, answer, comparison, search
results). Sidebar: filters and the upload page. `?doc=ID&start=S&end=E` opens a document on a
cited span. The core runs in-process unless CHIDAO_API_URL points at a running API.
"""

from __future__ import annotations

import time

import streamlit as st

from ui.backend import Backend, BackendError, from_env
from ui.text import escape
from ui.views import render_agency, render_compare, render_document, render_question, render_search

EXAMPLES = ("Nhiệm vụ của Sở Y tế là gì?", "Giải ngân vốn đầu tư công",
            "So sánh chỉ đạo phòng chống dịch giữa các tỉnh")
ALL = "Tất cả"

st.set_page_config(page_title="Tra cứu văn bản chỉ đạo", page_icon="📄", layout="wide")


@st.cache_resource(show_spinner=False)
def backend() -> Backend:
    return from_env()


@st.cache_data(ttl=60, show_spinner=False)
def facets() -> dict:
    return backend().facets()


def sidebar_filters() -> dict:
    st.sidebar.header("Bộ lọc")
    try:
        f = facets()
    except BackendError as exc:
        st.sidebar.warning(escape(str(exc)))
        return {}
    province = st.sidebar.selectbox("Tỉnh (tên cũ hoặc mới)", [ALL, *f["provinces"]], key="province")
    doc_type = st.sidebar.selectbox("Loại văn bản", [ALL, *f["types"]], key="type")
    issuer = st.sidebar.selectbox("Cơ quan ban hành", [ALL, *f["issuers"]], key="issuer")
    since = until = None
    if st.sidebar.checkbox("Lọc theo ngày ban hành", key="by_date") and f.get("first_date"):
        import datetime as dt

        lo, hi = dt.date.fromisoformat(f["first_date"]), dt.date.fromisoformat(f["last_date"])
        picked = st.sidebar.date_input("Từ ngày – đến ngày", (lo, hi), format="DD/MM/YYYY", key="dates")
        if isinstance(picked, tuple) and len(picked) == 2:
            since, until = picked[0].isoformat(), picked[1].isoformat()
    chosen = {"province": province, "type": doc_type, "issuer": issuer}
    out = {k: v for k, v in chosen.items() if v and v != ALL}
    if since:
        out.update(since=since, until=until)
    st.sidebar.caption(f"{f['documents']} văn bản, {f['chunks']} đoạn trong chỉ mục")
    return out


def set_question(text: str) -> None:
    st.session_state["question"] = text


def ask_page(filters: dict) -> None:
    st.title("Tra cứu văn bản chỉ đạo, điều hành")
    question = st.text_input("Câu hỏi", key="question", placeholder="Ví dụ: Nhiệm vụ của Sở Y tế là gì?",
                             label_visibility="collapsed")
    cols = st.columns(len(EXAMPLES))
    for i, (col, example) in enumerate(zip(cols, EXAMPLES)):
        col.button(example, key=f"example-{i}", on_click=set_question, args=(example,), use_container_width=True)
    if not question.strip():
        st.caption("Gõ câu hỏi hoặc từ khóa, có dấu hay không dấu đều được.")
        return
    with st.spinner("Đang tìm trong các văn bản… (lần đầu cần tải mô hình)"):
        try:
            answer = backend().ask(question, filters)
        except BackendError as exc:
            st.error(escape(str(exc)))
            return
    kind = answer.get("kind")
    if kind == "agency":
        render_agency(answer)
    elif kind == "question":
        render_question(answer)
    elif kind == "compare":
        render_compare(answer.get("comparison") or answer)
    else:
        render_search(answer)


def document_page(params: dict) -> None:
    st.markdown("[← Quay lại tra cứu](?)")
    span = None
    if params.get("start") and params.get("end"):
        try:
            span = (int(params["start"]), int(params["end"]))
        except ValueError:
            span = None
    try:
        doc = backend().document(params["doc"], span)
    except BackendError as exc:
        st.error(escape(str(exc)))
        return
    render_document(doc)


def upload_page() -> None:
    st.title("Tải văn bản lên")
    st.caption("Các tệp .docx, .pdf, .doc, .txt, .html được đọc, chia mục và đưa vào chỉ mục; "
               "tìm kiếm được ngay khi xong, không cần khởi động lại.")
    files = st.file_uploader("Chọn văn bản", accept_multiple_files=True,
                             type=["docx", "pdf", "doc", "txt", "md", "html", "htm"])
    if not files or not st.button("Đưa vào chỉ mục", type="primary"):
        return
    try:
        job = backend().upload([(f.name, f.getvalue()) for f in files])
    except BackendError as exc:
        st.error(escape(str(exc)))
        return
    bar = st.progress(0.0, text="Đang đọc văn bản…")
    while job["status"] in ("queued", "running"):
        time.sleep(0.3)
        job = backend().job(job["id"])
        stage = "Đang đọc văn bản…" if job["stage"] == "reading" else "Đang đưa vào chỉ mục…"
        bar.progress(job["progress"], text=stage)
    bar.progress(1.0, text="Xong")
    for err in job["errors"]:
        st.error(escape(err))
    if job["status"] == "done":
        st.success(f"Đã thêm {len(job['added'])}, cập nhật {len(job['replaced'])}, "
                   f"không đổi {len(job['unchanged'])} văn bản.")
        facets.clear()


def main() -> None:
    params = dict(st.query_params)
    if params.get("doc"):
        document_page(params)
        return
    page = st.sidebar.radio("Trang", ["Hỏi đáp", "Tải văn bản lên"], key="page")
    if page == "Tải văn bản lên":
        upload_page()
        return
    ask_page(sidebar_filters())


main()
