"""The Streamlit app through streamlit.testing.v1.AppTest, in-process on a seeds index (hash embedder)
plus the injected-HTML fixture directive."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index.embedders.base import get_embedder
from index.writer import write
from ingest.pipeline import expand_paths, ingest_file
from tests.conftest import ROOT, SEEDS

APP = str(ROOT / "app.py")
INJECTED = ROOT / "tests" / "fixtures" / "injected_html.txt"


@pytest.fixture(scope="module")
def app_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("app") / "index"
    write(root, [ingest_file(p) for p in [*expand_paths([SEEDS]), INJECTED]], get_embedder("hash"))
    return root


@pytest.fixture
def app(app_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("CHIDAO_INDEX", str(app_index))
    monkeypatch.delenv("CHIDAO_API_URL", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield AppTest.from_file(APP, default_timeout=120)


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def assert_no_html_allowed(at: AppTest) -> None:
    assert not [m.value for m in at.markdown if m.proto.allow_html]


def test_opens_on_one_question_box_with_the_examples(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Tra cứu văn bản chỉ đạo, điều hành"]
    assert len(at.text_input) == 1
    assert [b.label for b in at.button] == ["Nhiệm vụ của Sở Y tế là gì?", "Giải ngân vốn đầu tư công",
                                            "So sánh chỉ đạo phòng chống dịch giữa các tỉnh"]


def test_search_words_show_results_with_highlighted_matches(app: AppTest) -> None:
    at = app.run()
    at.button(key="example-1").click().run()
    assert not at.exception
    assert at.text_input(key="question").value == "Giải ngân vốn đầu tư công"
    md = markdown(at)
    assert md[0] == "**1. Công văn 5749/UBND\\-TH · 19/11/2021 · Thái Nguyên**"
    assert ":orange-background[giải ngân vốn đầu tư công]" in md[1]
    assert md[2].startswith("[Mở văn bản gốc](?doc=003_104911c3395eed31&start=")
    assert_no_html_allowed(at)


def test_a_question_is_answered_with_its_citation(app: AppTest) -> None:
    at = app.run()
    at.text_input(key="question").input("Ai chủ trì giải ngân vốn đầu tư công?").run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        ("2\\. Sở Kế hoạch và Đầu tư\\: \\- Chủ trì, phối hợp với các đơn vị, địa phương thường xuyên kiểm tra, đôn đốc, gán trách nhiệm "
        "của người đứng đầu cơ quan, đơn vị với kết quả giải ngân\\.")]
    source = [m for m in markdown(at) if m.startswith("Nguồn: ")]
    assert len(source) == 1 and "?doc=001_b75f6995bec0e83d&start=" in source[0]
    assert source[0].startswith("Nguồn: [Thông báo · Kon Tum](")
    assert "2\\. Sở Kế hoạch và Đầu tư\\:" in source[0]


def test_filters_restrict_the_results(app: AppTest) -> None:
    at = app.run()
    at.sidebar.selectbox(key="province").select("Đồng Nai").run()
    at.text_input(key="question").input("phòng chống dịch").run()
    assert not at.exception
    heads = [m for m in markdown(at) if m.startswith("**") and ". " in m[:6]]
    assert heads and all(h.endswith("· Đồng Nai**") for h in heads)
    at.sidebar.selectbox(key="province").select("Thái Nguyên").run()
    heads = [m for m in markdown(at) if m.startswith("**") and ". " in m[:6]]
    assert heads and all(h.endswith("· Thái Nguyên**") for h in heads)


def test_the_document_view_highlights_the_cited_span(app: AppTest) -> None:
    at = app.run()
    at.button(key="example-1").click().run()
    link = next(m for m in markdown(at) if m.startswith("[Mở văn bản gốc]"))
    query = link[link.index("?") + 1 : -1]
    params = dict(p.split("=") for p in query.split("&"))
    doc = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        doc.query_params[k] = v
    doc.run()
    assert not doc.exception
    cited = [m for m in markdown(doc) if m.startswith(":orange-background[")]
    assert cited and "giải ngân vốn đầu tư công" in " ".join(cited)


def test_injected_html_renders_as_text(app: AppTest) -> None:
    app.query_params["doc"] = "injected_html"
    at = app.run()
    assert not at.exception
    body = "\n".join(markdown(at))
    # every "<" reaches markdown escaped, so it is shown, never parsed as a tag
    assert "\\<script\\>window\\.chidaoInjected \\= 1\\</script\\>" in body
    assert "\\<img src\\=x onerror\\=" in body
    assert not re.search(r"(?<!\\)<", body)
    assert_no_html_allowed(at)


def test_unknown_document_is_an_error_message(app: AppTest) -> None:
    app.query_params["doc"] = "khong-co"
    at = app.run()
    (error,) = at.error
    assert error.value == "không có văn bản \\'khong\\-co\\' trong chỉ mục \\(no such document\\)"


def test_an_agency_question_shows_the_task_table(app: AppTest) -> None:
    at = app.run()
    at.button(key="example-0").click().run()
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Nhiệm vụ của Sở Y tế", "Nhiệm vụ giao chung cho các sở, ban, ngành"]
    own, shared = [m for m in markdown(at) if m.startswith("| Vai trò |")]
    rows = own.splitlines()[2:]
    assert len(rows) == 6
    assert rows[0].startswith("| Phối hợp |") and "Công văn 5749/UBND\\-TH · 19/11/2021 · Thái Nguyên" in rows[0]
    # the agency's own name is marked in its task; the item's heading is the task's own opening
    # words, so the "Mục" column does not repeat it
    given = [r for r in rows if "| Được giao |" in r and "(?doc=004_8e1e77f4468c0f15&start=" in r]
    assert len(given) == 1 and "| Giao :orange-background[Sở Y tế]\\: Chủ động nắm thông tin" in given[0]
    assert "| Công văn 8888/UBND\\-THNC · 30/07/2020 · Đồng Nai | — |" in given[0]
    # the collective deadline of 15/8/2020 has passed: red, and said in words
    assert ":red-background[trước ngày 15/8/2020 \\(quá hạn\\)]" in shared
    assert_no_html_allowed(at)


def test_the_agency_table_follows_the_province_filter(app: AppTest) -> None:
    at = app.run()
    at.sidebar.selectbox(key="province").select("Kon Tum").run()
    at.button(key="example-0").click().run()
    own = next(m for m in markdown(at) if m.startswith("| Vai trò |"))
    rows = own.splitlines()[2:]
    assert rows and all("Kon Tum" in r for r in rows)


def test_start_up_does_not_import_torch(app_index: Path) -> None:
    """The opening page (question box, filters) renders without torch or the model; they load on
    the first query that needs them, under a spinner."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    env = {**__import__("os").environ, "CHIDAO_INDEX": str(app_index), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_compare_view_has_one_column_per_province(app: AppTest) -> None:
    pytest.importorskip("answer.compare")
    at = app.run()
    at.button(key="example-2").click().run()
    assert not at.exception
    assert at.subheader[0].value == "So sánh: phòng chống dịch"
    heads = [m for m in markdown(at) if m.startswith("#### ")]
    assert sorted(heads) == ["#### Kon Tum", "#### Thái Nguyên", "#### Đồng Nai"]
    assert len(at.columns) >= 3
    assert any(m.startswith("**Công văn 8888/UBND\\-THNC · 30/07/2020 · Đồng Nai**") for m in markdown(at))
    (table,) = [m for m in markdown(at) if m.startswith("| | ")]
    lines = table.splitlines()
    assert sorted(lines[0].strip("| ").split(" | ")) == ["Kon Tum", "Thái Nguyên", "Đồng Nai"]  # one column each
    assert lines[2].startswith("| 1. Chung (3 tỉnh) | ✓ ") and lines[2].count("✓") == 3  # shared rows first
    assert lines[-1].startswith("| ") and "Riêng" in lines[-1] and lines[-1].count("✓") == 1
    assert "[↗](?doc=" in lines[2]
    assert_no_html_allowed(at)


def test_the_date_and_type_filters(app: AppTest) -> None:
    import datetime as dt

    at = app.run()
    at.sidebar.checkbox(key="by_date").check().run()
    at.sidebar.date_input(key="dates").set_value((dt.date(2021, 1, 1), dt.date(2021, 12, 31))).run()
    at.sidebar.selectbox(key="type").select("Công văn").run()
    at.text_input(key="question").input("phòng chống dịch").run()
    assert not at.exception
    heads = [m for m in markdown(at) if m.startswith("**") and ". " in m[:6]]
    assert heads and all(h.split(". ", 1)[1].startswith("Công văn ") and "/2021" in h for h in heads)
    assert not any("/2020" in h for h in heads)
