"""Scoring "compare provinces" on a labelled set (../shared/eval/compare_dev/README.md).

A query lists a subject and provinces; each province has 3-5 gold snippets, each a verbatim
instruction of one gold document. For every (query, province) pair, over the instructions the
system shows in that province's column (each with its source document):

- found: a gold snippet is found when an instruction from the snippet's document contains it
  (both sides `normalize_for_match`d: NFC, lower case, `* _ # |` deleted, whitespace collapsed);
- hit: at least one of the province's snippets is found;
- recall: the share of its snippets found;
- misplaced: instructions shown under it whose document is gold for another province of the query.

The set's figures are the hit rate and mean recall over all pairs, and the total misplaced count.
`COMPARE_FLOORS` are the floors `chidao eval --compare ... --floors` enforces.

`sweep` chooses the alignment threshold: for each candidate threshold it regroups the same
instructions and measures how well the groups agree with the set's `shared` and `unique` notes
(see `agreement`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np

from eval.datasets import RelevantItem, normalize_for_match, source_stem

COMPARE_FLOORS = {"province_hit": 0.95, "instruction_recall": 0.60, "misplaced": 0}


@dataclass(frozen=True)
class CompareQuery:
    id: str
    topic: str
    provinces: tuple[str, ...]
    relevant: Mapping[str, tuple[RelevantItem, ...]]
    shared: tuple[str, ...] = ()
    unique: Mapping[str, tuple[str, ...]] | None = None


def load_compare_queries(path: str | Path) -> list[CompareQuery]:
    """Read a compare set (jsonl). A malformed line raises ValueError naming the file and line."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: compare queries file not found")
    out = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            relevant = {prov: tuple(RelevantItem(str(s["doc"]), str(s["text"])) for s in items)
                        for prov, items in raw["relevant"].items()}
            q = CompareQuery(str(raw["id"]), str(raw["topic"]), tuple(raw["provinces"]), relevant,
                             tuple(raw.get("shared") or ()),
                             {k: tuple(v) for k, v in (raw.get("unique") or {}).items()})
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{p}:{n}: not a compare query ({type(exc).__name__}: {exc})") from exc
        if not q.provinces or set(q.relevant) - set(q.provinces):
            raise ValueError(f"{p}:{n}: 'relevant' names a province not in 'provinces'")
        out.append(q)
    if not out:
        raise ValueError(f"{p}: no compare queries")
    return out


@dataclass(frozen=True)
class PairResult:
    query: str
    province: str
    found: int
    gold: int
    misplaced: int
    shown: int
    missed: tuple[str, ...]  # the gold snippets not found

    @property
    def hit(self) -> bool:
        return self.found > 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0


def score_query(q: CompareQuery, shown: Mapping[str, Sequence[tuple[str, str]]]) -> list[PairResult]:
    """Score one query; `shown` maps each province to the (doc_id, text) of its column's instructions."""
    gold_docs = {p: {s.doc for s in snippets} for p, snippets in q.relevant.items()}
    out = []
    from ingest.provinces import canonical

    for p in q.provinces:  # the set writes "Thành phố Hồ Chí Minh", a column "TP Hồ Chí Minh"
        column = [(source_stem(d), normalize_for_match(t)) for d, t in shown.get(p, shown.get(canonical(p) or p, ()))]
        snippets = q.relevant.get(p, ())
        missed = [s.text for s in snippets
                  if not any(d == s.doc and normalize_for_match(s.text) in t for d, t in column)]
        others = set().union(*(docs for o, docs in gold_docs.items() if o != p)) - gold_docs.get(p, set())
        misplaced = sum(d in others for d, _ in column)
        out.append(PairResult(q.id, p, len(snippets) - len(missed), len(snippets), misplaced, len(column), tuple(missed)))
    return out


@dataclass(frozen=True)
class CompareResult:
    dataset: str
    pairs: tuple[PairResult, ...]
    threshold: float | None = None

    @property
    def province_hit(self) -> float:
        return fmean(p.hit for p in self.pairs) if self.pairs else 0.0

    @property
    def instruction_recall(self) -> float:
        return fmean(p.recall for p in self.pairs) if self.pairs else 0.0

    @property
    def misplaced(self) -> int:
        return sum(p.misplaced for p in self.pairs)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "pairs": len(self.pairs),
            "province_hit": round(self.province_hit, 4), "hits": sum(p.hit for p in self.pairs),
            "instruction_recall": round(self.instruction_recall, 4), "misplaced": self.misplaced,
            "threshold": self.threshold,
            "per_pair": [{"query": p.query, "province": p.province, "found": p.found, "gold": p.gold,
                          "misplaced": p.misplaced, "shown": p.shown, "missed": list(p.missed)} for p in self.pairs],
        }


def shown_by_province(comparison: Any) -> dict[str, list[tuple[str, str]]]:
    """(doc_id, text) of every instruction in each column of a `Comparison`."""
    return {c.province: [(i.doc_id, i.text) for d in c.directives for i in d.instructions]
            for c in comparison.columns}


def evaluate_compare(run: Callable[[CompareQuery], Any], queries: Iterable[CompareQuery],
                     dataset: str = "compare_dev") -> CompareResult:
    """Run `run(query) -> Comparison` on every query and score the columns."""
    pairs: list[PairResult] = []
    threshold = None
    for q in queries:
        comparison = run(q)
        threshold = getattr(comparison, "threshold", threshold)
        pairs += score_query(q, shown_by_province(comparison))
    return CompareResult(dataset, tuple(pairs), threshold)


def check_compare_floors(result: CompareResult, floors: Mapping[str, float] = COMPARE_FLOORS) -> list[str]:
    """Human-readable violations of the floors; empty when all hold."""
    out = []
    if result.province_hit < floors["province_hit"]:
        out.append(f"{result.dataset}: province hit {result.province_hit:.3f} < {floors['province_hit']}")
    if result.instruction_recall < floors["instruction_recall"]:
        out.append(f"{result.dataset}: instruction recall {result.instruction_recall:.3f} < {floors['instruction_recall']}")
    if result.misplaced > floors["misplaced"]:
        out.append(f"{result.dataset}: {result.misplaced} misplaced instructions > {floors['misplaced']}")
    return out


# ---- choosing the alignment threshold ------------------------------------------------------------


def agreement(q: CompareQuery, groups: Sequence[Sequence[int]], owners: Sequence[str], item_vecs: np.ndarray,
              note_vecs: Mapping[str, np.ndarray]) -> tuple[list[float], list[float]]:
    """How the groups agree with the set's notes, as two lists of 0/1 judgements.

    Each note ("sở tài chính phổ biến, triển khai quyết định") is anchored, in each province, to the
    instruction whose vector is closest to the note's. A `shared` note is honoured for a pair of
    provinces when their two anchors sit in one group; a `unique` note of P is honoured when P's
    anchor sits in a group of P alone. A threshold too low merges unique instructions into shared
    groups; one too high splits what the provinces share."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    by_prov: dict[str, list[int]] = {}
    for i, p in enumerate(owners):
        by_prov.setdefault(p, []).append(i)

    def anchor(note: str, province: str) -> int | None:
        idx = by_prov.get(province)
        if not idx:
            return None
        return idx[int(np.argmax(item_vecs[idx] @ note_vecs[note]))]

    shared_ok: list[float] = []
    for note in q.shared:
        anchors = [a for p in q.provinces if (a := anchor(note, p)) is not None]
        for x in range(len(anchors)):
            for y in range(x + 1, len(anchors)):
                shared_ok.append(float(group_of[anchors[x]] == group_of[anchors[y]]))
    unique_ok: list[float] = []
    for p, notes in (q.unique or {}).items():
        for note in notes:
            a = anchor(note, p)
            if a is not None:
                unique_ok.append(float(all(owners[m] == p for m in groups[group_of[a]])))
    return shared_ok, unique_ok


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    min_shared: int  # key terms two instructions must share
    shared_agreement: float  # share of (shared note, province pair) judgements honoured
    unique_agreement: float  # share of unique notes honoured
    shared_rows: int  # rows given by two provinces or more, over all queries

    @property
    def agreement(self) -> float:
        """Harmonic mean of the two: a threshold cannot win by sharing nothing (unique agreement
        1, shared 0) nor by sharing everything."""
        s, u = self.shared_agreement, self.unique_agreement
        return 2 * s * u / (s + u) if s + u else 0.0


def sweep(index: Any, retriever: Any, queries: Sequence[CompareQuery], thresholds: Sequence[float],
          min_shared: Sequence[int] = (2,)) -> list[SweepPoint]:
    """Agreement with the notes at each threshold: the comparisons are built once, then only the
    grouping is redone."""
    from answer.compare import compare, encode, group

    runs = []
    for q in queries:
        c = compare(index, retriever, q.topic, list(q.provinces))
        items = [i for col in c.columns for i in col.instructions]
        vecs = encode(index, [i.text for i in items])
        notes = [*q.shared, *(n for ns in (q.unique or {}).values() for n in ns)]
        note_vecs = dict(zip(notes, np.asarray(index.embedder.encode_queries(notes), dtype=np.float32), strict=True)) \
            if notes else {}
        runs.append((q, c, items, vecs, note_vecs))
    out = []
    for t, m in ((t, m) for m in min_shared for t in thresholds):
        shared_ok: list[float] = []
        unique_ok: list[float] = []
        rows = 0
        for q, c, items, vecs, note_vecs in runs:
            shared, unique = group(c.columns, vecs, t, m)
            index_of = {id(i): n for n, i in enumerate(items)}
            groups = [[index_of[id(m)] for m in g.members] for g in (*shared, *unique)]
            rows += len(shared)
            s_ok, u_ok = agreement(q, groups, [i.province for i in items], vecs, note_vecs)
            shared_ok += s_ok
            unique_ok += u_ok
        out.append(SweepPoint(t, m, fmean(shared_ok) if shared_ok else 0.0, fmean(unique_ok) if unique_ok else 0.0, rows))
    return out
