"""The same question gets the same kind of answer and the same first result through the CLI
(`chidao ask --json`), the HTTP API (POST /ask) and the app's backend: all three are thin clients
of `service.core.Core`, which reads the question's intent once. On the hash-embedder seed index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from chidao.cli import main
from service.settings import Settings
from ui.backend import LocalBackend

DONG_NAI = "004_8e1e77f4468c0f15"
THAI_NGUYEN = "003_104911c3395eed31"
KON_TUM_1536 = "000_e039e5926f709e92"

# question, kind, and where it is stable under retrieval changes, the first result (see `first`);
# None: the first result must only be the same through the three front ends (and not empty).
QUESTIONS: list[tuple[str, str, object]] = [
    # agency questions: the agency (any spelling, with or without diacritics, or its bare name)
    ("Nhiệm vụ của Sở Y tế là gì?", "agency", "Sở Y tế"),
    ("nhiem vu cua so y te", "agency", "Sở Y tế"),
    ("Sở Y tế", "agency", "Sở Y tế"),
    ("Sở KH&ĐT được giao gì", "agency", "Sở Kế hoạch và Đầu tư"),
    ("So Noi vu chu tri nhung viec gi", "agency", "Sở Nội vụ"),
    # topic words: search hits
    ("Giải ngân vốn đầu tư công", "search", None),
    ("giai ngan von dau tu cong", "search", None),
    ("phòng chống dịch COVID-19", "search", None),
    # comparisons between provinces
    ("So sánh chỉ đạo phòng chống dịch giữa các tỉnh", "compare", None),
    ("so sanh giai ngan von dau tu cong giua cac tinh", "compare", None),
    # factual questions: answered or not, and the cited (or closest) directive
    ("Khi nào Sở Y tế phải hoàn thành tiêm vắc-xin?", "question", None),
    ("Bao nhiêu xã của Đồng Nai đạt chuẩn nông thôn mới nâng cao?", "question", None),
    ("Văn bản nào chỉ đạo triển khai Kết luận 1098-KL/TU?", "question", None),
    ("Ai chịu trách nhiệm quản lý chặt chẽ các chốt chống dịch?", "question", None),
    # document numbers: the document that carries it
    ("1536/UBND-KTTH", "search", KON_TUM_1536),
    ("Công văn 5749/UBND-TH", "search", THAI_NGUYEN),
    ("8888/UBND-THNC", "search", DONG_NAI),
]


def first(answer: dict[str, Any]) -> object:
    """What must agree across front ends, per kind."""
    kind = answer["kind"]
    if kind == "agency":
        return answer["agency"], answer["groups"][0]["doc_id"] if answer["groups"] else None
    if kind == "search":
        return answer["hits"][0]["doc_id"] if answer["hits"] else None
    if kind == "compare":
        return tuple(answer["comparison"]["provinces"])
    cited = answer["citation"] or (answer["closest"][0] if answer["closest"] else None)
    return answer["answered"], cited["doc_id"] if cited else None


@pytest.fixture(scope="module")
def api(seeds_root: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(index=seeds_root, warm_up=False))) as c:
        yield c


@pytest.fixture(scope="module")
def app_backend(seeds_root: Path) -> LocalBackend:
    return LocalBackend(seeds_root)


def cli_ask(root: Path, question: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["ask", question, "--index", str(root), "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_the_table_covers_every_kind() -> None:
    assert len(QUESTIONS) >= 15
    assert {kind for _, kind, _ in QUESTIONS} == {"agency", "search", "compare", "question"}


@pytest.mark.parametrize(("question", "kind", "expected"), QUESTIONS, ids=[q for q, _, _ in QUESTIONS])
def test_same_kind_and_first_result_everywhere(seeds_root: Path, api: TestClient, app_backend: LocalBackend,
                                               capsys: pytest.CaptureFixture[str], question: str, kind: str,
                                               expected: object) -> None:
    r = api.post("/ask", json={"question": question})
    assert r.status_code == 200, r.text
    through = {"cli": cli_ask(seeds_root, question, capsys), "api": r.json(), "app": app_backend.ask(question, {})}
    results = {name: (a["kind"], first(a)) for name, a in through.items()}
    assert results["cli"][1], f"no result for {question!r}"
    assert results == {name: results["cli"] for name in through}  # one kind, one first result
    assert results["cli"][0] == kind
    if expected is not None:
        got = results["cli"][1]
        assert (got[0] if kind == "agency" else got) == expected  # type: ignore[index]


@pytest.mark.parametrize(("question", "scope"), [("giải ngân vốn đầu tư công ở Đồng Nai", "Đồng Nai"),
                                                 ("giai ngan von dau tu cong o dong nai", "Đồng Nai"),
                                                 ("giải ngân vốn đầu tư công", None)])
def test_the_province_a_topic_is_searched_in_is_told_everywhere(seeds_root: Path, api: TestClient,
                                                                 app_backend: LocalBackend,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 question: str, scope: str | None) -> None:
    asked = {"cli": cli_ask(seeds_root, question, capsys), "api": api.post("/ask", json={"question": question}).json(),
             "app": app_backend.ask(question, {})}
    searched = api.get("/search", params={"q": question}).json()
    assert {name: (a["kind"], a["scope"]) for name, a in asked.items()} == {n: ("search", scope) for n in asked}
    assert searched["scope"] == scope
    if scope is not None:
        assert all(h["doc_id"].startswith(DONG_NAI) for h in searched["hits"])
        assert main(["search", question, "--index", str(seeds_root)]) == 0
        assert capsys.readouterr().out.startswith(f"Trong văn bản của {scope} trước")
