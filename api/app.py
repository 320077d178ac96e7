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
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from api.deps import key_refusal, require_read_key
from api.models import Error
from api.ratelimit import (
    ASGIApp,
    Message,
    RateLimit,
    Receive,
    Scope,
    Send,
    presented_key,
    scope_headers,
    send_error,
)
from api.routes import answers as answers_routes
from api.routes import documents as document_routes
from api.routes import search as search_routes
from api.routes import service as service_routes
from index.generation import IndexMismatch, IndexNotReady
from service.core import Core
from service.errors import ERRORS as CORE_ERRORS
from service.errors import outcome
from service.settings import MB, Settings

log = logging.getLogger(__name__)


UPLOAD_PATH = "/documents"  # POST: the one route that takes a large body
MAX_URL_BYTES = 16384  # path and query: a 1,000-character query (the /search limit) is ~3 KB
# percent-encoded in ordinary Vietnamese, at most ~9 KB (3-byte letters), plus filters
MAX_BODY_BYTES = 1 * MB  # any request body but an upload (an /ask question is under 1,000 characters)
MULTIPART_SLACK = 1 * MB  # multipart framing allowed on top of CHIDAO_MAX_UPLOAD_MB
# uvicorn (h11) buffers a request line and headers up to this many bytes before the app sees them;
# a longer head gets uvicorn's own 400 "Invalid HTTP request received." and the connection closed
# (h11's default, 16 KB, turned a 140 KB URL into a reset). Up to it, RequestGuard answers 414.
MAX_REQUEST_HEAD = 256 * 1024


def validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's list of errors as one line: `query.since: not a date: '7393-15-00' (YYYY-MM-DD)`."""
    parts = []
    for e in exc.errors():
        where = ".".join(str(x) for x in e.get("loc", ()))
        msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"


def allowed_methods(request: Request) -> str:
    """Every method some route serves on this path (Starlette names only the first route's:
    `Allow: GET` on /documents/{id}, which DELETE serves too)."""
    methods: set[str] = set()
    for route in _leaf_routes(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _leaf_routes(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes themselves: FastAPI 0.165 keeps an included router as one entry
    (`original_router`, no prefix here) instead of copying its routes into the app's."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _leaf_routes(inner.routes)
        else:
            yield route


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
    app.include_router(service_routes.router)
    app.include_router(search_routes.router, dependencies=read)
    app.include_router(document_routes.router)  # reads need the read key, writes the write key: per route
    app.include_router(answers_routes.router, dependencies=read)
    return app


def __getattr__(name: str) -> FastAPI:
    """`uvicorn api.app:app` builds the app from the environment on first access."""
    if name == "app":
        return create_app()
    raise AttributeError(name)
