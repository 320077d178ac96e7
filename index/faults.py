"""Named crash points in the index writer, for the crash-consistency harness (eval/crash.py).

`CHIDAO_CRASH_AT=step` (or `step:n`, the n-th time the step is reached in this process) makes
the writer SIGKILL itself right after that step, the way a power cut or the OOM killer would.
Unset (always, outside the harness) a crash point costs one dict lookup. The steps, in the
order one batch reaches them (see index/writer.py and index/generation.py):

    staged     gen-N.staging started from the live generation (hard links, delta or store copied)
    sqlite     one file's documents and chunks committed to the staging SQLite store
    tantivy    tantivy commit of the batch
    faiss      vectors.faiss written
    sealed     checksums + manifest.json written into the staging folder
    renamed    gen-N.staging renamed to gen-N (complete, not yet live)
    current    CURRENT swapped to gen-N (the batch is durable from here on)
    collected  old generations and leftovers removed
"""

from __future__ import annotations

import os
import signal
from collections import Counter

CRASH_ENV = "CHIDAO_CRASH_AT"
STEPS = ("staged", "sqlite", "tantivy", "faiss", "sealed", "renamed", "current", "collected")
_reached: Counter[str] = Counter()


def crash_point(step: str) -> None:
    """SIGKILL this process if CHIDAO_CRASH_AT names `step` (and its count is reached)."""
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    name, _, nth = spec.partition(":")
    if name != step:
        return
    _reached[step] += 1
    if _reached[step] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
