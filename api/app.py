"""The HTTP API: `chidao serve --index DIR`, or `uvicorn api.app:app` with CHIDAO_INDEX set.

Routes parse input, call the application facade (`service.core.Core`, on `app.state.core`) and
map its errors with the one table in `service.errors`: unknown document or agency -> 404, index
not built -> 503 with the command that builds it, bad upload or unknown province -> 422 with the
reason, index being written -> 409; missing or wrong key -> 401. The index opens once, in the
lifespan. Writes need `CHIDAO_API_KEY` (compared in constant time), sent as `X-API-Key: KEY`
or `Authorization: Bearer KEY`; reads are open unless `CHIDAO_PROTECT_READS=1`. See `service.settings` for every setting.

`RequestGuard` refuses from the request line and headers alone, before a byte of the body is
read: a URL over MAX_URL_BYTES (414), an upload without the right key (401/403), a body whose
Content-Length is over its limit (413); a body sent without a length stops being read at the
limit (413). `chidao serve` runs uvicorn with `uvicorn_options()` (see MAX_REQUEST_HEAD).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, HTTPException, Path, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.models import (
    DeleteOut,
    DocumentOut,
    Error,
    FacetsOut,
    FiltersIn,
    HealthOut,
    IsoDate,
    JobOut,
    SearchOut,
    error_responses,
)
from api.ratelimit import (
    ASGIApp,
    Message,
    RateLimit,
    Receive,
    Scope,
    Send,
    is_valid_key,
    presented_key,
    scope_headers,
    send_error,
)
from api.routes_answers import router as answers_router
from domain.model import Filters
from index.generation import IndexMismatch, IndexNotReady
from service.core import Core, SearchRequest
from service.errors import ERRORS as CORE_ERRORS
from service.errors import outcome
from service.ingest_jobs import IncomingFile
from service.settings import MB, Settings

log = logging.getLogger(__name__)

ERRORS = error_responses(401, 403, 404, 422, 429, 503)  # what a read can answer besides 200
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422, 429, 503)

UPLOAD_PATH = "/documents"  # POST: the one route that takes a large body
MAX_URL_BYTES = 16384  # path and query: a 1,000-character query (the /search limit) is ~3 KB
# percent-encoded in ordinary Vietnamese, at most ~9 KB (3-byte letters), plus filters
MAX_BODY_BYTES = 1 * MB  # any request body but an upload (an /ask question is under 1,000 characters)
MULTIPART_SLACK = 1 * MB  # multipart framing allowed on top of CHIDAO_MAX_UPLOAD_MB
# uvicorn (h11) buffers a request line and headers up to this many bytes before the app sees them;
# a longer head gets uvicorn's own 400 "Invalid HTTP request received." and the connection closed
# (h11's default, 16 KB, turned a 140 KB URL into a reset). Up to it, RequestGuard answers 414.
MAX_REQUEST_HEAD = 256 * 1024
WRONG_KEY = "missing or wrong API key (header X-API-Key or Authorization: Bearer)"
WRITES_OFF = "writes are disabled on this server: set CHIDAO_API_KEY to enable them"


def validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's list of errors as one line: `query.since: not a date: '7393-15-00' (YYYY-MM-DD)`."""
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()))
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"


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


def allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette names only the first route's:
    `Allow: GET` on /documents/{id}, which DELETE serves too)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


class BodyTooLarge(StarletteHTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


class RequestGuard:
    """Pure ASGI middleware: refusals that need only the request line and headers, made before
    the body is read. FastAPI parses a multipart form before it runs a route's dependencies, so
    the key dependency alone read a whole upload (200 MB: 0.57 s) to answer 401."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string") or b""
        target = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + (len(query) + 1 if query else 0)
        if target > MAX_URL_BYTES:
            await send_error(send, 414, f"URL too long: {target} bytes > {MAX_URL_BYTES}")
            return
        headers = scope_headers(scope)
        path = scope["path"].removeprefix(scope.get("root_path") or "")
        if scope["method"] == "POST" and path == UPLOAD_PATH:
            refusal = key_refusal(self.settings.api_key, presented_key(headers))
            if refusal is not None:
                status, detail = refusal
                await send_error(send, status, detail, [(b"www-authenticate", b"Bearer")] if status == 401 else [])
                return
            what, limit = "upload", self.settings.limits.max_total_bytes
            cap = limit + MULTIPART_SLACK
        else:
            what, limit = "request body", MAX_BODY_BYTES
            cap = limit
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            await send_error(send, 413, f"{what} too large: {int(declared) / MB:.1f} MB > {limit / MB:g} MB "
                                        "(Content-Length)")
            return
        read = 0

        async def capped() -> Message:  # a body sent without Content-Length (chunked) stops at the cap
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > cap:
                    raise BodyTooLarge(f"{what} too large: more than {cap / MB:g} MB > {limit / MB:g} MB")
            return message

        await self.app(scope, capped, send)


def uvicorn_options() -> dict[str, Any]:
    """What `chidao serve` passes to uvicorn besides host and port (tests start the same server)."""
    return {"h11_max_incomplete_event_size": MAX_REQUEST_HEAD}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.core = Core(settings)
        try:
            app.state.core.load()
            if settings.warm_up:
                app.state.core.warm_up()
        except (IndexNotReady, IndexMismatch) as exc:  # served as 503 until it is built
            log.warning("index not ready: %s", exc)
        yield
        app.state.core.close()

    app = FastAPI(
        title="chidao",
        version="0.1.0",
        summary="Tìm kiếm và hỏi đáp văn bản chỉ đạo điều hành (semantic search over Vietnamese directives)",
        lifespan=lifespan,
    )
    app.add_middleware(RequestGuard, settings=settings)  # innermost: a refusal still counts against the limit
    if settings.rate_limit > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit,
                           keys=(settings.api_key,) if settings.api_key else ())
    if settings.cors_origins:  # added last = outermost: a 429 still carries the CORS headers
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["X-API-Key", "Authorization"])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return JSONResponse(Error(detail=str(exc.detail)).model_dump(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(Error(detail=validation_detail(exc)).model_dump(), status_code=422)

    async def _core_error(request: Request, exc: Exception) -> JSONResponse:
        o = outcome(exc)
        assert o is not None  # registered for the table's errors only
        return JSONResponse(Error(detail=o.detail, hint=o.hint).model_dump(), status_code=o.http)

    for error in CORE_ERRORS:
        app.add_exception_handler(error, _core_error)

    read = [Depends(require_read_key)]

    @app.get("/health", response_model=HealthOut, tags=["service"])
    def health(request: Request) -> HealthOut:
        """Whether the index is loaded, which generation and embedder, how many documents."""
        return HealthOut(**core_of(request).health().to_dict())

    @app.get("/search", response_model=SearchOut, responses=ERRORS, dependencies=read, tags=["search"])
    def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=1000, description="câu truy vấn",
                                examples=["giải ngân vốn đầu tư công"])],
        filters: Annotated[FiltersIn, Depends(filters_from_query)],
        k: Annotated[int, Query(ge=1, le=100)] = 10,
    ) -> SearchOut:
        """Hybrid search (BM25 + e5), with the same filters as `chidao search`."""
        found = core_of(request).search(SearchRequest(q, to_filters(filters), k))
        return SearchOut.model_validate({"query": q, "filters": filters, "hits": found.to_dict()["hits"]})

    @app.get("/facets", response_model=FacetsOut, responses=ERRORS, dependencies=read, tags=["search"])
    def facets(request: Request) -> FacetsOut:
        """Provinces (old and new names), types, issuers and the date range in the index."""
        return FacetsOut.from_facets(core_of(request).facets())

    @app.get("/documents/{doc_id}", response_model=DocumentOut, responses=ERRORS, dependencies=read,
             tags=["documents"])
    def document(
        request: Request,
        doc_id: Annotated[str, Path(examples=["001_b75f6995bec0e83d"])],
        start: Annotated[int | None, Query(ge=0, description="a cited span of the original text")] = None,
        end: Annotated[int | None, Query(ge=0)] = None,
    ) -> DocumentOut:
        """Metadata, section tree and original text; sections and chunks as spans of the original.
        With `start`/`end` (a search hit's or a citation's span), `highlight` maps it onto the original."""
        span = (start, end) if start is not None and end is not None else None
        return DocumentOut.from_view(core_of(request).document(doc_id, span))

    @app.post("/documents", response_model=JobOut, status_code=202, responses=WRITE_ERRORS,
              dependencies=[Depends(require_write_key)], tags=["documents"])
    async def upload(request: Request, files: Annotated[list[UploadFile], File(description="văn bản .docx .pdf .doc .txt .html")]) -> JobOut:
        """Upload directives; they are ingested in a background job (poll GET /jobs/{id})."""
        core = core_of(request)
        core.admit_upload(len(files))
        limit = settings_of(request).limits.max_file_bytes
        incoming = [IncomingFile(f.filename or "", await f.read(limit + 1), f.size) for f in files]  # size: as the parser counted
        up = core.upload(incoming)
        return JobOut.from_state(up.job, list(up.files))

    @app.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS, dependencies=read, tags=["documents"])
    def job(request: Request, job_id: str) -> JobOut:
        """Status and progress (0..1) of an upload job."""
        up = core_of(request).job(job_id)
        if up is None:
            raise HTTPException(404, f"no job {job_id!r}")
        return JobOut.from_state(up.job, list(up.files))

    @app.delete("/documents/{doc_id}", response_model=DeleteOut, responses=WRITE_ERRORS,
                dependencies=[Depends(require_write_key)], tags=["documents"])
    def delete(request: Request, doc_id: str) -> DeleteOut:
        """Remove a document (a file's id removes its attachments too); searchable state updates at once."""
        deleted = core_of(request).delete(doc_id)
        return DeleteOut(removed=list(deleted.removed), generation=deleted.generation)

    app.include_router(answers_router, dependencies=read)
    return app


def __getattr__(name: str) -> FastAPI:
    """`uvicorn api.app:app` builds the app from the environment on first access."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
