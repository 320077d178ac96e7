"""The hybrid retriever's two branches run at once (BM25 on `lexical_pool()`, dense on the calling
thread): the same hits as one after the other, and an error of either branch reaches the caller
with its own message. On the seed index (hash embedder)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from domain.model import Filters
from index.generation import IndexNotReady
from index.index import Index
from search.retrievers import BM25Retriever, DenseRetriever, HybridRetriever, lexical_pool

# accented, typed without marks (restored for both branches), a document number (owner first),
# a question, a cited number, and filtered queries (tantivy filters vs SQL pre-filter)
QUERIES: list[tuple[str, Filters | None]] = [
    ("phòng, chống dịch COVID-19", None),
    ("nhiem vu cua so y te", None),
    ("so tai chinh chu tri", None),
    ("Công văn 1536/UBND-KTTH", None),
    ("Sở Kế hoạch và Đầu tư chủ trì những nhiệm vụ nào?", None),
    ("Kết luận số 1098-KL/TU", None),
    ("phát triển kinh tế - xã hội", Filters(province="Kon Tum")),
    ("nhiệm vụ trọng tâm 6 tháng cuối năm", Filters(province="Đồng Nai", until="2020-12-31")),
    ("giai ngan von dau tu cong", Filters(type="Thông báo")),
]


def _ranked(retriever: HybridRetriever, query: str, filters: Filters | None) -> list[tuple[str, float]]:
    return retriever.ranked(query, 10, filters)


@pytest.mark.parametrize(("query", "filters"), QUERIES, ids=[q for q, _ in QUERIES])
def test_parallel_gives_the_sequential_hits(seeds_index: Index, query: str, filters: Filters | None) -> None:
    sequential = HybridRetriever(seeds_index, parallel=False)
    parallel = HybridRetriever(seeds_index)
    assert parallel.parallel
    expected = _ranked(sequential, query, filters)
    assert expected  # every query finds something in the seeds
    assert _ranked(parallel, query, filters) == expected
    assert [h.chunk_id for h in parallel.search(query, 10, filters)] == [cid for cid, _ in expected]


def test_candidate_lists_are_the_branches_own(seeds_index: Index) -> None:
    parallel = HybridRetriever(seeds_index)
    query = "nhiem vu cua so y te"
    bm25, dense = parallel.candidate_lists(query, 50)
    assert bm25 == BM25Retriever(seeds_index).ranked(parallel.lexical_query(query), 50)
    assert dense == DenseRetriever(seeds_index).ranked(query, 50)


def test_number_query_opens_on_its_document(seeds_index: Index) -> None:
    hits = HybridRetriever(seeds_index).search("Công văn 1536/UBND-KTTH", 5)
    assert hits[0].doc_id == "000_e039e5926f709e92"


def _unbuilt(tmp_path: Path) -> Index:
    return Index(tmp_path / "nowhere")  # a real index folder that was never built


@pytest.mark.parametrize("parallel", [False, True], ids=["sequential", "parallel"])
def test_bm25_error_reaches_the_caller(seeds_index: Index, tmp_path: Path, parallel: bool) -> None:
    retriever = HybridRetriever(seeds_index, parallel=parallel)
    retriever.bm25 = BM25Retriever(_unbuilt(tmp_path))  # fails on the pool's thread when parallel
    with pytest.raises(IndexNotReady, match=f"no index at {tmp_path / 'nowhere'}; build it with"):
        retriever.search("phòng, chống dịch COVID-19")


@pytest.mark.parametrize("parallel", [False, True], ids=["sequential", "parallel"])
def test_dense_error_reaches_the_caller(seeds_index: Index, tmp_path: Path, parallel: bool) -> None:
    retriever = HybridRetriever(seeds_index, parallel=parallel)
    retriever.dense = DenseRetriever(_unbuilt(tmp_path))
    with pytest.raises(IndexNotReady, match=f"no index at {tmp_path / 'nowhere'}; build it with"):
        retriever.search("phòng, chống dịch COVID-19")


def test_a_failed_query_leaves_the_pool_working(seeds_index: Index, tmp_path: Path) -> None:
    broken = HybridRetriever(seeds_index)
    broken.bm25 = BM25Retriever(_unbuilt(tmp_path))
    with pytest.raises(IndexNotReady):
        broken.search("phòng, chống dịch COVID-19")
    query = "Công văn 1536/UBND-KTTH"
    assert HybridRetriever(seeds_index).ranked(query, 10) == HybridRetriever(seeds_index, parallel=False).ranked(query, 10)


def test_pool_is_shared_and_made_on_first_use(seeds_index: Index) -> None:
    HybridRetriever(seeds_index).search("phòng, chống dịch COVID-19")
    assert lexical_pool() is lexical_pool()


def test_chunk_ids_by_rowid_is_the_chunks_own(seeds_index: Index) -> None:
    store = seeds_index.store
    rowids = sorted(store.rowid_map().values())
    assert len(rowids) == 118  # the five seeds as the bundled chunker cuts them
    full = store.chunks_by_rowid([*rowids, 10**9])  # an id that is not a chunk is left out
    assert store.chunk_ids_by_rowid([*rowids, 10**9]) == {r: c.chunk_id for r, c in full.items()}
    assert len(full) == 118


def _child_query(root: str, queue: Any) -> None:
    queue.put(HybridRetriever(Index(root).load()).ranked("Công văn 1536/UBND-KTTH", 10))


def test_a_forked_child_gets_a_pool_of_its_own(seeds_root: Path, seeds_index: Index) -> None:
    """The parent's pool has an idle thread; a forked child must not queue its BM25 search for it."""
    expected = HybridRetriever(seeds_index).ranked("Công văn 1536/UBND-KTTH", 10)  # the pool exists now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child_query, args=(str(seeds_root), queue), daemon=True)
    child.start()
    got = queue.get(timeout=120)  # a child queueing work for the parent's thread would never answer
    child.join()
    assert child.exitcode == 0
    assert got == expected
