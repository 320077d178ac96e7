"""Where the app's answers come from: the core in-process (default), or a running chidao API
(`CHIDAO_API_URL`). Both return the same JSON-shaped dicts (the API's Pydantic models), so the
views do not know which one they talk to.

Constructing a backend is cheap and imports neither torch nor the model: the in-process one
opens the index on first use and the embedder loads on the first query (the app shows a
spinner meanwhile).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

Json = dict[str, Any]


class BackendError(Exception):
    def __init__(self, message: str, status: int = 500) -> None:
        super().__init__(message)
        self.status = status


class Backend(Protocol):
    def health(self) -> Json: ...
    def facets(self) -> Json: ...
    def ask(self, question: str, filters: Json, k: int = 10) -> Json: ...
    def search(self, query: str, filters: Json, k: int = 10) -> Json: ...
    def compare(self, topic: str, provinces: Sequence[str] | None = None) -> Json: ...
    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> Json: ...
    def upload(self, files: Sequence[tuple[str, bytes]]) -> Json: ...
    def job(self, job_id: str) -> Json: ...


class LocalBackend:
    """The application core (`service.core.Core`), in this process."""

    def __init__(self, index: str | Path) -> None:
        from service.core import Core
        from service.settings import Settings

        self.settings = Settings.from_env(index=str(index))
        self.core = Core(self.settings)

    def _guard(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """The core's errors as BackendError with the status of the one table (`service.errors`)."""
        from service.errors import ERRORS, outcome

        try:
            return fn(*args, **kwargs)
        except ERRORS as exc:
            o = outcome(exc)
            assert o is not None
            raise BackendError(o.line(), o.http) from exc

    def health(self) -> Json:
        return self.core.health().to_dict()

    def facets(self) -> Json:
        from api.models import FacetsOut

        return self._guard(lambda: FacetsOut.from_facets(self.core.facets()).model_dump(mode="json"))

    def ask(self, question: str, filters: Json, k: int = 10) -> Json:
        from api.models import AskOut
        from domain.model import Filters
        from service.core import AskRequest

        def run() -> Json:
            d = self.core.ask(AskRequest(question, Filters(**filters), k)).to_dict()
            d.setdefault("question", question)
            return AskOut.model_validate(d).model_dump(mode="json")

        return self._guard(run)

    def search(self, query: str, filters: Json, k: int = 10) -> Json:
        from domain.model import Filters
        from service.core import SearchRequest

        return self._guard(lambda: self.core.search(SearchRequest(query, Filters(**filters), k)).to_dict())

    def compare(self, topic: str, provinces: Sequence[str] | None = None) -> Json:
        from api.models import CompareOut
        from service.core import CompareRequest

        return self._guard(lambda: CompareOut.model_validate(
            self.core.compare(CompareRequest(topic, tuple(provinces or ()))).to_dict()).model_dump(mode="json"))

    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> Json:
        from api.models import DocumentOut

        return self._guard(lambda: DocumentOut.from_view(self.core.document(doc_id, span)).model_dump(mode="json"))

    def upload(self, files: Sequence[tuple[str, bytes]]) -> Json:
        from api.models import JobOut
        from service.ingest_jobs import IncomingFile

        def run() -> Json:
            up = self.core.upload([IncomingFile(name, data) for name, data in files])
            return JobOut.from_state(up.job, list(up.files)).model_dump(mode="json")

        return self._guard(run)

    def job(self, job_id: str) -> Json:
        from api.models import JobOut

        up = self.core.job(job_id)
        if up is None:
            raise BackendError(f"no job {job_id!r}", 404)
        return JobOut.from_state(up.job, list(up.files)).model_dump(mode="json")


class HttpBackend:
    """A running `chidao serve`, over HTTP."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 60.0, client: Any = None) -> None:
        import httpx

        headers = {"X-API-Key": api_key} if api_key else {}
        self.client = client or httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self.client.headers.update(headers)

    def _json(self, method: str, path: str, **kwargs: Any) -> Json:
        r = self.client.request(method, path, **kwargs)
        if r.status_code >= 400:
            try:
                body = r.json()
                detail = body.get("detail")
                message = detail if isinstance(detail, str) else str(detail)
                if body.get("hint"):
                    message += f" ({body['hint']})"
            except ValueError:
                message = r.text
            raise BackendError(message, r.status_code)
        return r.json()  # type: ignore[no-any-return]

    def health(self) -> Json:
        return self._json("GET", "/health")

    def facets(self) -> Json:
        return self._json("GET", "/facets")

    def ask(self, question: str, filters: Json, k: int = 10) -> Json:
        return self._json("POST", "/ask", json={"question": question, "filters": filters, "k": k})

    def search(self, query: str, filters: Json, k: int = 10) -> Json:
        params = {"q": query, "k": k, **{key: v for key, v in filters.items() if v}}
        return {"kind": "search", "question": query, **self._json("GET", "/search", params=params)}

    def compare(self, topic: str, provinces: Sequence[str] | None = None) -> Json:
        params = {"topic": topic, **({"provinces": ",".join(provinces)} if provinces else {})}
        return self._json("GET", "/compare", params=params)

    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> Json:
        from urllib.parse import quote

        params = {"start": span[0], "end": span[1]} if span else {}
        return self._json("GET", f"/documents/{quote(doc_id, safe='')}", params=params)

    def upload(self, files: Sequence[tuple[str, bytes]]) -> Json:
        return self._json("POST", "/documents", files=[("files", (name, data)) for name, data in files])

    def job(self, job_id: str) -> Json:
        return self._json("GET", f"/jobs/{job_id}")


def from_env(index: str | None = None) -> Backend:
    url = os.environ.get("CHIDAO_API_URL")
    if url:
        return HttpBackend(url, os.environ.get("CHIDAO_API_KEY"))
    index = index or os.environ.get("CHIDAO_INDEX")
    if not index:
        raise BackendError("no index: run `chidao app --index DIR` or set CHIDAO_INDEX (or CHIDAO_API_URL)", 503)
    return LocalBackend(index)
