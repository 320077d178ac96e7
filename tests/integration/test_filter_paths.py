"""One filter, the same documents on every path: tantivy (BM25), SQL for chunks (the dense
retriever's pre-filter) and SQL for tasks (agency answers), on the seed index."""

from __future__ import annotations

import pytest

from domain.model import Filters
from index.index import Index
from search.retrievers import BM25Retriever, DenseRetriever

KON_TUM = {"000_e039e5926f709e92", "001_b75f6995bec0e83d", "002_df20b3de81934500"}
THAI_NGUYEN = {"003_104911c3395eed31"}
DONG_NAI = {"004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2"}

CASES: list[tuple[Filters, set[str]]] = [
    (Filters(province="Kon Tum"), KON_TUM),  # the name when issued
    (Filters(province="Quảng Ngãi"), KON_TUM),  # the 2025 province that took Kon Tum in
    (Filters(province="kon tum"), KON_TUM),
    (Filters(province="Đồng Nai"), DONG_NAI),
    (Filters(type="Công văn"), {"000_e039e5926f709e92", "003_104911c3395eed31", "004_8e1e77f4468c0f15"}),
    (Filters(type="thong bao"), {"001_b75f6995bec0e83d", "002_df20b3de81934500"}),
    (Filters(type="Kết luận"), {"004_8e1e77f4468c0f15#2"}),
    # the seeds' issuer lines: "UBND tỉnh" (000-003), "UBND tỉnh Đồng Nai", "Tỉnh ủy Đồng Nai"
    (Filters(issuer="UBND tỉnh"), KON_TUM | THAI_NGUYEN),
    (Filters(issuer="Ủy ban nhân dân tỉnh"), KON_TUM | THAI_NGUYEN),  # "UBND" written out
    (Filters(issuer="UBND tỉnh Đồng Nai"), {"004_8e1e77f4468c0f15"}),
    (Filters(issuer="Tỉnh ủy Đồng Nai"), {"004_8e1e77f4468c0f15#2"}),
    # a local body with its province: that name, or the bare body ("UBND tỉnh") in that province
    (Filters(issuer="UBND tỉnh Kon Tum"), KON_TUM),
    (Filters(issuer="Ủy ban nhân dân tỉnh Thái Nguyên"), THAI_NGUYEN),
    (Filters(issuer="UBND tỉnh Quảng Ngãi"), KON_TUM),  # its successor since 2025, as the province filter reads it
    (Filters(issuer="Tỉnh ủy Kon Tum"), set()),
    (Filters(since="2021-01-01", until="2021-12-31"),
     {"000_e039e5926f709e92", "002_df20b3de81934500", "003_104911c3395eed31"}),  # 001 has no date
    (Filters(until="2020-12-31"), DONG_NAI),
    (Filters(since="2021-06"), {"002_df20b3de81934500", "003_104911c3395eed31"}),
    (Filters(cites="117/2020/NĐ-CP"), {"000_e039e5926f709e92"}),
    (Filters(cites="14-NQ/TU"), DONG_NAI),
    (Filters(cites="1098-KL/TU"), {"004_8e1e77f4468c0f15"}),
    (Filters(province="Quảng Ngãi", type="Thông báo", since="2021-01-01"), {"002_df20b3de81934500"}),
]
IDS = [", ".join(f"{k}={v}" for k, v in vars(f).items() if v) for f, _ in CASES]
EVERYTHING = "tỉnh UBND Sở ban ngành nhiệm vụ"  # words of every seed directive, for BM25


class TestFilterPaths:
    @pytest.mark.parametrize(("filters", "expected"), CASES, ids=IDS)
    def test_tantivy(self, seeds_index: Index, filters: Filters, expected: set[str]) -> None:
        hits = BM25Retriever(seeds_index).search(EVERYTHING, k=10_000, filters=filters)
        assert {h.doc_id for h in hits} == expected

    @pytest.mark.parametrize(("filters", "expected"), CASES, ids=IDS)
    def test_sql_chunks(self, seeds_index: Index, filters: Filters, expected: set[str]) -> None:
        assert seeds_index.store.filtered_doc_ids(filters) == expected
        hits = DenseRetriever(seeds_index).search("nhiệm vụ", k=10_000, filters=filters)
        assert {h.doc_id for h in hits} == expected

    @pytest.mark.parametrize(("filters", "expected"), CASES, ids=IDS)
    def test_sql_tasks(self, seeds_index: Index, filters: Filters, expected: set[str]) -> None:
        assert {t.doc_id for t in seeds_index.store.tasks(filters=filters)} == expected

    def test_no_filter_is_every_document(self, seeds_index: Index) -> None:
        everything = KON_TUM | THAI_NGUYEN | DONG_NAI
        assert {h.doc_id for h in BM25Retriever(seeds_index).search(EVERYTHING, k=10_000)} == everything
        assert {t.doc_id for t in seeds_index.store.tasks(filters=Filters())} == everything
