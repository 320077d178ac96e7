"""Corruption: damage each file of an index and check that opening it notices.

    chidao reliability corrupt --cases 50 --report reports/reliability

A seeds index (hash embedder) is built in two generations. Each case copies it, damages one file
of the live generation (SQLite store, FAISS file, tantivy segment and meta files, manifest) or
CURRENT — truncated to nothing or to half, a byte flipped, garbage appended, or the file
deleted — and, in half of the cases, deletes the previous generation so no fallback exists.
Then `Index(root).load()` must either

- fall back to the previous generation (logging which file was damaged) and answer exactly as
  that generation does, or
- refuse with IndexNotReady naming the damaged file,

and a CURRENT that names no generation must be reported while the newest intact one is served.
Anything else — above all, answers that differ from the generation served — fails the case.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sample" / "seeds"
QUERIES = ("phòng chống thiên tai", "Sở Y tế", "ubnd tinh chi thi", "kế hoạch triển khai nhiệm vụ năm 2024")
DAMAGES = ("truncate-0", "truncate-half", "flip-byte", "append-garbage", "delete")
Answers = dict[str, list[tuple[str, float]]]


@dataclass(frozen=True)
class Case:
    number: int
    target: str  # path relative to the index root
    damage: str
    fallback_available: bool


@dataclass
class CorruptReport:
    points: int
    passed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # fell back / refused / current reported
    failures: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in sorted(self.outcomes.items()))
        return f"corruption: {self.passed}/{self.points} detected ({parts}); 0 silently wrong" if self.passed == self.points \
            else f"corruption: {self.passed}/{self.points} detected ({parts}); {len(self.failures)} NOT"


def answers(root: Path) -> tuple[str, Answers]:
    """(generation name, hits per query) of what Index(root).load() serves."""
    from index.index import Index
    from search.retrievers import HybridRetriever

    index = Index(root).load()
    try:
        retriever = HybridRetriever(index)
        result = {q: [(h.chunk_id, round(h.score, 6)) for h in retriever.search(q, k=10)] for q in QUERIES}
        assert index.generation is not None
        return index.generation.name, result
    finally:
        index.close()


def damage(path: Path, how: str, rng: random.Random) -> None:
    data = path.read_bytes()
    if how == "truncate-0":
        path.write_bytes(b"")
    elif how == "truncate-half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "flip-byte":
        at = rng.randrange(len(data)) if data else 0
        path.write_bytes(data[:at] + bytes([(data[at] if data else 0) ^ 0xFF]) + data[at + 1 :])
    elif how == "append-garbage":
        path.write_bytes(data + b"\x00garbage\xff")
    elif how == "delete":
        path.unlink()
    else:
        raise ValueError(f"unknown damage {how!r}; valid: {', '.join(DAMAGES)}")


def plan_cases(base: Path, cases: int, rng: random.Random) -> list[Case]:
    """Every (file, damage) pair of the live generation and CURRENT, then random repeats."""
    from index.generation import current_generation

    live = current_generation(base)
    assert live is not None
    files = sorted(str(p.relative_to(base)) for p in live.rglob("*") if p.is_file() and not p.name.endswith(".lock"))
    files.append("CURRENT")
    pairs = [(f, d) for f in files for d in DAMAGES]
    rng.shuffle(pairs)
    # Each file once, then the rest of the pairs: every kind of file is hit before any repeats.
    firsts = {f: (f, d) for f, d in reversed(pairs)}
    ordered = list(firsts.values()) + [p for p in pairs if p not in firsts.values()]
    while len(ordered) < cases:
        ordered.append(rng.choice(pairs))
    return [Case(n, f, d, fallback_available=n % 2 == 0) for n, (f, d) in enumerate(ordered[:cases], 1)]


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def judge(root: Path, case: Case, expected: dict[str, Answers], rng: random.Random) -> tuple[str, str]:
    """Damage the copy at `root` as `case` says; (outcome, problem or "")."""
    from index.generation import IndexNotReady, generations

    gens = generations(root)
    if not case.fallback_available:
        for old in gens[1:]:
            shutil.rmtree(old)
    damage(root / case.target, case.damage, rng)
    name = Path(case.target).name
    caught = _Warnings()
    logger = logging.getLogger("index.index")
    logger.addHandler(caught)
    try:
        served, got = answers(root)
    except IndexNotReady as exc:
        if name in str(exc) or case.target in str(exc):
            return "refused", ""
        return "unclear", f"refused without naming {case.target}: {exc}"
    except Exception as exc:  # noqa: BLE001 - the finding
        return "crashed", f"{type(exc).__name__}: {exc}"
    finally:
        logger.removeHandler(caught)
    if got != expected[served]:
        return "wrong", f"served {served} with answers that differ from it"
    warned = " ".join(caught.messages)
    if case.target == "CURRENT":
        if "CURRENT" in warned or case.damage == "delete":
            # No CURRENT at all reads as an index whose first swap never happened: the newest
            # complete generation is the index (nothing to warn about).
            return "current reported", ""
        return "unclear", "damaged CURRENT not reported"
    if served != gens[0].name and name in warned:
        return "fell back", ""
    return "undetected", f"served {served} after damage to {case.target} without a warning naming it"


def copy_tree(src: Path, dst: Path) -> None:
    """Copy an index keeping its hard links (tantivy segments shared by two generations stay
    shared, so damage to one damages both, as on a real disk)."""
    copied: dict[tuple[int, int], Path] = {}
    dst.mkdir(parents=True)
    for p in sorted(src.rglob("*")):
        target = dst / p.relative_to(src)
        if p.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        st = p.stat()
        key = (st.st_dev, st.st_ino)
        if key in copied:
            os.link(copied[key], target)
        else:
            shutil.copy2(p, target)
            copied[key] = target


def build_base(folder: Path) -> tuple[Path, dict[str, Answers]]:
    from index.embedders.base import get_embedder
    from index.writer import write
    from ingest.pipeline import ingest_file

    base = folder / "base"
    seeds = sorted(SEEDS.glob("*.txt"))
    write(base, [ingest_file(p) for p in seeds[:3]], get_embedder("hash"))
    first, first_answers = answers(base)
    write(base, [ingest_file(p) for p in seeds[3:]], get_embedder("hash"))
    second, second_answers = answers(base)
    return base, {first: first_answers, second: second_answers}


def run(cases: int = 50, seed: int = 0, work: Path | None = None) -> CorruptReport:
    started = time.monotonic()
    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="chidao-corrupt-", dir=work))
    try:
        base, expected = build_base(tmp)
        report = CorruptReport(points=cases)
        for case in plan_cases(base, cases, rng):
            root = tmp / f"case-{case.number:03d}"
            copy_tree(base, root)
            outcome, problem = judge(root, case, expected, rng)
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
            if problem:
                report.failures.append({"case": case.number, "target": case.target, "damage": case.damage,
                                        "fallback_available": case.fallback_available, "problem": problem})
            else:
                report.passed += 1
            shutil.rmtree(root, ignore_errors=True)
        report.seconds = round(time.monotonic() - started, 1)
        return report
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def format_report(r: CorruptReport) -> str:
    lines = ["# Corruption", "", r.summary(), ""]
    lines += [f"- {k}: {n}" for k, n in sorted(r.outcomes.items())]
    lines += [f"- case {f['case']} {f['target']} {f['damage']}: {f['problem']}" for f in r.failures]
    return "\n".join(lines) + f"\n\n{r.seconds:.0f} s in all.\n"
