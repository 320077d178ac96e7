"""Factual questions on real 2025 provincial documents (../shared/eval/dev2025: a Cần Thơ plan, a
Quảng Ngãi plan, a Hà Tĩnh regulation), typed with marks and without: the short answer is the
labelled one either way. Hash-embedder index of the three files, so this runs in the fast tier."""

from __future__ import annotations

import pytest

from answer.qa import answer_question
from index.index import Index
from ingest.vietnamese import fold
from tests.conftest import SHARED

QUESTIONS = [
    # A target among four "ít nhất N%" of one list: the one that says "phấn đấu" and "nhận tiền".
    (("Cần Thơ phấn đấu ít nhất bao nhiêu phần trăm người hưởng trợ cấp nhận tiền trợ cấp bằng phương thức "
      "không dùng tiền mặt?"), "ít nhất 70%"),
    # The deadline is a labelled field after the task ("Thời gian hoàn thành: Trước ngày 31/5/2026.").
    ("Sở Tài chính Quảng Ngãi phải gửi báo cáo kết quả tổng kiểm kê tài sản công cho Bộ Tài chính trước ngày nào?",
     "Trước ngày 31/5/2026"),
    # A rate with its unit ("03 lần/tuần"), the urban one of two.
    ("Ở Hà Tĩnh, tần suất thu gom chất thải rắn sinh hoạt tối thiểu đối với khu vực đô thị là bao nhiêu?",
     "03 lần/tuần"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.pipeline import ingest_file

    corpus = SHARED / "eval" / "dev2025" / "corpus"
    if not corpus.exists():
        pytest.skip(f"{corpus} not present (set CHIDAO_SHARED)")
    files = [*sorted(corpus.glob("s07_*")), *sorted(corpus.glob("s08_*")), *sorted(corpus.glob("ac0f18*"))]
    assert len(files) == 3
    root = tmp_path_factory.mktemp("dev2025-qa") / "index"
    write(root, [ingest_file(p) for p in files], get_embedder("hash"))
    return Index(root).load()


@pytest.mark.parametrize(("question", "short"), QUESTIONS)
@pytest.mark.parametrize("typed", ["with marks", "without marks"])
def test_the_labelled_short_answer(index: Index, question: str, short: str, typed: str) -> None:
    asked = question if typed == "with marks" else fold(question)
    a = answer_question(index, asked)
    assert a.answered and a.short == short
    assert a.passage is not None and a.short_span is not None
    assert a.passage.text[a.short_span[0]:a.short_span[1]] == short
