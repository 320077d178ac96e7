"""GET /search (hybrid search with the CLI's filters) and GET /facets (what the filters can take)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from api.deps import ERRORS, core_of, filters_from_query, to_filters
from api.models import FacetsOut, FiltersIn, SearchOut
from service.core import SearchRequest

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchOut, responses=ERRORS)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="câu truy vấn",
                            examples=["giải ngân vốn đầu tư công"])],
    filters: Annotated[FiltersIn, Depends(filters_from_query)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> SearchOut:
    """Hybrid search (BM25 + e5), with the same filters as `chidao search`."""
    found = core_of(request).search(SearchRequest(q, to_filters(filters), k))
    d = found.to_dict()
    return SearchOut.model_validate({"query": q, "filters": filters, "scope": d["scope"], "hits": d["hits"]})


@router.get("/facets", response_model=FacetsOut, responses=ERRORS)
def facets(request: Request) -> FacetsOut:
    """Provinces (old and new names), types, issuers and the date range in the index."""
    return FacetsOut.from_facets(core_of(request).facets())
