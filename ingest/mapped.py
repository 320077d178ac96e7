"""Text that remembers where each character came from.

Cleaning deletes markdown markers, joins hard-wrapped lines and drops web chrome; every hit must
still be shown and highlighted in the original. `MappedText` carries, for each character of the
current text, its offset in the original, through any number of regex substitutions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ingest.model import CleanText

Replacement = str | Callable[[re.Match[str]], str]


@dataclass
class MappedText:
    text: str
    idx: list[int]  # idx[i] = offset in the original of text[i]
    original: str

    @classmethod
    def of(cls, original: str) -> MappedText:
        return cls(original, list(range(len(original))), original)

    def sub(self, pattern: re.Pattern[str], repl: Replacement) -> MappedText:
        """re.sub that keeps the map. Replacement characters map to the start of the match; a
        match replaced by itself keeps its own map."""
        parts: list[str] = []
        idx: list[int] = []
        last = 0
        text = self.text
        literal = repl if isinstance(repl, str) and "\\" not in repl else None
        for m in pattern.finditer(text):
            start, end = m.span()
            if literal is not None:
                new = literal
            else:
                new = repl(m) if callable(repl) else m.expand(repl)
            if new == m.group(0):
                continue  # unchanged: stays in the pending slice with its own map
            parts.append(text[last:start])
            idx.extend(self.idx[last:start])
            parts.append(new)
            anchor = self.idx[start] if start < len(self.idx) else len(self.original)
            idx.extend([anchor] * len(new))
            last = end
        if last == 0 and not parts:
            return self
        parts.append(text[last:])
        idx.extend(self.idx[last:])
        return MappedText("".join(parts), idx, self.original)

    def map_chars(self, fn: Callable[[str], str]) -> MappedText:
        """Apply a length-preserving transform (tone placement); refuse any that is not."""
        new = fn(self.text)
        if len(new) != len(self.text):
            raise ValueError("map_chars needs a length-preserving transform")
        return MappedText(new, self.idx, self.original)

    def strip(self) -> MappedText:
        left = len(self.text) - len(self.text.lstrip())
        right = len(self.text.rstrip())
        return MappedText(self.text[left:right], self.idx[left:right], self.original)

    def slice(self, start: int, end: int) -> MappedText:
        return MappedText(self.text[start:end], self.idx[start:end], self.original)

    def freeze(self) -> CleanText:
        """Compress the per-character map to anchors where the mapping jumps."""
        arr = np.asarray(self.idx, dtype=np.int64)
        if arr.size == 0:
            return CleanText(self.text, self.original, ())
        jumps = np.flatnonzero(np.diff(arr) != 1) + 1
        starts = np.concatenate(([0], jumps))
        anchors = tuple((int(p), int(arr[p])) for p in starts)
        return CleanText(self.text, self.original, anchors)
