"""Turn a document's section tree into chunks.

A chunk is a section's own text (its heading line and body, up to its first child), or a run
of sentences of a long one. Text before the first heading is chunked by paragraph. Headings
with nothing of their own (e.g. "7. Sở Y tế:" followed by bullets) give no chunk; their
children carry them in `section_path`. Chunk ids are `<doc_id>:<keys>` (keys such as
`I/7/-2`), plus `~n` for the n-th piece of a split section: stable across re-ingests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from ingest.model import Chunk, Section
from ingest.sections import parse_sections
from ingest.tables import find_tables

CHUNKER_VERSION = "3"  # 2: annexes and leaf headings are chunks (every character covered); 3: a title heads the paragraph after it

MAX_CHARS = 1200  # ~300 e5 tokens: well inside the 512-token window
_MIN_PARAGRAPH = 80
_SENTENCE_END = re.compile(r"(?<=[.;!?…])\s+(?=[A-ZĐÀ-Ỹ\-+•\d“\"(])")
_PARAGRAPH = re.compile(r"\n+")  # after cleaning, a remaining line break ends a paragraph
_BULLET_KEYS = ("-", "+", "•", "–", "*")
# Who the letter is addressed to and who receives copies: metadata, not content to search.
_NOT_CONTENT = frozenset({"address", "recipients", "signature"})


def _own_label(section: Section) -> bool:
    """Bullets carry their text, not a heading: their label stays out of the path."""
    return not section.keys[-1].startswith(_BULLET_KEYS)


def _pieces(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split [start, end) into runs of whole sentences of at most max_chars.

    A short last sentence is repeated at the head of the next run, so a fact that straddles a
    cut is still whole in one chunk."""
    if end - start <= max_chars:
        yield start, end
        return
    cuts = {m.end() for m in _SENTENCE_END.finditer(text, start, end)}
    cuts |= {m.end() for m in _PARAGRAPH.finditer(text, start, end)}
    bounds = [start] + sorted(b for b in cuts if start + 20 < b < end) + [end]
    i = 0
    while i < len(bounds) - 1:
        j = i + 1
        while j < len(bounds) - 1 and bounds[j + 1] - bounds[i] <= max_chars:
            j += 1
        yield bounds[i], bounds[j]
        if j == len(bounds) - 1:
            return
        short_last = j - 1 > i and bounds[j] - bounds[j - 1] < max_chars // 4
        i = j - 1 if short_last else j


def _is_title(paragraph: str) -> bool:
    """An upper-case line ("KẾ HOẠCH", "VỀ TĂNG CƯỜNG CÔNG TÁC QUẢN LÝ ...", "PHỤ LỤC"): it names
    what follows, so it never ends a chunk."""
    letters = [c for c in paragraph if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraph spans in [start, end), with short ones and titles merged into the next: a
    document's number, date, kind and subject open the paragraph after them, so its opening
    passage says what it is and what it is for."""
    pos = start
    pending: int | None = None
    last: tuple[int, int] | None = None  # held back one step, so a short tail can join it
    for m in _PARAGRAPH.finditer(text, start, end):
        para_end = m.start()
        if text[pos:para_end].strip():
            s = pending if pending is not None else pos
            if para_end - s < _MIN_PARAGRAPH or _is_title(text[pos:para_end]):
                pending = s
            else:
                if last is not None:
                    yield last
                last = (s, para_end)
                pending = None
        pos = m.end()
    if text[pos:end].strip() or pending is not None:
        s = pending if pending is not None else pos
        if end - s < _MIN_PARAGRAPH and last is not None:
            yield last[0], end  # a short tail (a byline) joins the paragraph before it
            return
        if last is not None:
            yield last
        yield s, end
        return
    if last is not None:
        yield last


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_document(doc_id: str, text: str, max_chars: int = MAX_CHARS) -> list[Chunk]:
    sections = parse_sections(text)
    rows = [r for t in find_tables(text) for r in t.rows]
    chunks: list[Chunk] = []

    def emit(path: tuple[str, ...], key: str, start: int, end: int, heading: str = "", leaf: bool = False) -> None:
        start, end = _trim(text, start, end)
        body = text[start:end]
        if not body or (body == heading.strip() and not leaf):
            return
        # A table row is a chunk of its own (searchable as the task it assigns).
        cuts = sorted({b for r in rows for b in (r.start, r.end) if start < b < end})
        bounds = [start, *cuts, end]
        spans = [p for a, b in pairwise(bounds) if text[a:b].strip() for p in _pieces(text, a, b, max_chars)]
        for n, (s, e) in enumerate(spans, 1):
            s, e = _trim(text, s, e)
            cid = f"{doc_id}:{key}" + (f"~{n}" if len(spans) > 1 else "")
            chunks.append(Chunk(cid, doc_id, path, text[s:e], s, e))

    # Text outside every top-level section (the preamble, a paragraph after an address block)
    # is chunked by paragraph.
    n = 0
    pos = 0
    for top in [s for s in sections if len(s.keys) == 1] + [None]:
        gap_end = top.start if top is not None else len(text)
        for s, e in _paragraphs(text, pos, gap_end):
            n += 1
            emit((), f"p{n}", s, e)
        pos = max(pos, top.end) if top is not None else pos
    children_start: dict[tuple[str, ...], int] = {}
    for sec in sections:
        parent = sec.keys[:-1]
        children_start.setdefault(parent, sec.start)
    for sec in sections:
        if sec.keys[0] in _NOT_CONTENT:
            continue
        own_end = children_start.get(sec.keys, sec.end)
        # A heading with children is carried in their paths; one without children is content.
        leaf = sec.keys not in children_start
        if _own_label(sec):
            emit(sec.path, "/".join(sec.keys), sec.start, own_end, heading=sec.path[-1], leaf=leaf)
        else:
            emit(sec.path[:-1], "/".join(sec.keys), sec.start, own_end)
    chunks.sort(key=lambda c: c.start)
    return chunks
