"""The one base class of every error chidao raises on purpose (bad input, missing index, unknown
name). Front ends map them to an HTTP status and a CLI exit code with one table
(`service.errors`); anything else that escapes is a bug."""

from __future__ import annotations


class ChidaoError(Exception):
    """A failure the user can act on; its message says what and why."""


class UnknownAgency(ChidaoError, LookupError):
    """An agency name the alias table does not know (HTTP 404)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"không biết cơ quan {self.name!r} (unknown agency); ví dụ: Sở Y tế, Sở KH&ĐT, Sở Tài chính"
