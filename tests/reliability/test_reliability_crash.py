"""Crash consistency (issue 7.1): the writer SIGKILLed at each named step keeps the index whole.

The 200-point run is `chidao reliability crash --points 200`; CI runs 20 points from .ci/run.
"""

from __future__ import annotations

from pathlib import Path

from eval.crash import check, index_state, run
from index.embedders.base import get_embedder
from index.faults import STEPS
from index.writer import write
from ingest.pipeline import ingest_file
from tests.conftest import SEEDS


def test_kill_at_every_writer_step_of_a_middle_batch_leaves_a_consistent_index(tmp_path: Path) -> None:
    # Steps count per batch, except "sqlite", reached once per file: batch 1 adds 4 files, so
    # "sqlite:6" is between the SQLite commits of the 2nd and 3rd files of batch 2.
    modes = [f"step:{step}:{6 if step == 'sqlite' else 2}" for step in STEPS]
    seen = []
    report = run(len(modes), work=tmp_path, modes=modes, progress=seen.append)
    assert [p.problems for p in seen] == [()] * len(STEPS)
    assert report.passed == report.points == len(STEPS)
    assert report.killed == len(STEPS)
    # Killed before the CURRENT swap of batch 2: one batch acknowledged; at or after it, the
    # in-flight batch is live but was never acknowledged (it printed nothing).
    assert [p.acked for p in seen] == [1] * len(STEPS)


def test_check_reports_documents_that_match_no_acknowledged_state(tmp_path: Path) -> None:
    root = tmp_path / "idx"
    write(root, [ingest_file(p) for p in sorted(SEEDS.glob("*.txt"))[:2]], get_embedder("hash"))
    state = index_state(root)
    assert check(root, [state], acked=0) == []
    fewer = dict(list(state.items())[1:])
    (problem,) = check(root, [fewer, fewer], acked=0)
    assert problem.startswith("documents match no acknowledged state (acked 0): missing [], unexpected [")
