"""A topic search that names one province searches that province's documents (seed directives of
Kon Tum, Thái Nguyên and Đồng Nai; hash index)."""

from __future__ import annotations

from domain.model import Filters
from index.index import Index
from search.retrievers import HybridRetriever, topic_scope

DONG_NAI = ("004_8e1e77f4468c0f15",)  # the letter and the conclusion attached to it ("#2")


def scope(query: str, filters: Filters | None = None) -> tuple[str, str] | None:
    return topic_scope(query, filters)


def test_a_topic_naming_one_province_is_scoped_to_it_and_matched_without_its_name() -> None:
    assert scope("giải ngân vốn đầu tư công ở Đồng Nai") == ("Đồng Nai", "giải ngân vốn đầu tư công ở")
    assert scope("giai ngan von dau tu cong tinh dong nai") == ("Đồng Nai", "giai ngan von dau tu cong")
    assert scope("Thái Nguyên chỉ đạo phòng chống dịch") == ("Thái Nguyên", "chỉ đạo phòng chống dịch")


def test_questions_numbers_agency_questions_and_filtered_searches_are_not_scoped() -> None:
    assert scope("giải ngân vốn đầu tư công") is None
    assert scope("Thu ngân sách 6 tháng đầu năm 2020 của Đồng Nai đạt bao nhiêu phần trăm dự toán?") is None
    assert scope("Công văn 8888/UBND-THNC của Đồng Nai") is None
    assert scope("Sở Y tế tỉnh Kon Tum phải làm gì") is None
    assert scope("giải ngân vốn đầu tư công ở Đồng Nai", Filters(province="Kon Tum")) is None
    assert scope("giải ngân vốn đầu tư công ở Đồng Nai và Kon Tum") is None


def test_the_scoped_search_opens_on_that_provinces_documents(seeds_index: Index) -> None:
    r = HybridRetriever(seeds_index)
    plain = r.search("giải ngân vốn đầu tư công", k=10)
    assert any(not h.doc_id.startswith(DONG_NAI) for h in plain)
    for query in ("giải ngân vốn đầu tư công ở Đồng Nai", "giai ngan von dau tu cong o dong nai"):
        hits = r.search(query, k=10)
        assert len(hits) == 10
        assert all(h.doc_id.startswith(DONG_NAI) for h in hits), query


def test_fewer_passages_inside_than_asked_are_followed_by_the_rest(seeds_index: Index) -> None:
    r = HybridRetriever(seeds_index)
    inside = r.search("giải ngân vốn đầu tư công", k=500, filters=Filters(province="Đồng Nai"))
    hits = r.search("giải ngân vốn đầu tư công ở Đồng Nai", k=len(inside) + 5)
    assert len(hits) == len(inside) + 5
    assert {h.chunk_id for h in hits[: len(inside)]} == {h.chunk_id for h in inside}
    assert not any(h.doc_id.startswith(DONG_NAI) for h in hits[len(inside):])
