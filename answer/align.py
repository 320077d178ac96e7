"""Aligning instructions across provinces: which provinces gave the same instruction.

Two instructions of different provinces match when they are alike in meaning AND in wording:
their embedding cosine reaches `threshold` and they share at least `MIN_SHARED_TERMS` key terms.
Key terms are the folded words and word pairs of an instruction that are not common to the whole
comparison (a term in more than `COMMON_SHARE` of all its instructions, and in more than
`MIN_COMMON`, like "thực hiện" or "theo quy định", says nothing about which measure it is). The embedding alone lumps together every
sentence of one administrative register; the terms alone miss paraphrases: each guards the other.

Like the Legislative Influence Detector (candidates first, then a local check), each instruction is
matched to its best candidate in every other province, and only mutual best matches are linked:
an instruction is linked to at most one instruction of each other province, so a chain of near
neighbours cannot pull a whole column into one group. The linked components are the groups; an
instruction linked to nothing is unique to its province (no other listed province has a match).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from answer.extract import term_set, terms

MIN_SHARED_TERMS = 1  # chosen with the threshold on compare_dev (search/compare.py)
COMMON_SHARE = 0.25
MIN_COMMON = 5  # a term in five instructions or fewer is never common (a small comparison)


def key_terms(texts: Sequence[str]) -> list[set[str]]:
    """Each text's words and word pairs, less those in more than COMMON_SHARE of the texts."""
    sets = [term_set(terms(t)) for t in texts]
    if not sets:
        return []
    df = Counter(t for s in sets for t in s)
    common = {t for t, n in df.items() if n > max(COMMON_SHARE * len(sets), MIN_COMMON)}
    return [s - common for s in sets]


def links(vectors: np.ndarray, owners: Sequence[str], keys: Sequence[set[str]], threshold: float,
          min_shared: int = MIN_SHARED_TERMS) -> list[tuple[int, int, float]]:
    """Mutual best matches (i, j, cosine) between items of different owners (provinces).
    Rows of `vectors` are unit length."""
    n = len(owners)
    if n == 0:
        return []
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(vectors, dtype=np.float32).T
    ok = sims >= threshold
    for i in range(n):
        for j in map(int, np.nonzero(ok[i])[0]):
            if owners[i] == owners[j] or len(keys[i] & keys[j]) < min_shared:
                ok[i, j] = False
    best: dict[tuple[int, str], int] = {}  # (item, other owner) -> its best match there
    for i in range(n):
        for j in map(int, np.nonzero(ok[i])[0]):
            k = (i, owners[j])
            if k not in best or sims[i, j] > sims[i, best[k]]:
                best[k] = j
    return sorted((i, j, round(float(sims[i, j]), 4)) for (i, o), j in best.items()
                  if i < j and best.get((j, owners[i])) == i)


def components(n: int, edges: Sequence[tuple[int, int, float]]) -> list[tuple[list[int], float]]:
    """Connected components over `edges`, each with its lowest edge cosine (1.0 for a single item),
    ordered by their first item."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in edges:
        parent[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    lowest: dict[int, float] = {}
    for i, _, s in edges:
        r = find(i)
        lowest[r] = min(lowest.get(r, 1.0), s)
    return sorted(((m, lowest.get(r, 1.0)) for r, m in members.items()), key=lambda g: g[0][0])


def align(vectors: np.ndarray, owners: Sequence[str], texts: Sequence[str], threshold: float,
          min_shared: int = MIN_SHARED_TERMS) -> list[tuple[list[int], float]]:
    """Groups of alike instructions (indices into the inputs) with their lowest cosine."""
    return components(len(owners), links(vectors, owners, key_terms(texts), threshold, min_shared))
