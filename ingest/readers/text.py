"""Plain text and Markdown: decoding is all there is (see `ingest.readers.encoding`)."""

from __future__ import annotations

from ingest.model import RawText
from ingest.readers.encoding import decode_bytes


def read_txt(data: bytes, path: str) -> RawText:
    decoded = decode_bytes(data, path)
    return RawText(path=path, text=decoded.text, format="txt", encoding=decoded.encoding)


def read_md(data: bytes, path: str) -> RawText:
    decoded = decode_bytes(data, path)
    return RawText(path=path, text=decoded.text, format="md", encoding=decoded.encoding)
