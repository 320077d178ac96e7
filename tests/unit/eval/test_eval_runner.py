"""The eval runner, floors and report on a word-overlap retriever over real seed text.

Passages: the 8 lines of seed 000 (Công văn 1536/UBND-KTTH: one line per agency) and the 4 lines
of section "7. Sở Y tế" of seed 001. `WordOverlap` scores a passage by the number of distinct
query words it contains and keeps the passages' order among equal scores.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.model import Filters, Hit, Retriever
from eval.datasets import (
    BeirSet,
    Query,
    RelevantItem,
    load_beir,
    load_snippet_queries,
    matches,
    normalize_for_match,
)
from eval.report import write_report
from eval.runner import DEFAULT_FLOORS, EvalResult, Floors, RankFloor, check_floors, evaluate, evaluate_beir
from ingest.vietnamese import fold
from tests.conftest import seed_path

S000 = seed_path("000").stem  # 000_e039e5926f709e92
S001 = seed_path("001").stem  # 001_b75f6995bec0e83d
_WORD = re.compile(r"\w+")


def seed_passages() -> list[Hit]:
    """Seed 000 line by line, then the lines of section 7 (Sở Y tế) of seed 001; ids `<stem>:L<n>`."""
    passages = []
    for stem in (S000, S001):
        text = seed_path(stem[:3]).read_text(encoding="utf-8")
        if stem == S001:
            text = text[text.index("7. Sở Y tế:") : text.index("8. Sở Lao động")]
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        passages += [Hit(f"{stem}:L{n}", stem, 0.0, line) for n, line in enumerate(lines, 1)]
    return passages


class WordOverlap:
    """A real (if crude) retriever: score = number of distinct query words in the passage.

    Words are `\\w+` runs of the README-normalised text; `folded` also strips diacritics, so
    "ho ngheo" finds "hộ nghèo". Ties keep the passage order (Python's sort is stable).
    """

    def __init__(self, passages: Iterable[Hit], name: str = "overlap", folded: bool = False) -> None:
        self.name = name
        self.folded = folded
        self.passages = [(p, self._words(p.text)) for p in passages]

    def _words(self, text: str) -> set[str]:
        words = _WORD.findall(normalize_for_match(text))
        return {fold(w) for w in words} if self.folded else set(words)

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        asked = self._words(query)
        scored = [(len(asked & words), p) for p, words in self.passages]
        ranked = sorted((sp for sp in scored if sp[0] > 0), key=lambda sp: -sp[0])
        return [Hit(p.chunk_id, p.doc_id, float(s), p.text, p.section_path) for s, p in ranked[:k]]


def _query(qid: str, type_: str, text: str, *relevant: tuple[str, str]) -> Query:
    return Query(qid, type_, text, tuple(RelevantItem(doc, snippet) for doc, snippet in relevant))


QUERIES = [
    # Ranks under "overlap" (10 query words; L3 of 000 holds all 10): the 000 item at rank 1,
    # the "cải tạo" bullet (001:L3, 6 words) at rank 5, the "sẵn sàng" bullet (001:L2, 5 words) at 7.
    _query(
        "a1", "agency", "Sở Y tế chủ trì kiểm tra phòng chống dịch",
        (S000, "UBND tỉnh giao Sở Y tế chủ trì"),
        (S001, "thực hiện cải tạo cơ sở vật chất, vệ sinh các khu cách ly tập trung"),
        (S001, "sẵn sàng ra quân, khoanh vùng, cách ly"),
    ),
    _query("a2", "agency", "Sở Nội vụ kiểm tra thực thi công vụ",
           (S000, "Sở Nội vụ chủ trì, phối hợp với các đơn vị, địa phương tăng cường công tác kiểm tra")),
    _query("n1", "number", "Công văn 1536/UBND-KTTH", (S000, "ban hành Công văn số 1536/UBND-KTTH")),
    # No passage holds "ho" or "ngheo" unfolded: "overlap" returns nothing.
    _query("x1", "noaccent", "ho ngheo", (S000, "thống kê chính xác tỷ lệ hộ nghèo, hộ cận nghèo")),
    # "Sở", "chủ", "trì" are all in 000:L3, L5, L6, L7, L8 and 001:L3: a six-way tie at score 3,
    # broken by passage order, so the Kế hoạch và Đầu tư line (L6) is rank 3.
    _query("t1", "topic", "Sở chủ trì", (S000, "Sở Kế hoạch và Đầu tư chủ trì")),
]


@pytest.fixture(scope="module")
def result() -> EvalResult:
    passages = seed_passages()
    retrievers: dict[str, Retriever] = {
        "overlap": WordOverlap(passages),
        "folded": WordOverlap(passages, name="ignored: the mapping names it", folded=True),
    }
    return evaluate(retrievers, QUERIES, k=5, dataset="toy")


def test_first_ranks_follow_the_ranking(result: EvalResult) -> None:
    ranks = {r.query.id: r.first_rank for r in result.results("overlap")}
    assert ranks == {"a1": 1, "a2": 1, "n1": 1, "x1": None, "t1": 3}
    (a1,) = [r for r in result.results("overlap") if r.query.id == "a1"]
    assert [sorted(p.matched) for p in a1.retrieved[:7]] == [[0], [], [], [], [1], [], [2]]
    assert a1.retrieved[4].chunk_id == f"{S001}:L3"
    assert [item.text[:13] for item in a1.missing(5)] == ["sẵn sàng ra q"]
    assert result.results("folded")[3].first_rank == 1  # "ho ngheo" -> "hộ nghèo" at 000:L8


def test_ties_keep_the_retrievers_order(result: EvalResult) -> None:
    (t1,) = result.results("overlap", "topic")
    top = t1.retrieved[:3]
    assert [p.score for p in top] == [3.0, 3.0, 3.0]
    assert [p.chunk_id for p in top] == [f"{S000}:L3", f"{S000}:L5", f"{S000}:L6"]
    assert t1.first_rank == 3
    assert t1.metric("mrr@10") == pytest.approx(1 / 3)


def test_json_shape_and_values(result: EvalResult) -> None:
    out = result.to_json()
    metric_keys = ["recall@5", "hit@5", "mrr@10", "ndcg@10"]
    assert list(out) == ["dataset", "n_queries", "retrievers", "by_type"]
    assert out["dataset"] == "toy"
    assert out["n_queries"] == 5
    assert list(out["retrievers"]) == ["overlap", "folded"]
    assert list(out["by_type"]) == ["agency", "number", "noaccent", "topic"]
    for per_retriever in [out["retrievers"], *out["by_type"].values()]:
        assert list(per_retriever) == ["overlap", "folded"]
        assert all(list(m) == metric_keys for m in per_retriever.values())
    # a1: recall@5 = 2/3 (ranks 1 and 5 of 1, 5, 7), nDCG = (1 + 1/log2 6 + 1/log2 8)
    #     / (1 + 1/log2 3 + 1/log2 4) = (1 + 0.3868528 + 0.3333333) / 2.1309298 = 0.8072465.
    # a2, n1: all 1. x1: all 0. t1: rank 3 -> recall@5 1, hit@5 1, MRR 1/3, nDCG 1/log2 4 = 0.5.
    # Means of 5: recall@5 (2/3 + 1 + 1 + 0 + 1) / 5 = 0.7333, hit@5 4/5 = 0.8,
    # MRR (1 + 1 + 1 + 0 + 1/3) / 5 = 0.6667, nDCG (0.8072465 + 1 + 1 + 0 + 0.5) / 5 = 0.6614.
    def values(*v: float) -> dict[str, float]:
        return dict(zip(metric_keys, v))

    assert out["retrievers"]["overlap"] == values(0.7333, 0.8, 0.6667, 0.6614)
    assert out["by_type"]["agency"]["overlap"] == values(0.8333, 1.0, 1.0, 0.9036)  # a1 and a2
    assert out["by_type"]["noaccent"]["overlap"] == values(0.0, 0.0, 0.0, 0.0)
    assert out["by_type"]["noaccent"]["folded"]["mrr@10"] == 1.0
    assert result.metric("overlap", "ndcg@10") == pytest.approx((0.8072465 + 2.5) / 5, abs=1e-7)
    json.dumps(out)  # plain JSON


def test_answers_only_when_set(result: EvalResult) -> None:
    assert "answers" not in result.to_json()
    with_answers = replace(result, answers={"hybrid": {"task_recall": 0.5}})
    assert with_answers.to_json()["answers"] == {"hybrid": {"task_recall": 0.5}}


def test_recall_curve_is_monotone_and_reaches_depth(result: EvalResult) -> None:
    curve = result.recall_curve("overlap")
    assert len(curve) == result.depth == 100
    assert curve[0] == pytest.approx((1 / 3 + 1 + 1 + 0 + 0) / 5)  # k = 1: a1 one of three, a2, n1
    assert curve[4] == pytest.approx(result.metric("overlap", "recall@5"))
    assert curve[6] == pytest.approx(4 / 5)  # k = 7: a1 complete; x1 never
    assert all(a <= b for a, b in itertools.pairwise(curve))


def test_metric_floors() -> None:
    passages = seed_passages()
    res = evaluate({"overlap": WordOverlap(passages)}, QUERIES, k=5, dataset="toy")
    floors = Floors(
        metrics={
            ("toy", "overlap", "hit@5"): 0.9,  # 0.8: violated
            ("toy", "overlap", "mrr@10"): 0.5,  # 0.6667: holds
            ("other", "overlap", "hit@5"): 1.0,  # another dataset: not checked
            ("toy", "dense", "hit@5"): 1.0,  # not run: not checked
        }
    )
    assert check_floors(res, floors) == ["toy/overlap: hit@5 = 0.8000 < floor 0.9000"]
    with pytest.raises(ValueError, match="unknown metric"):
        check_floors(res, Floors(metrics={("toy", "overlap", "map@10"): 0.1}))


def test_rank_floors(result: EvalResult) -> None:
    floors = Floors(
        ranks=(
            RankFloor("toy", "noaccent", 5),  # every retriever: overlap finds nothing, folded rank 1
            RankFloor("toy", "number", 1),  # n1 at rank 1 for both
            RankFloor("toy", "topic", 1, ("overlap",)),  # t1 at rank 3
        )
    )
    assert check_floors(result, floors) == [
        "toy/overlap: noaccent query x1 ('ho ngheo') first relevant not in the top 100, floor is rank <= 5",
        "toy/overlap: topic query t1 ('Sở chủ trì') first relevant at rank 3, floor is rank <= 1",
    ]
    assert check_floors(result, DEFAULT_FLOORS) == []  # they are for "dev" and "alqac_dev"


def test_rank_floor_by_document(result: EvalResult) -> None:
    # t1's snippet is first matched at rank 3, but rank 1 already comes from its document.
    (t1,) = [r for r in result.results("overlap", "topic")]
    assert t1.first_rank == 3
    assert t1.first_document_rank == 1
    by_text = Floors(ranks=(RankFloor("toy", "topic", 1, ("overlap",)),))
    by_doc = Floors(ranks=(RankFloor("toy", "topic", 1, ("overlap",), by_document=True),))
    assert len(check_floors(result, by_text)) == 1
    assert check_floors(result, by_doc) == []


def test_report_files(result: EvalResult, tmp_path: Path) -> None:
    written = write_report(result, tmp_path / "out", now=datetime(2026, 5, 1, tzinfo=UTC))
    out = tmp_path / "out"
    assert sorted(p.name for p in written) == sorted(
        ["report.md", "recall_at_k.png", "failures.jsonl", "run.overlap.trec", "run.folded.trec"]
    )
    assert (out / "recall_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "- date: 2026-05-01" in md
    assert "| retriever | recall@5 | hit@5 | mrr@10 | ndcg@10 | ms/query |" in md
    assert "| overlap | 0.733 | 0.800 | 0.667 | 0.661 |" in md
    assert "| agency (2) | overlap | 0.833 | 1.000 | 1.000 | 0.904 |" in md
    assert "**x1** (noaccent) `ho ngheo`" in md
    for retriever in ("overlap", "folded"):
        lines = (out / f"run.{retriever}.trec").read_text(encoding="utf-8").splitlines()
        assert len(lines) == sum(len(r.retrieved) for r in result.results(retriever))
        ranks_by_query: dict[str, list[int]] = {}
        for line in lines:
            qid, q0, docid, rank, score, run = line.split(" ")
            assert (q0, run) == ("Q0", retriever)
            assert re.fullmatch(r"\d{3}_[0-9a-f]{16}:L\d+", docid)  # the chunk id
            float(score)
            ranks_by_query.setdefault(qid, []).append(int(rank))
        assert all(ranks == list(range(1, len(ranks) + 1)) for ranks in ranks_by_query.values())
    first = (out / "run.overlap.trec").read_text(encoding="utf-8").splitlines()[0]
    assert first == f"a1 Q0 {S000}:L3 1 10.000000 overlap"
    failures_text = (out / "failures.jsonl").read_text(encoding="utf-8")
    failures = [json.loads(line) for line in failures_text.splitlines()]
    # recall@5 < 1: overlap misses a third of a1 (rank 7) and all of x1; folded a third of a1.
    failed = [(f["retriever"], f["query_id"]) for f in failures]
    assert failed == [("overlap", "a1"), ("overlap", "x1"), ("folded", "a1")]
    a1 = failures[0]
    assert a1["first_rank"] == 1 and a1["recall@5"] == pytest.approx(2 / 3)
    assert [m["doc"] for m in a1["missing"]] == [S001]
    assert len(a1["retrieved"]) == 5 and a1["retrieved"][4]["matched"] == [1]


# --- matching rule and loaders -------------------------------------------------------------------


def test_normalize_for_match_is_the_readme_rule() -> None:
    assert normalize_for_match("  **Sở Y tế** |  chủ_trì\n\n# phối  hợp ") == "sở y tế chủtrì phối hợp"
    decomposed = "Ho\u0300a"  # "Hòa" with a combining grave: NFC composes it
    assert normalize_for_match(decomposed) == "hòa"
    assert normalize_for_match("hoà") != normalize_for_match("hòa")  # NFC alone keeps placements apart


def test_matches_document_and_tone_placement() -> None:
    hit = Hit(f"{S001}:I/1", S001, 1.0, "Công tác *hoà giải* ở cơ sở\nđược   tăng cường")
    item = RelevantItem(S001, "hòa giải ở cơ sở được tăng cường")
    assert matches(item, hit)  # canonical tones on both sides: hoà = hòa
    assert not matches(item, hit, canonical_tones=False)
    assert not matches(RelevantItem(S000, item.text), hit)  # another document
    attached = Hit(f"{S001}#2:p1", f"{S001}#2", 1.0, hit.text)  # a document attached inside 001
    assert matches(item, attached)
    assert not matches(RelevantItem(S001, "hòa giải ở cơ sở tăng cường"), hit)  # words must be in order


def test_evaluate_beir_by_document_id(tmp_path: Path) -> None:
    # A two-article BEIR set built from seed 000 lines; ids hold spaces, as ALQAC's do.
    lines = [p.text for p in seed_passages()[:8]]
    corpus = {f"Công văn 1536#{n}": (f"Dòng {n}", text) for n, text in enumerate(lines, 1)}
    (tmp_path / "qrels").mkdir()
    def jsonl(rows: Iterable[dict[str, object]]) -> str:
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

    (tmp_path / "corpus.jsonl").write_text(
        jsonl({"_id": i, "title": t, "text": x} for i, (t, x) in corpus.items()), encoding="utf-8"
    )
    queries = [("q1", "Sở Nội vụ kiểm tra thực thi công vụ", "Tự luận"), ("q2", "hộ nghèo", "Đúng/Sai")]
    (tmp_path / "queries.jsonl").write_text(
        jsonl({"_id": q, "text": t, "metadata": {"type": ty, "answer": "x"}} for q, t, ty in queries),
        encoding="utf-8",
    )
    (tmp_path / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n"
        "q1\tCông văn 1536#5\t1\nq2\tCông văn 1536#8\t1\nq2\tCông văn 1536#3\t0\n",
        encoding="utf-8",
    )
    beir = load_beir(tmp_path)
    assert isinstance(beir, BeirSet) and len(beir.corpus) == 8
    assert beir.qrels == {"q1": {"Công văn 1536#5": 1}, "q2": {"Công văn 1536#8": 1, "Công văn 1536#3": 0}}

    passages = [Hit(f"{cid}:0", cid, 0.0, text) for cid, (_, text) in corpus.items()]
    res = evaluate_beir({"overlap": WordOverlap(passages)}, beir, dataset="tiny")
    # q1: line 5 (Sở Nội vụ) first with 8 words; q2: only line 8 holds "hộ nghèo".
    assert [r.first_rank for r in res.results("overlap")] == [1, 1]
    assert list(res.to_json()["by_type"]) == ["Tự luận", "Đúng/Sai"]
    write_report(res, tmp_path / "out")
    run = (tmp_path / "out" / "run.overlap.trec").read_text(encoding="utf-8").splitlines()
    assert run[0] == "q1 Q0 Công_văn_1536#5 1 8.000000 overlap"  # doc ids, whitespace -> "_"
    assert (tmp_path / "out" / "qrels.trec").read_text(encoding="utf-8").splitlines() == [
        "q1 0 Công_văn_1536#5 1",
        "q2 0 Công_văn_1536#8 1",
    ]


def test_shared_sets_load(shared: Path) -> None:
    queries = load_snippet_queries(shared / "eval" / "dev_queries.jsonl")
    assert len(queries) == 55
    assert sum(len(q.relevant) + len(q.not_answer) for q in queries) == 100
    assert {q.type for q in queries} == {"agency", "topic", "number", "noaccent", "question"}
    beir = load_beir(shared / "eval" / "alqac_dev")
    assert (len(beir.corpus), len(beir.queries), sum(map(len, beir.qrels.values()))) == (2249, 200, 202)
    assert beir.queries[0].type == "Đúng/Sai" and beir.queries[0].answer == "Đúng"


def test_beats_floor(result: EvalResult) -> None:
    mine, theirs = result.metric("overlap", "mrr@10"), result.metric("folded", "mrr@10")
    floors = Floors(beats=(("toy", "overlap", "mrr@10", ("folded",)), ("toy", "folded", "mrr@10", ("overlap",))))
    violations = check_floors(result, floors)
    loser = "overlap" if mine <= theirs else "folded"
    assert len(violations) == 1 and violations[0].startswith(f"toy/{loser}: mrr@10 = ")
