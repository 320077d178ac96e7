"""One table from an error to what each front end answers: the HTTP status (FastAPI), the same
status (the Streamlit backend) and the exit code (the CLI), with the message and hint shown.

`outcome(exc)` looks the error up (the first row it is an instance of); errors not in the table
are bugs and are left to propagate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.errors import UnknownAgency
from index.generation import IndexLocked, IndexMismatch, IndexNotReady, IndexWriteError
from index.index import BUILD_HINT
from index.lexical import BadFilter
from ingest.model import IngestError
from ingest.provinces import UnknownProvince
from service.ingest_jobs import UploadRejected
from service.reading import DocumentNotFound

EXIT_USAGE = 2  # bad input, unknown name, no index: the message says what to do
EXIT_IO = 74  # the index could not be written (EX_IOERR)
EXIT_TEMPFAIL = 75  # another writer holds the index; try again (EX_TEMPFAIL)


def _province(exc: BaseException) -> str:
    name = exc.args[0] if exc.args else ""
    return f"không biết tỉnh {name!r} (unknown province); tên cũ hoặc mới, ví dụ: Kon Tum, Quảng Ngãi"


def _locked(exc: BaseException) -> str:
    return f"the index is being written: {exc}; try again"


@dataclass(frozen=True)
class Status:
    http: int
    exit: int
    hint: str | None = None
    message: Callable[[BaseException], str] = str


TABLE: tuple[tuple[type[Exception], Status], ...] = (
    (IndexNotReady, Status(503, EXIT_USAGE, BUILD_HINT)),
    (IndexMismatch, Status(503, EXIT_USAGE, BUILD_HINT)),
    (IndexLocked, Status(409, EXIT_TEMPFAIL, message=_locked)),
    (IndexWriteError, Status(500, EXIT_IO)),
    (DocumentNotFound, Status(404, EXIT_USAGE)),
    (UnknownAgency, Status(404, EXIT_USAGE)),
    (UnknownProvince, Status(422, EXIT_USAGE, message=_province)),
    (UploadRejected, Status(422, EXIT_USAGE)),
    (BadFilter, Status(422, EXIT_USAGE)),
    (IngestError, Status(422, EXIT_USAGE)),
)

ERRORS: tuple[type[Exception], ...] = tuple(cls for cls, _ in TABLE)


@dataclass(frozen=True)
class Outcome:
    http: int
    exit: int
    detail: str
    hint: str | None

    def line(self) -> str:
        """The message with its hint, once ("... (build it with: chidao index build ...)")."""
        if self.hint and self.hint not in self.detail:
            return f"{self.detail} ({self.hint})"
        return self.detail


def outcome(exc: BaseException) -> Outcome | None:
    for cls, status in TABLE:
        if isinstance(exc, cls):
            return Outcome(status.http, status.exit, status.message(exc), status.hint)
    return None
