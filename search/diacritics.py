"""Diacritic restoration for queries typed without marks: "so tai chinh" -> "sở tài chính".

A syllable trigram language model with stupid backoff (Brants et al., 2007) over the accented
syllables of Vietnamese text, decoded with Viterbi over the accented forms each typed syllable
can stand for (the forms seen in training whose folded spelling is the typed one). The model is
a compact file of counts (`search/data/diacritics.npz`, numpy arrays, no pickle) built by
`scripts/train_diacritics.py` from a large text set; no document text is shipped.

- A syllable the user typed with marks is kept as typed ("so Tài chính" only restores "so").
- Words the model has never seen (acronyms, foreign words, numbers) are kept and break the
  context, like punctuation.
- Case is kept letter by letter ("So Y te" -> "Sở Y tế").
- `restore_query` also says how sure the decoding is: the log-score margin between the best
  reading and the best reading that differs in one syllable. Below `UNSURE_MARGIN` it returns
  that runner-up too, so a caller can search with both forms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.vietnamese import fold, has_diacritics, normalize

MODEL_PATH = Path(__file__).with_name("data") / "diacritics.npz"
FORMAT = 1
BACKOFF = 0.4  # stupid backoff factor (Brants et al.)
MAX_CANDIDATES = 12  # accented forms tried per typed syllable, most frequent first
MIN_CANDIDATE_SHARE = 1e-4  # a form rarer than this share of its folded spelling's count is skipped
UNSURE_MARGIN = 2.0  # natural-log margin under which a runner-up reading is also returned
# In a query typed with marks, a syllable typed without them is taken as typed when that plain
# spelling is at least this share of its folded spelling's uses ("Sở Y tế", "Ban chỉ đạo"); a
# rarer one ("so Tài chính": "so" is 2% of so/sở/số/sổ/sợ...) is restored.
PLAIN_SHARE = 0.2
# ... and the restored syllable must have been seen beside each of its neighbours in training
# ("so Tài chính" -> "sở Tài chính"; "viêm da nổi cục" stays: "viêm đã" is never written).

BOS = 0  # start of a segment
UNK = 1  # a word outside the vocabulary

_LETTERS = r"[^\W\d_]+"
# Segments: runs of words separated only by spaces; anything else (punctuation, digits, line
# breaks) ends a segment, as it breaks the syllable context. A token with a digit or a slash
# ("1098-KL/TU", "15/8/2020") is one piece, never read as syllables.
_TOKEN = re.compile(rf"[^\s]*[\d/][^\s]*|{_LETTERS}|\S")
_WORD = re.compile(rf"^{_LETTERS}$")


class DiacriticModelError(Exception):
    """The model file is missing or unreadable."""


def segments(text: str) -> Iterator[list[str]]:
    """Lower-case, normalised word runs of `text`, split where anything but spaces intervenes."""
    current: list[str] = []
    for m in _TOKEN.finditer(normalize(text).lower()):
        tok = m.group(0)
        if _WORD.match(tok):
            current.append(tok)
        elif current:
            yield current
            current = []
    if current:
        yield current


@dataclass(frozen=True)
class Restoration:
    """A query with its marks restored: the best reading, how sure, and a runner-up if unsure."""

    query: str  # as typed
    text: str  # best reading (== query when nothing was restored)
    margin: float  # log-score margin to the best one-syllable-different reading (inf: no choice)
    alternative: str | None = None  # runner-up reading when margin < UNSURE_MARGIN

    @property
    def changed(self) -> bool:
        return self.text != normalize(self.query)

    @property
    def forms(self) -> tuple[str, ...]:
        """The readings worth searching: the best, and the runner-up when unsure."""
        return (self.text,) if self.alternative is None else (self.text, self.alternative)


class DiacriticModel:
    """Counts of accented syllable unigrams, bigrams and trigrams (pruned), and the decoder."""

    def __init__(self, words: Sequence[str], unigrams: np.ndarray, bigram_keys: np.ndarray,
                 bigram_counts: np.ndarray, trigram_keys: np.ndarray, trigram_counts: np.ndarray) -> None:
        self.words = list(words)
        self.ids = {w: i for i, w in enumerate(self.words)}
        self.v = len(self.words)
        self.unigrams = unigrams.astype(np.float64)
        self.total = float(self.unigrams[2:].sum()) or 1.0
        self.bigram_keys = bigram_keys.astype(np.int64)
        self.bigram_counts = bigram_counts.astype(np.float64)
        self.trigram_keys = trigram_keys.astype(np.int64)
        self.trigram_counts = trigram_counts.astype(np.float64)
        by_fold: dict[str, list[int]] = {}
        for i, w in enumerate(self.words[2:], 2):
            by_fold.setdefault(fold(w), []).append(i)
        self.by_fold: dict[str, list[int]] = {}
        for f, ids in by_fold.items():
            ids.sort(key=lambda i: -self.unigrams[i])
            top = self.unigrams[ids[0]]
            self.by_fold[f] = [i for i in ids if self.unigrams[i] >= top * MIN_CANDIDATE_SHARE][:MAX_CANDIDATES]

    # --- persistence -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        blob = np.frombuffer("\n".join(self.words).encode("utf-8"), dtype=np.uint8)
        np.savez_compressed(
            path, format=np.array([FORMAT]), words=blob, unigrams=self.unigrams.astype(np.uint32),
            bigram_deltas=np.diff(self.bigram_keys, prepend=0), bigram_counts=_compact(self.bigram_counts),
            trigram_deltas=np.diff(self.trigram_keys, prepend=0), trigram_counts=_compact(self.trigram_counts),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> DiacriticModel:
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"][0]) != FORMAT:
                    raise DiacriticModelError(f"{path}: format {int(z['format'][0])}, expected {FORMAT}; "
                                              "rebuild it with scripts/train_diacritics.py")
                words = bytes(z["words"]).decode("utf-8").split("\n")
                return cls(words, z["unigrams"], np.cumsum(z["bigram_deltas"]), z["bigram_counts"],
                           np.cumsum(z["trigram_deltas"]), z["trigram_counts"])
        except (OSError, KeyError, ValueError) as e:
            raise DiacriticModelError(f"{path}: cannot read the diacritics model ({e}); "
                                      "build it with scripts/train_diacritics.py") from e

    # --- scoring -----------------------------------------------------------------------------

    def _lookup(self, keys: np.ndarray, counts: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(keys, wanted)
        pos = np.minimum(pos, len(keys) - 1) if len(keys) else pos
        if not len(keys):
            return np.zeros(wanted.shape)
        found = keys[pos] == wanted
        return np.where(found, counts[pos], 0.0)

    def _logprob(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """log S(w | u v), stupid backoff, for broadcastable id arrays."""
        u, v, w = np.broadcast_arrays(u, v, w)
        V = self.v
        c_uvw = self._lookup(self.trigram_keys, self.trigram_counts, (u * V + v) * V + w)
        c_uv = self._lookup(self.bigram_keys, self.bigram_counts, u * V + v)
        c_vw = self._lookup(self.bigram_keys, self.bigram_counts, v * V + w)
        c_v = self.unigrams[v]
        c_w = self.unigrams[w]
        p_uni = np.maximum(c_w, 0.5) / self.total
        with np.errstate(divide="ignore", invalid="ignore"):
            p_bi = np.where((c_vw > 0) & (c_v > 0), c_vw / np.maximum(c_v, 1.0), BACKOFF * p_uni)
            p = np.where((c_uvw > 0) & (c_uv > 0), c_uvw / np.maximum(c_uv, 1.0), BACKOFF * p_bi)
        return np.log(p)

    def candidates(self, word: str, marked_query: bool = False) -> list[int]:
        """Vocabulary ids a lower-case typed word may stand for; [] when the word is kept as is.
        In a query typed with marks (`marked_query`) a common plain spelling stands for itself."""
        if has_diacritics(word):
            i = self.ids.get(word)
            return [i] if i is not None else []
        ids = self.by_fold.get(word, [])
        if marked_query and word in self.ids:
            total = sum(self.unigrams[i] for i in ids) or 1.0
            if self.unigrams[self.ids[word]] >= PLAIN_SHARE * total:
                return [self.ids[word]]
        return ids

    def decode(self, words: Sequence[str], runner_up: bool = True,
               marked_query: bool = False) -> tuple[list[str], float, list[str] | None]:
        """Best reading of one run of lower-case words, its margin, and the runner-up reading.

        A word with no candidate is kept and splits the run (the context starts afresh after it).
        """
        cands = [self.candidates(w, marked_query) for w in words]
        out = list(words)
        margin, alt_at = math.inf, None
        i = 0
        while i < len(words):
            if not cands[i]:
                i += 1
                continue
            j = i
            while j < len(words) and cands[j]:
                j += 1
            best, marg, pos, other = self._viterbi([np.array(c) for c in cands[i:j]], runner_up)
            out[i:j] = [self.words[x] for x in best]
            if marked_query:  # typed with marks elsewhere: a restoration must be vouched for
                for p in range(i, j):
                    if out[p] != words[p] and not self._vouched(best, p - i, words[p]):
                        out[p] = words[p]
            if marg < margin and pos is not None:
                margin, alt_at = marg, (i, j, pos, other)
            i = j
        alt = None
        if alt_at is not None:
            i, j, pos, other = alt_at
            forced = [np.array(c) for c in cands[i:j]]
            forced[pos] = np.array([other])
            best, _, _, _ = self._viterbi(forced, False)
            alt = list(out)
            alt[i:j] = [self.words[x] for x in best]
        return out, margin, alt

    def _bigram(self, u: int, v: int) -> float:
        return float(self._lookup(self.bigram_keys, self.bigram_counts, np.array([u * self.v + v]))[0])

    def _beside(self, ids: list[int], p: int, w: int) -> float:
        """How often `w` was seen next to the neighbours of position `p` (the rarer side)."""
        left = self._bigram(ids[p - 1], w) if p > 0 else math.inf
        right = self._bigram(w, ids[p + 1]) if p + 1 < len(ids) else math.inf
        return min(left, right)

    def _vouched(self, ids: list[int], p: int, plain: str) -> bool:
        """Whether the restored syllable at `p` was seen beside each of its neighbours in training
        text, more often than the plain spelling ("sở" before "tài": yes; "đã" after "viêm":
        never, so "viêm da" stays; "học xa gia đình" stays: "xa" is seen there more than "xã")."""
        restored = self._beside(ids, p, ids[p])
        if restored == 0:
            return False
        plain_id = self.ids.get(plain)
        return plain_id is None or restored > self._beside(ids, p, plain_id)

    def _viterbi(self, cands: Sequence[np.ndarray], runner_up: bool,
                 score_only: bool = False) -> tuple[list[int], float, int | None, int]:
        """Trigram Viterbi over candidate ids; with `runner_up`, max-marginals give the position
        where another candidate comes closest (its margin, position and id)."""
        bos = np.array([BOS])
        n = len(cands)
        deltas = [self._logprob(bos[:, None, None], bos[None, :, None], cands[0][None, None, :])[0]]  # (1, K0)
        backs: list[np.ndarray] = []
        tensors: list[np.ndarray] = []
        for i in range(1, n):
            prev2 = cands[i - 2] if i >= 2 else bos
            t = self._logprob(prev2[:, None, None], cands[i - 1][None, :, None], cands[i][None, None, :])
            tensors.append(t)
            total = deltas[-1][:, :, None] + t  # (a, b, c)
            backs.append(total.argmax(axis=0))
            deltas.append(total.max(axis=0))
        last = deltas[-1]
        a, b = (int(x) for x in np.unravel_index(int(last.argmax()), last.shape))
        best_score = float(last[a, b])
        path = [int(b)]
        prev = int(a)
        for i in range(n - 1, 0, -1):
            path.append(prev)
            prev, b = int(backs[i - 1][prev, path[-2]]), prev
        path.reverse()
        ids = [int(cands[i][k]) for i, k in enumerate(path)]
        if score_only:
            return ids, best_score, None, -1
        if not runner_up:
            return ids, math.inf, None, -1
        betas = [np.zeros_like(deltas[-1])]
        for i in range(n - 1, 0, -1):
            betas.append((tensors[i - 1] + betas[-1][None, :, :]).max(axis=2))
        betas.reverse()
        margin, pos, other = math.inf, None, -1
        for i in range(n):
            if len(cands[i]) < 2:
                continue
            mm = (deltas[i] + betas[i]).max(axis=0)
            mm[path[i]] = -np.inf
            k = int(mm.argmax())
            if best_score - float(mm[k]) < margin:
                margin, pos, other = best_score - float(mm[k]), i, int(cands[i][k])
        return ids, margin, pos, other

    # --- queries -----------------------------------------------------------------------------

    def restore(self, text: str) -> Restoration:
        """Restore the marks of every unmarked syllable of `text`, keeping all else as typed."""
        typed = normalize(text)
        marked = has_diacritics(typed)
        shouted = typed.isupper()
        best = list(typed)
        runs: list[list[re.Match[str]]] = [[]]
        for m in _TOKEN.finditer(typed):
            if _WORD.match(m.group(0)):
                runs[-1].append(m)
            elif runs[-1]:
                runs.append([])
        margin, alt_edit = math.inf, None
        for run in runs:
            if not run:
                continue
            # an all-capital word of two letters or more is an acronym ("UBND", "TU"): kept as typed
            lowered = [m.group(0).lower() if not (m.group(0).isupper() and len(m.group(0)) > 1 and not shouted)
                       else "\0" for m in run]
            words, marg, alt = self.decode(lowered, marked_query=marked)
            words = [m.group(0).lower() if w == "\0" else w for m, w in zip(run, words)]
            if alt is not None:
                alt = [m.group(0).lower() if w == "\0" else w for m, w in zip(run, alt)]
            for m, w in zip(run, words):
                best[m.start():m.end()] = _with_case(w, m.group(0))
            if alt is not None and marg < margin:
                margin, alt_edit = marg, (run, alt)
        text_out = "".join(best)
        alternative = None
        if alt_edit is not None and margin < UNSURE_MARGIN and not marked:
            chars = list(text_out)
            for m, w in zip(*alt_edit):
                chars[m.start():m.end()] = _with_case(w, m.group(0))
            alternative = "".join(chars)
        return Restoration(query=text, text=text_out, margin=margin,
                           alternative=alternative if alternative != text_out else None)


def _with_case(restored: str, typed: str) -> list[str]:
    """`restored` (lower case, same length as `typed`) with the typed word's letter case."""
    if len(restored) != len(typed):
        return list(typed)
    return [r.upper() if t.isupper() else r for r, t in zip(restored, typed)]


def _compact(counts: np.ndarray) -> np.ndarray:
    return counts.astype(np.uint16 if counts.max(initial=0) < 65536 else np.uint32)


@lru_cache(maxsize=1)
def default_model() -> DiacriticModel:
    return DiacriticModel.load(MODEL_PATH)


@lru_cache(maxsize=4096)
def needs_restoration(query: str) -> bool:
    """True when some syllable of the query was typed without its marks and would be restored
    (in a query typed with marks, only a syllable whose plain spelling is rare)."""
    if not MODEL_PATH.exists():
        return False
    model = default_model()
    marked = has_diacritics(query)
    if marked:  # typed with marks: only when a plain syllable is actually restored
        return restore_query(query).changed
    for seg in segments(query):
        for w in seg:
            if not has_diacritics(w) and any(model.words[i] != w for i in model.candidates(w, marked)):
                return True
    return False


@lru_cache(maxsize=4096)
def restore_query(query: str) -> Restoration:
    """The query with its marks restored (unchanged when no model is installed)."""
    if not MODEL_PATH.exists():
        return Restoration(query=query, text=query, margin=math.inf)
    return default_model().restore(query)
