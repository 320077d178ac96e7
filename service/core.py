"""The application: one facade every front end calls (the CLI, the HTTP API, the Streamlit app).

`Core(settings)` is cheap; the index opens on first use (or `load()`), and a generation published
since the last call (an upload, a CLI build in another terminal) is picked up by the next call.
Each operation takes a typed request and returns a frozen result (`service.results`) whose
`to_dict()` is the JSON every front end shows. The question's intent is read here, once
(`answer.intent.route`): the same question gets the same kind of answer and the same first
result through every front end. The answerers get the retriever this core holds; errors are
`domain.errors.ChidaoError`s that `service.errors` maps to HTTP statuses and exit codes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from answer import answers, qa
from answer import compare as comparing
from answer.compare import Comparison
from answer.intent import AGENCY, COMPARE, QUESTION, route
from domain.errors import UnknownAgency
from domain.model import Filters
from index.generation import IndexMismatch, IndexNotReady
from index.index import BUILD_HINT
from ingest.agencies import table
from ingest.organisations import org_key
from search.retrievers import HybridRetriever, topic_scope
from service.ingest_jobs import (
    IncomingFile,
    Jobs,
    JobState,
    StoredFile,
    UploadRejected,
    check_files,
    store_files,
)
from service.reading import DocumentNotFound, DocumentView, Facets, Service
from service.results import AgencyTasks, ComparisonAnswer, Deleted, Health, SearchAnswer, Upload
from service.settings import Settings

UPLOAD_ID = re.compile(r"u_[0-9a-f]{16}")


class Answer(Protocol):
    """What `ask` returns: `kind` is agency | question | compare | search."""

    @property
    def kind(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


# ---- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    query: str
    filters: Filters = field(default_factory=Filters)
    k: int = 10


@dataclass(frozen=True)
class AskRequest:
    question: str
    filters: Filters = field(default_factory=Filters)
    k: int = 10  # hits shown for plain search words


@dataclass(frozen=True)
class CompareRequest:
    topic: str
    provinces: tuple[str, ...] = ()  # old or new names; () = every province treating the topic
    threshold: float | None = None


@dataclass(frozen=True)
class TasksRequest:
    agency: str  # any spelling the alias table knows ("so y te", "Sở KH&ĐT")
    province: str | None = None
    since: str | None = None
    until: str | None = None
    overdue: bool = False  # only tasks whose deadline has passed on `today`
    today: str | None = None  # ISO date; None = the real today


# ---- the facade -------------------------------------------------------------------------------


class Core:
    def __init__(self, settings: Settings, retriever: str = "hybrid") -> None:
        self.settings = settings
        self.reader = Service(settings.index, retriever)
        self._jobs: Jobs | None = None
        self._job_files: dict[str, tuple[StoredFile, ...]] = {}

    @classmethod
    def at(cls, index: str | Path, retriever: str = "hybrid") -> Core:
        """A core over the index folder with default settings (the CLI's)."""
        return cls(Settings(index=Path(index)), retriever)

    # ---- lifecycle ------------------------------------------------------------------------
    def load(self) -> Core:
        """Open the index now; raises IndexNotReady (with the build command) when there is none."""
        self.reader.load()
        return self

    def warm_up(self) -> None:
        self.reader.warm_up()

    def refresh(self) -> bool:
        return self.reader.refresh()

    @property
    def ready(self) -> bool:
        return self.reader.ready

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.shutdown()

    # ---- reads --------------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchAnswer:
        hits = tuple(self.reader.search(req.query, k=req.k, filters=req.filters))
        scope = topic_scope(req.query, req.filters) if isinstance(self.reader.retriever(), HybridRetriever) else None
        return SearchAnswer(req.query, hits, scope=scope[0] if scope else None)

    def ask(self, req: AskRequest) -> Answer:
        """The question routed once: a comparison, an agency's tasks, a factual answer with its
        citation, or search results for plain search words."""
        intent = route(req.question)
        if intent.kind == COMPARE:
            return ComparisonAnswer(req.question,
                                    self.compare(CompareRequest(intent.topic or req.question, intent.provinces)))
        if intent.kind == AGENCY and intent.agency_question is not None:
            with self.reader.reading() as index:
                return answers.agency_ask(index, req.question, intent.agency_question, req.filters)
        if intent.kind == QUESTION:
            retriever = self.reader.retriever()
            with self.reader.reading() as index:
                return qa.answer_question(index, req.question, filters=req.filters, retriever=retriever)
        return self.search(SearchRequest(req.question, req.filters, req.k))

    def compare(self, req: CompareRequest) -> Comparison:
        retriever = self.reader.retriever()
        with self.reader.reading() as index:
            return comparing.compare(index, retriever, req.topic, list(req.provinces) or None,
                                     threshold=req.threshold)

    def tasks(self, req: TasksRequest) -> AgencyTasks:
        """The agency's tasks by directive, each judged overdue on `today`."""
        known = table().lookup(req.agency)
        filters = Filters(province=req.province, since=req.since, until=req.until)
        with self.reader.reading() as index:
            # Any organisation the index has seen, by its name's key, not only the table's agencies.
            seen = [] if known is not None else [
                s for s in index.store.organisations() if org_key(s) == org_key(req.agency)]
            if known is None and not seen:
                raise UnknownAgency(req.agency)
            asked = known.name if known is not None else seen
            answer = answers.agency_answer(index, req.agency, asked, filters)
        return AgencyTasks(answer, req.today or dt.date.today().isoformat(), req.overdue)

    def document(self, doc_id: str, span: tuple[int, int] | None = None) -> DocumentView:
        return self.reader.document(doc_id, span)

    def facets(self) -> Facets:
        return self.reader.facets()

    def health(self) -> Health:
        root = str(self.settings.index)
        try:
            with self.reader.reading() as index:
                assert index.manifest is not None and index.generation is not None
                return Health("ok", root, index.generation.name, index.manifest.embedder,
                              index.store.count("documents"), index.store.count("chunks"))
        except (IndexNotReady, IndexMismatch) as exc:
            return Health("not_ready", root, detail=str(exc), hint=BUILD_HINT)

    # ---- writes -------------------------------------------------------------------------------
    def admit_upload(self, count: int) -> None:
        """Refuse an upload before its bytes are read: no index, or too many files."""
        if not self.ready:
            raise IndexNotReady(f"no index at {self.settings.index}")
        if count > self.settings.limits.max_files:
            raise UploadRejected(f"too many files: {count} > {self.settings.limits.max_files}")

    def upload(self, files: Sequence[IncomingFile]) -> Upload:
        """Check and store the files, then ingest them in a background job (see `job`)."""
        self.admit_upload(len(files))
        check_files(files, self.settings.limits)
        with self.reader.reading() as index:
            embedder = index.embedder  # the loaded one: the model is not loaded twice
        stored = tuple(store_files(files, self.settings.uploads))

        def write(batch, progress):  # type: ignore[no-untyped-def]
            from index.writer import write as write_index

            report = write_index(self.settings.index, batch, embedder, progress=progress)
            return report.added, report.replaced, report.unchanged

        if self._jobs is None:
            self._jobs = Jobs()
        job = self._jobs.submit(stored, write, self.reader.refresh)
        self._job_files[job.id] = stored
        return Upload(job, stored)

    def job(self, job_id: str) -> Upload | None:
        state = self._jobs.get(job_id) if self._jobs else None
        return Upload(state, self._job_files.get(job_id, ())) if state else None

    def wait(self, job_id: str, timeout: float = 60.0) -> JobState | None:
        """Block until the job ends (tests, scripts)."""
        return self._jobs.wait(job_id, timeout) if self._jobs else None

    def delete(self, doc_id: str) -> Deleted:
        """Remove a document (a file's id removes its attachments too) and its uploaded file."""
        from index.writer import write as write_index

        with self.reader.reading() as index:
            if index.store.document(doc_id) is None:
                raise DocumentNotFound(doc_id)
            embedder = index.embedder
        report = write_index(self.settings.index, [], embedder, remove=[doc_id])
        self.reader.refresh()
        if UPLOAD_ID.fullmatch(doc_id):  # an uploaded file goes with its document
            for stored in self.settings.uploads.glob(doc_id + ".*"):
                stored.unlink(missing_ok=True)
        return Deleted(tuple(report.removed), report.generation)
