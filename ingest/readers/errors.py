"""One-line reasons from third-party exceptions, for IngestError."""

from __future__ import annotations

MAX_DETAIL = 160


def short(exc: BaseException) -> str:
    """"PdfReadError: Cannot find Root object": the type and the first line, clipped."""
    message = str(exc).strip().split("\n", 1)[0][:MAX_DETAIL]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
