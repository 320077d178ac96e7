"""Search for an agency question opens on the passages that assign the named organisation its
tasks, in the province it names, typed with marks or without (seed directives, hash index)."""

from __future__ import annotations

from domain.model import Filters
from index.index import Index
from search.retrievers import BM25Retriever, HybridRetriever

SO_Y_TE = {"000_e039e5926f709e92:p3", "001_b75f6995bec0e83d:I/7/-1", "001_b75f6995bec0e83d:I/7/-2",
           "001_b75f6995bec0e83d:I/7/-3", "003_104911c3395eed31:-7", "004_8e1e77f4468c0f15:8"}
SO_Y_TE_KON_TUM = {"000_e039e5926f709e92:p3", "001_b75f6995bec0e83d:I/7/-1", "001_b75f6995bec0e83d:I/7/-2",
                   "001_b75f6995bec0e83d:I/7/-3"}


def test_the_stored_tasks_are_the_ones_expected(seeds_index: Index) -> None:
    assert {t.chunk_id for t in seeds_index.store.tasks(agency="Sở Y tế")} == SO_Y_TE
    assert {t.chunk_id for t in seeds_index.store.tasks(agency="Sở Y tế", filters=Filters(province="Kon Tum"))} \
        == SO_Y_TE_KON_TUM


def test_an_agency_question_opens_on_that_agencys_tasks(seeds_index: Index) -> None:
    hits = HybridRetriever(seeds_index).search("nhiệm vụ của Sở Y tế là gì", k=10)
    assert {h.chunk_id for h in hits[:6]} == SO_Y_TE
    # BM25 alone ranks other passages among them: the order comes from the stored tasks.
    bm25 = [h.chunk_id for h in BM25Retriever(seeds_index).search("nhiệm vụ của Sở Y tế là gì", k=6)]
    assert set(bm25) != SO_Y_TE


def test_the_province_it_names_scopes_the_tasks_and_marks_are_optional(seeds_index: Index) -> None:
    for query in ("Sở Y tế tỉnh Kon Tum phải làm gì", "so y te tinh kon tum phai lam gi"):
        hits = HybridRetriever(seeds_index).search(query, k=10)
        assert {h.chunk_id for h in hits[:4]} == SO_Y_TE_KON_TUM, query
        assert hits[4].chunk_id not in SO_Y_TE


def test_a_topic_search_is_not_reordered(seeds_index: Index) -> None:
    fused = [("003_104911c3395eed31:-4", 1.0), ("001_b75f6995bec0e83d:I/7/-3", 0.5)]
    r = HybridRetriever(seeds_index)
    assert r._assigned_first("giải ngân vốn đầu tư công", fused, None) == fused
    assert r._assigned_first("Sở Y tế phải làm gì", fused, None)[0] == ("001_b75f6995bec0e83d:I/7/-3", 3.0)
