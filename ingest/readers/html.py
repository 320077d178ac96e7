"""HTML pages: visible text, one line per block, with scripts, styles and navigation dropped.

Parsed by BeautifulSoup over lxml. Block elements (p, div, li, h1-h6, tr, ...) and <br> end a
line; table cells of one row are joined with " | " like the Markdown tables of the crawled
corpus. Old provincial sites set TCVN3/VNI text in ".VnTime"/"VNI-Times" fonts, so legacy
detection runs on the extracted text (entities such as &copy; are resolved by then).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from ingest.model import IngestError, RawText
from ingest.readers.encoding import convert_if_legacy, decode_bytes

DROPPED = frozenset({"script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "select"})
BLOCKS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "ul"]
)
CELLS = ("td", "th")
CELL_SEP = " | "
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if not isinstance(child, _SKIPPED_STRINGS):
                out.append(str(child))
        elif isinstance(child, Tag):
            name = child.name.lower()
            if name in DROPPED:
                continue
            if name == "br":
                out.append("\n")
            elif name == "tr":
                cells = [_cell_text(c) for c in child.find_all(CELLS, recursive=False) if isinstance(c, Tag)]
                if any(cells):
                    out.append("\n" + CELL_SEP.join(cells) + "\n")
            elif name in BLOCKS:
                out.append("\n")
                _walk(child, out)
                out.append("\n")
            else:
                _walk(child, out)


def _cell_text(cell: Tag) -> str:
    """A table cell on one line: its own blocks (two <p> in a header cell) joined by spaces."""
    parts: list[str] = []
    _walk(cell, parts)
    return " ".join(_lines(parts))


def _lines(parts: list[str]) -> list[str]:
    # split("\n"), not splitlines(): U+0085 (NEL) is TCVN3's "Ặ" in the Latin-1 view.
    lines = (_SPACES.sub(" ", raw).strip() for raw in "".join(parts).split("\n"))
    return [line for line in lines if line]


def html_to_text(markup: str) -> str:
    """Visible text of an HTML document, one block per line, no blank lines."""
    soup = BeautifulSoup(markup, "lxml")
    parts: list[str] = []
    _walk(soup, parts)
    return "\n".join(_lines(parts))


def read_html(data: bytes, path: str) -> RawText:
    decoded = decode_bytes(data, path, convert_legacy=False)
    try:
        text = html_to_text(decoded.text)
    except Exception as exc:  # noqa: BLE001 - parser failures become a reason, not a traceback
        raise IngestError(path, f"broken HTML: {type(exc).__name__}") from exc
    if not text:
        raise IngestError(path, "no visible text in HTML")
    text, legacy = convert_if_legacy(text, known=decoded.encoding)  # known only for 8-bit legacy bytes
    return RawText(path=path, text=text, format="html", encoding=legacy or decoded.encoding)
