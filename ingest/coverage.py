"""Where every character of a document's clean text went: into a chunk, or into a region the
code names as excluded. Content that is in neither is silently unsearchable: `uncovered` lists it.

Excluded regions (never searched as content, each named):
- ``recipients``: the "Nơi nhận:" block;
- ``address``: the "Kính gửi:" block;
- ``signature``: the signer's capacity, title and name;
- ``heading``: the heading line of a section that has children (every child's chunk carries it in
  its `section_path`, so it is searched with them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.model import Chunk
from ingest.sections import parse_sections

EXCLUDED_KINDS = ("recipients", "address", "signature")


@dataclass(frozen=True)
class Coverage:
    doc_id: str
    chars: int  # non-space characters of the clean text
    in_chunks: int
    excluded: tuple[tuple[str, int], ...]  # (region name, non-space characters), in name order
    uncovered: tuple[tuple[int, int], ...]  # spans of non-space text in neither

    @property
    def covered(self) -> int:
        return self.in_chunks + sum(n for _, n in self.excluded)

    @property
    def share(self) -> float:
        """Share of the non-space text that is in a chunk or a named excluded region."""
        return self.covered / self.chars if self.chars else 1.0


def excluded_regions(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every excluded region of `text` (see the module docstring)."""
    sections = parse_sections(text)
    parents = {s.keys[:-1] for s in sections if len(s.keys) > 1}
    out: list[tuple[str, int, int]] = []
    for s in sections:
        if s.keys[0] in EXCLUDED_KINDS:
            if len(s.keys) == 1:
                out.append((s.keys[0], s.start, s.end))
        elif s.keys in parents:
            out.append(("heading", s.start, s.body_start))
    return out


def coverage(doc_id: str, text: str, chunks: Sequence[Chunk]) -> Coverage:
    """How `chunks` (those of `doc_id`) and the excluded regions cover `text`."""
    owner = [0] * len(text)  # 0 nothing, 1 chunk, 2.. excluded kinds
    names = ("", "chunk", *EXCLUDED_KINDS, "heading")
    for c in chunks:
        if c.doc_id == doc_id:
            for i in range(c.start, min(c.end, len(text))):
                owner[i] = 1
    for name, a, b in excluded_regions(text):
        code = names.index(name)
        for i in range(a, min(b, len(text))):
            if owner[i] == 0:
                owner[i] = code
    counts = [0] * len(names)
    uncovered: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        counts[owner[i]] += 1
        if owner[i] == 0:
            if uncovered and not text[uncovered[-1][1] : i].strip():
                uncovered[-1] = (uncovered[-1][0], i + 1)  # only spaces between: one span
            else:
                uncovered.append((i, i + 1))
    excluded = tuple((names[k], counts[k]) for k in range(2, len(names)) if counts[k])
    return Coverage(doc_id, sum(counts), counts[1], tuple(sorted(excluded)), tuple(uncovered))
