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
    """The core, in this process."""

    def __init__(self, index: str | Path) -> None:
        from service.settings import Settings
        from service.reading import Service

        self.settings = Settings.from_env(index=str(index))
        self.service = Service(self.settings.index)
        self._jobs: Any = None
        self._files: dict[str, Any] = {}

    def _guard(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        from index.generation import IndexMismatch, IndexNotReady
        from index.index import BUILD_HINT
        from ingest.provinces import UnknownProvince
        from service.ingest_jobs import UploadRejected
        from service.reading import DocumentNotFound

        try:
            return fn(*args, **kwargs)
        except (IndexNotReady, IndexMismatch) as exc:
            raise BackendError(f"{exc} ({BUILD_HINT})", 503) from exc
        except DocumentNotFound as exc:
            raise BackendError(str(exc), 404) from exc
        except UploadRejected as exc:
            raise BackendError(str(exc), 422) from exc
        except UnknownProvince as exc:
            raise BackendError(f"không biết tỉnh {exc.args[0]!r} (unknown province)", 422) from exc

    def health(self) -> Json:
        return self.service.health()

    def facets(self) -> Json:
        from api.models import FacetsOut

        return self._guard(lambda: FacetsOut.from_facets(self.service.facets()).model_dump(mode="json"))

    def ask(self, question: str, filters: Json, k: int = 10) -> Json:
        from answer.answering import ask
        from api.models import AskOut
        from domain.model import Filters

        return self._guard(lambda: AskOut.model_validate(
            ask(self.service, question, Filters(**filters), k)).model_dump(mode="json"))

    def search(self, query: str, filters: Json, k: int = 10) -> Json:
        from answer.answering import search_answer
        from domain.model import Filters

        return self._guard(lambda: search_answer(self.service, query, Filters(**filters), k))

    def compare(self, topic: str, provinces: Sequence[str] | None = None) -> Json:
        from answer.answering import compare
        from api.models import CompareOut

        return self._guard(lambda: CompareOut.model_validate(
            compare(self.service, topic, list(provinces) if provinces else None)).model_dump(mode="json"))

    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> Json:
        from api.models import DocumentOut

        return self._guard(lambda: DocumentOut.from_view(self.service.document(doc_id, span)).model_dump(mode="json"))

    def upload(self, files: Sequence[tuple[str, bytes]]) -> Json:
        from index.writer import write
        from api.models import JobOut
        from service.ingest_jobs import IncomingFile, Jobs, check_files, store_files

        def run() -> Json:
            incoming = [IncomingFile(name, data) for name, data in files]
            check_files(incoming, self.settings.limits)
            with self.service.reading() as index:
                embedder = index.embedder  # the loaded one: the model is not loaded twice
            stored = store_files(incoming, self.settings.uploads)

            def writer(batch, progress):  # type: ignore[no-untyped-def]
                report = write(self.settings.index, batch, embedder, progress=progress)
                return report.added, report.replaced, report.unchanged

            if self._jobs is None:
                self._jobs = Jobs()
            job = self._jobs.submit(stored, writer, self.service.refresh)
            self._files[job.id] = stored
            return JobOut.from_state(job, stored).model_dump(mode="json")

        return self._guard(run)

    def job(self, job_id: str) -> Json:
        from api.models import JobOut

        state = self._jobs.get(job_id) if self._jobs else None
        if state is None:
            raise BackendError(f"no job {job_id!r}", 404)
        return JobOut.from_state(state, self._files.get(job_id)).model_dump(mode="json")


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
