"""What every router shares: the application core and settings on `app.state`, the key checks,
the search filters read from the query string, and the error statuses each route declares."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Query, Request

from api.models import FiltersIn, IsoDate, error_responses
from api.ratelimit import is_valid_key, presented_key
from domain.model import Filters
from service.core import Core
from service.settings import Settings

ERRORS = error_responses(401, 403, 404, 422, 429, 503)  # what a read can answer besides 200
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 429, 503)
WRONG_KEY = "missing or wrong API key (header X-API-Key or Authorization: Bearer)"
WRITES_OFF = "writes are disabled on this server: set CHIDAO_API_KEY to enable them"


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def core_of(request: Request) -> Core:
    return request.app.state.core  # type: ignore[no-any-return]


def key_refusal(expected: str | None, given: str | None) -> tuple[int, str] | None:
    """(status, detail) when a write must be refused, None when the key is right."""
    if expected is None:
        return 403, WRITES_OFF
    if not is_valid_key(given, (expected,)):
        return 401, WRONG_KEY
    return None


def _check_key(request: Request) -> None:
    refusal = key_refusal(settings_of(request).api_key, presented_key(request.headers))
    if refusal is not None:
        status, detail = refusal
        raise HTTPException(status, detail, headers={"WWW-Authenticate": "Bearer"} if status == 401 else None)


def require_write_key(request: Request) -> None:
    _check_key(request)


def require_read_key(request: Request) -> None:
    if settings_of(request).protect_reads:
        _check_key(request)


def filters_from_query(
    province: Annotated[str | None, Query(description="tỉnh, tên cũ hoặc mới", examples=["Kon Tum"])] = None,
    type: Annotated[str | None, Query(description="loại văn bản", examples=["Thông báo"])] = None,
    issuer: Annotated[str | None, Query(description="cơ quan ban hành")] = None,
    since: Annotated[IsoDate | None, Query(examples=["2021-01-01"])] = None,
    until: Annotated[IsoDate | None, Query(examples=["2021-12-31"])] = None,
    cites: Annotated[str | None, Query(description="số văn bản được trích dẫn", examples=["1536/UBND-KTTH"])] = None,
) -> FiltersIn:
    return FiltersIn(province=province, type=type, issuer=issuer, since=since, until=until, cites=cites)


def to_filters(f: FiltersIn) -> Filters:
    return f.to_filters()
