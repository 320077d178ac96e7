"""Crash consistency: SIGKILL an ingest at many points and check what survives.

    chidao reliability crash --points 200 --report reports/reliability

A worker process (`python -m eval.crash worker`) applies a plan of batches to a copy of a seeds
index with the hash embedder, through `index.writer.write` exactly as `chidao index add` does,
and prints `ack N` once batch N is published. The harness kills it with SIGKILL, either after a
random delay or at a named step of the writer (`CHIDAO_CRASH_AT`, see index/faults.py: between
the SQLite commit, the tantivy commit, the FAISS write, the manifest, the rename and the CURRENT
swap). After each kill it reopens the index and checks, like SQLite's and Lucene's crash tests:

- the live generation opens without falling back, and its checksums hold;
- SQLite chunk rows = tantivy documents = FAISS vectors, with the same ids on every side;
- the documents are exactly those after the last acknowledged batch, or after the one in flight
  (each document fully present with all its chunks, or absent; nothing acknowledged is lost);
- every hit of a search resolves to a stored chunk;
- the next batch is written on top of the crashed index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sample" / "seeds"
State = dict[str, tuple[str, tuple[str, ...]]]  # doc id -> (content hash, sorted chunk ids)


@dataclass(frozen=True)
class Batch:
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class PointResult:
    point: int
    mode: str  # "step:sqlite:2" or "random:1.234s"
    acked: int  # batches acknowledged before the kill
    killed: bool  # False when the worker finished before the kill landed
    ok: bool
    problems: tuple[str, ...] = ()


@dataclass
class CrashReport:
    points: int
    passed: int
    killed: int
    by_step: dict[str, list[int]] = field(default_factory=dict)  # step -> [passed, total]
    failures: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return f"crash consistency: {self.passed}/{self.points} points consistent ({self.killed} kills landed mid-ingest)"


# ---- corpus and plan --------------------------------------------------------------------------

def make_corpus(folder: Path, variants: int = 12, extra: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Files to add (generated variants of the seeds, plus `extra` real documents) and, for the
    replace batch, new versions of two of them under the same names."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    files: list[Path] = []
    for i in range(variants):
        seed = seeds[i % len(seeds)]
        text = seed.read_text(encoding="utf-8")
        path = folder / f"variant_{i:03d}.txt"
        path.write_text(text + f"\n\nGhi chú bản thử nghiệm số {i}: lưu trữ tại văn thư.\n", encoding="utf-8")
        files.append(path)
    if extra is not None:
        files += sorted(p for p in extra.iterdir() if p.is_file())[:8]
    v2 = folder / "v2"
    v2.mkdir(exist_ok=True)
    replaced = []
    for path in files[:2]:
        new = v2 / path.name
        new.write_text(path.read_text(encoding="utf-8") + "\nSửa đổi: bổ sung nhiệm vụ kiểm tra.\n", encoding="utf-8")
        replaced.append(new)
    return files, replaced


def make_plan(files: Sequence[Path], replaced: Sequence[Path]) -> list[Batch]:
    """Four batches: adds, an add with a removal, a replace, a removal with adds."""
    seeds = sorted(SEEDS.glob("*.txt"))
    n = len(files)
    q = max(1, n // 3)
    return [
        Batch(add=tuple(str(p) for p in files[:q])),
        Batch(add=tuple(str(p) for p in files[q : 2 * q]), remove=(seeds[0].stem,)),
        Batch(add=tuple(str(p) for p in replaced)),
        Batch(add=tuple(str(p) for p in files[2 * q :]), remove=(files[q].stem,)),
    ]


# ---- the worker (a separate process, killed by the harness) -----------------------------------

def worker(index: str, plan_path: str) -> int:
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.model import IngestError
    from ingest.pipeline import ingest_paths

    plan = [Batch(tuple(b["add"]), tuple(b["remove"])) for b in json.loads(Path(plan_path).read_text(encoding="utf-8"))]
    embedder = get_embedder("hash")
    print("ready", flush=True)
    for n, batch in enumerate(plan, 1):
        files = [r for r in ingest_paths(Path(p) for p in batch.add) if not isinstance(r, IngestError)]
        report = write(index, files, embedder, remove=batch.remove)
        print(f"ack {n} {report.generation}", flush=True)
    return 0


# ---- checks -----------------------------------------------------------------------------------

def index_state(root: Path) -> State:
    from index.index import Index

    index = Index(root).load()
    try:
        store = index.store
        return {
            d.id: (d.content_hash, tuple(sorted(c.chunk_id for c in store.chunks_of(d.id))))
            for d in store.documents()
        }
    finally:
        index.close()


def check(root: Path, expected: Sequence[State], acked: int) -> list[str]:
    """Problems found in the index at `root` after a kill with `acked` batches acknowledged."""
    import faiss

    from index.generation import current_generation, read_manifest, verify
    from index.index import Index

    problems: list[str] = []
    try:
        index = Index(root).load()
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        return [f"open: {type(exc).__name__}: {exc}"]
    try:
        live = current_generation(root)
        if index.generation != live:
            problems.append(f"opened {index.generation} instead of CURRENT {live} (fell back)")
        assert index.generation is not None
        bad = verify(index.generation, read_manifest(index.generation))
        if bad:
            problems.append(f"checksums fail: {bad}")
        store, lexical, vectors = index.store, index.lexical, index.vectors
        rowids = store.rowid_map()
        faiss_ids = {int(i) for i in faiss.vector_to_array(vectors.index.id_map)}
        if set(rowids.values()) != faiss_ids:
            problems.append(f"FAISS ids != SQLite rowids ({len(faiss_ids)} vs {len(rowids)})")
        if set(rowids) != set(lexical.chunk_ids()):
            problems.append(f"tantivy chunk ids != SQLite chunk ids ({lexical.count()} vs {len(rowids)})")
        counts = (store.count("chunks"), lexical.count(), vectors.count())
        if len(set(counts)) != 1:
            problems.append(f"counts differ: sqlite, tantivy, faiss = {counts}")
        state = {
            d.id: (d.content_hash, tuple(sorted(c.chunk_id for c in store.chunks_of(d.id)))) for d in store.documents()
        }
        allowed = [k for k in (acked, acked + 1) if k < len(expected)]
        if not any(state == expected[k] for k in allowed):
            ref = expected[acked]
            missing = sorted(set(ref) - set(state))[:5]
            extra = sorted(set(state) - set(ref))[:5]
            partial = sorted(d for d in set(ref) & set(state) if ref[d] != state[d])[:5]
            problems.append(
                f"documents match no acknowledged state (acked {acked}): missing {missing}, "
                f"unexpected {extra}, different {partial}"
            )
        for chunk_id, _ in lexical.search("ủy ban nhân dân tỉnh", k=20):
            if chunk_id not in rowids:
                problems.append(f"search hit {chunk_id} does not resolve")
    finally:
        index.close()
    return problems


def recover(root: Path, extra_file: Path) -> list[str]:
    """Write one more batch on top of the crashed index; problems if that fails or loses data."""
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.pipeline import ingest_file

    before = index_state(root)
    try:
        write(root, [ingest_file(extra_file)], get_embedder("hash"))
    except Exception as exc:  # noqa: BLE001
        return [f"next batch failed: {type(exc).__name__}: {exc}"]
    after = index_state(root)
    problems = []
    if {k: v for k, v in after.items() if k != extra_file.stem} != before or extra_file.stem not in after:
        problems.append("next batch changed or lost earlier documents")
    if list(root.glob("*.staging")):
        problems.append("staging folder left after the next batch")
    return problems


# ---- the harness ------------------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("CHIDAO_CRASH_AT", None)
    return env


def _run_worker(root: Path, plan_file: Path, crash_at: str | None, delay: float | None) -> tuple[int, bool, float]:
    """Run the worker; kill it at `crash_at` (it kills itself) or after `delay` seconds past
    "ready". Returns (batches acknowledged, whether it was killed, seconds from ready to exit)."""
    env = _env()
    if crash_at:
        env["CHIDAO_CRASH_AT"] = crash_at
    cmd = [sys.executable, "-m", "eval.crash", "worker", "--index", str(root), "--plan", str(plan_file)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"crash worker did not start: {first!r} {err[-500:]}")
    started = time.monotonic()
    if delay is not None:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate()
    took = time.monotonic() - started
    acked = sum(1 for line in out.splitlines() if line.startswith("ack "))
    killed = proc.returncode == -signal.SIGKILL
    if not killed and proc.returncode != 0:
        raise RuntimeError(f"crash worker failed (exit {proc.returncode}): {err[-800:]}")
    return acked, killed, took


def kill_modes(points: int, plan: Sequence[Batch], duration: float, rng: random.Random) -> list[str]:
    """A third of the points at named steps (every step, in every batch), the rest at random delays."""
    from index.faults import STEPS

    steps = [f"step:{s}:{n}" for n in range(1, len(plan) + 1) for s in STEPS]
    named = [steps[i % len(steps)] for i in range(points // 3)]
    randoms = [f"random:{rng.uniform(0.0, duration):.3f}" for _ in range(points - len(named))]
    modes = named + randoms
    rng.shuffle(modes)
    return modes


def run(points: int, seed: int = 0, work: Path | None = None, extra: Path | None = None,
        progress: Callable[[PointResult], None] | None = None, modes: Sequence[str] | None = None) -> CrashReport:
    """`points` kills (or exactly `modes`, e.g. "step:faiss:2", "random:0.5")."""
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.pipeline import ingest_file, ingest_paths

    started = time.monotonic()
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="chidao-crash-", dir=work))
    try:
        files, replaced = make_corpus(tmp / "corpus", extra=extra)
        plan = make_plan(files, replaced)
        plan_file = tmp / "plan.json"
        plan_file.write_text(json.dumps([asdict(b) for b in plan], ensure_ascii=False), encoding="utf-8")
        embedder = get_embedder("hash")
        base = tmp / "base"
        write(base, list(ingest_paths(sorted(SEEDS.glob("*.txt")))), embedder)  # type: ignore[arg-type]
        # The reference: the index after 0, 1, ... batches, written without crashes.
        reference = tmp / "reference"
        shutil.copytree(base, reference)
        expected = [index_state(reference)]
        for batch in plan:
            write(reference, [ingest_file(p) for p in batch.add], embedder, remove=batch.remove)
            expected.append(index_state(reference))
        # How long a full run takes after "ready": random kills fall inside it.
        calib = tmp / "calibrate"
        shutil.copytree(base, calib)
        _, _, duration = _run_worker(calib, plan_file, None, None)
        extra_file = tmp / "corpus" / "after_crash.txt"
        extra_file.write_text(sorted(SEEDS.glob("*.txt"))[1].read_text(encoding="utf-8") + "\nBổ sung.\n",
                              encoding="utf-8")
        modes = list(modes) if modes is not None else kill_modes(points, plan, duration, rng)
        report = CrashReport(points=len(modes), passed=0, killed=0)
        for n, mode in enumerate(modes, 1):
            root = tmp / f"point-{n:04d}"
            shutil.copytree(base, root)
            kind, _, arg = mode.partition(":")
            if kind == "step":
                acked, killed, _ = _run_worker(root, plan_file, arg, None)
            else:
                acked, killed, _ = _run_worker(root, plan_file, None, float(arg))
            problems = check(root, expected, acked)
            if not problems:
                problems = recover(root, extra_file)
            result = PointResult(n, mode, acked, killed, not problems, tuple(problems))
            report.passed += result.ok
            report.killed += killed
            key = arg.rsplit(":", 1)[0] if kind == "step" else "random"
            tally = report.by_step.setdefault(key, [0, 0])
            tally[0] += result.ok
            tally[1] += 1
            if not result.ok:
                report.failures.append(asdict(result))
            if progress:
                progress(result)
            shutil.rmtree(root, ignore_errors=True)
        report.seconds = round(time.monotonic() - started, 1)
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def format_report(r: CrashReport) -> str:
    lines = ["# Crash consistency", "", r.summary(), "", "| kill point | consistent |", "|---|---|"]
    lines += [f"| {k} | {v[0]}/{v[1]} |" for k, v in sorted(r.by_step.items())]
    lines += ["", f"{r.seconds:.0f} s in all."]
    for f in r.failures:
        lines.append(f"- point {f['point']} ({f['mode']}, acked {f['acked']}): {'; '.join(f['problems'])}")  # type: ignore[arg-type]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.crash")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("worker")
    w.add_argument("--index", required=True)
    w.add_argument("--plan", required=True)
    args = p.parse_args(argv)
    return worker(args.index, args.plan)


if __name__ == "__main__":
    sys.exit(main())
