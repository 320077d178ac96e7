"""Uploads: check files, store them by content hash, ingest them in a background job.

A file is checked before anything is stored (count, sizes, extension, content signature) and
refused with the reason (`UploadRejected`, HTTP 422). Stored names are `u_<sha256[:16]><ext>`:
never the client's file name (no path tricks, no collisions, the same bytes twice are one file).
The stem becomes the document id, so uploading the same file again changes nothing.

Jobs run one at a time on one worker thread (the index has one writer anyway); their status and
progress are kept in memory and polled by GET /jobs/{id}. Each file is parsed in
`ingest.sandbox` (a child process under resource limits); a file that fails is reported in the
job's errors with the reason and deleted.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from domain.errors import ChidaoError
from ingest.model import IngestError
from ingest.pipeline import SUPPORTED_SUFFIXES, IngestedFile
from ingest.readers.sniff import detect_format
from ingest.sandbox import Limits, ingest_file_sandboxed
from service.settings import MB, UploadLimits


class UploadRejected(ChidaoError, ValueError):
    """An upload refused before anything was stored; the message names the file and the reason."""


@dataclass(frozen=True)
class IncomingFile:
    filename: str  # as the client sent it: only its extension is used
    data: bytes  # may hold only the first max_file_bytes + 1 bytes of a larger file
    sent: int | None = None  # the file's size as received, when it is more than `data` holds

    @property
    def size(self) -> int:
        return len(self.data) if self.sent is None else max(self.sent, len(self.data))


@dataclass(frozen=True)
class StoredFile:
    path: Path
    doc_id: str
    filename: str
    size: int


@dataclass(frozen=True)
class JobState:
    id: str
    status: str  # queued | running | done | failed
    total: int
    done: int = 0
    stage: str = "queued"  # queued | reading | indexing | finished
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    created: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def progress(self) -> float:
        # reading is the first half of the work, embedding and writing the second; 1.0 only once
        # the new generation is published and searchable
        if self.status in ("done", "failed") or not self.total:
            return 1.0
        return min(round(self.done / (2 * self.total), 4), 0.99)


def check_files(files: Sequence[IncomingFile], limits: UploadLimits) -> None:
    if not files:
        raise UploadRejected("no file in the upload")
    if len(files) > limits.max_files:
        raise UploadRejected(f"too many files: {len(files)} > {limits.max_files}")
    total = sum(f.size for f in files)
    if total > limits.max_total_bytes:
        raise UploadRejected(f"upload too large: {total / MB:.1f} MB > {limits.max_total_bytes / MB:g} MB")
    for f in files:
        name = Path(f.filename or "").name or "(no name)"
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise UploadRejected(f"{name}: unsupported file type {suffix or '(none)'!r}; "
                                 f"supported: {' '.join(SUPPORTED_SUFFIXES)}")
        if not f.data:
            raise UploadRejected(f"{name}: empty file")
        if f.size > limits.max_file_bytes:
            raise UploadRejected(f"{name}: file too large: {f.size / MB:.1f} MB > "
                                 f"{limits.max_file_bytes / MB:g} MB")
        try:
            detect_format(f.data, suffix, name)
        except IngestError as exc:
            raise UploadRejected(f"{name}: {exc.reason}") from None


def store_files(files: Sequence[IncomingFile], folder: Path) -> list[StoredFile]:
    """Write each file under its content hash (call check_files first)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for f in files:
        digest = hashlib.sha256(f.data).hexdigest()
        stem = "u_" + digest[:16]
        path = folder / (stem + Path(f.filename).suffix.lower())
        if not path.exists():
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(f.data)
            tmp.replace(path)
        out.append(StoredFile(path, stem, Path(f.filename).name, len(f.data)))
    return out


Writer = Callable[[list[IngestedFile], Callable[[int], None]], tuple[Sequence[str], Sequence[str], Sequence[str]]]


class Jobs:
    """In-memory job table plus one worker thread."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobState] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chidao-ingest")

    def get(self, job_id: str) -> JobState | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)  # type: ignore[arg-type]

    def submit(self, stored: Sequence[StoredFile], write: Writer, on_done: Callable[[], object]) -> JobState:
        job = JobState(uuid.uuid4().hex, "queued", total=len(stored))
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job.id, list(stored), write, on_done)
        return job

    def _run(self, job_id: str, stored: list[StoredFile], write: Writer, on_done: Callable[[], object]) -> None:
        self._update(job_id, status="running", stage="reading")
        files: list[IngestedFile] = []
        errors: list[str] = []
        for n, s in enumerate(stored, 1):
            try:
                # an upload is untrusted: parse it in a resource-limited child (zip bombs, XML
                # expansion, looping PDFs cost that child, not the server)
                files.append(ingest_file_sandboxed(s.path, limits=Limits()))
            except IngestError as exc:
                errors.append(f"{s.filename}: {exc.reason}")
                s.path.unlink(missing_ok=True)  # a file that cannot be ingested is not kept
            except Exception as exc:  # noqa: BLE001 - a parser bug fails this file, not the job
                errors.append(f"{s.filename}: unexpected {type(exc).__name__}: {exc}")
            self._update(job_id, done=n, errors=tuple(errors))
        if not files:
            self._update(job_id, status="failed", stage="finished", done=2 * len(stored), finished=time.time())
            return
        self._update(job_id, stage="indexing", done=len(stored) + (len(stored) - len(files)))
        base = len(stored) + (len(stored) - len(files))
        counter = {"n": 0}

        def progress(k: int) -> None:
            counter["n"] += k
            self._update(job_id, done=base + counter["n"])

        try:
            added, replaced, unchanged = write(files, progress)
        except Exception as exc:  # noqa: BLE001 - reported through the job, the server goes on
            self._update(job_id, status="failed", stage="finished", errors=(*errors, f"index: {exc}"),
                         finished=time.time())
            return
        on_done()
        self._update(job_id, status="done", stage="finished", done=2 * len(stored), added=tuple(added),
                     replaced=tuple(replaced), unchanged=tuple(unchanged), finished=time.time())

    def wait(self, job_id: str, timeout: float = 60.0) -> JobState | None:
        """Block until the job finishes (tests, scripts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is None or job.status in ("done", "failed"):
                return job
            time.sleep(0.02)
        return self.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
