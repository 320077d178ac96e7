"""Train the diacritic restoration model (search/diacritics.py) from a Vietnamese text set.

    python scripts/train_diacritics.py --corpus ../shared/corpus/scale/all_docs.jsonl.gz \
        --out search/data/diacritics.npz [--holdout 0.05] [--min-bigram 2] [--min-trigram 2]

Input: a .jsonl or .jsonl.gz file of objects with a "text" field (and "file", used to split),
or a folder of .txt/.md files. One document in 1/`holdout` (by a hash of its name) is held out:
the model never sees it, and the script reports syllable accuracy on those documents, typed
without marks and restored (all syllables, and those whose folded spelling has more than one
accented form). Only counts are written: the vocabulary of syllables, unigram counts, and the
bigram and trigram counts above the pruning thresholds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.vietnamese import fold
from search.diacritics import BOS, UNK, DiacriticModel, segments

MAX_SYLLABLE = 7  # "nghiêng" is the longest Vietnamese syllable


def documents(path: Path) -> Iterator[tuple[str, str]]:
    """(name, text) pairs from a jsonl(.gz) file or a folder of text files."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.suffix in {".txt", ".md"}:
                yield p.name, p.read_text(encoding="utf-8", errors="replace")
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: not JSON ({e})") from e
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise SystemExit(f"{path}:{n}: no 'text' field")
            yield str(obj.get("file", n)), obj["text"]


def held_out(name: str, share: float) -> bool:
    h = int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:4], "big")
    return (h % 10_000) < share * 10_000


def is_syllable(word: str) -> bool:
    f = fold(word)
    return len(word) <= MAX_SYLLABLE and f.isascii() and f.isalpha()


def train(corpus: Path, holdout: float, min_count: int, min_bigram: int, min_trigram: int,
          max_docs: int | None) -> tuple[DiacriticModel, list[list[str]]]:
    # Words get provisional ids as they come (the sequence is kept as an int array, not strings);
    # the vocabulary is fixed after the pass and the ids are mapped onto it.
    first_ids: dict[str, int] = {"<s>": BOS}
    seq = array("i")
    test_segs: list[list[str]] = []
    t0 = time.time()
    for n, (name, text) in enumerate(documents(corpus), 1):
        test = held_out(name, holdout)
        for seg in segments(text):
            if test:
                test_segs.append(seg)
                continue
            seq.append(BOS)
            seq.extend(first_ids.setdefault(w, len(first_ids)) for w in seg)
        if n % 2000 == 0:
            print(f"  {n} documents read ({time.time() - t0:.0f}s)", file=sys.stderr)
        if max_docs and n >= max_docs:
            break
    raw = np.frombuffer(seq, dtype=np.int32).astype(np.int64)
    del seq
    raw_counts = np.bincount(raw, minlength=len(first_ids))
    raw_words = list(first_ids)
    vocab = sorted((w for w, i in first_ids.items() if i != BOS and raw_counts[i] >= min_count and is_syllable(w)),
                   key=lambda w: (-raw_counts[first_ids[w]], w))
    words = ["<s>", "<unk>"] + vocab
    remap = np.full(len(raw_words), UNK, dtype=np.int64)
    remap[BOS] = BOS
    for i, w in enumerate(vocab, 2):
        remap[first_ids[w]] = i
    a = remap[raw]
    del raw
    V = len(words)
    unigrams = np.bincount(a, minlength=V)
    unigrams[BOS] = 0
    # Bigrams (u, v) with v a word; trigrams (u, v, w) with v and w words (u may be <s>).
    u, v = a[:-1], a[1:]
    keep = v != BOS
    bk, bc = np.unique(u[keep] * V + v[keep], return_counts=True)
    sel = bc >= min_bigram
    bk, bc = bk[sel], bc[sel]
    u, v, w = a[:-2], a[1:-1], a[2:]
    keep = (v != BOS) & (w != BOS)
    tk, tc = np.unique((u[keep] * V + v[keep]) * V + w[keep], return_counts=True)
    sel = tc >= min_trigram
    tk, tc = tk[sel], tc[sel]
    print(f"vocabulary {V}, tokens {len(a)}, bigrams {len(bk)}, trigrams {len(tk)} "
          f"({time.time() - t0:.0f}s)", file=sys.stderr)
    return DiacriticModel(words, unigrams, bk, bc, tk, tc), test_segs


def accuracy(model: DiacriticModel, segs: list[list[str]], max_syllables: int) -> dict[str, float]:
    """Syllable accuracy of restoring the held-out text typed without marks."""
    total = right = amb_total = amb_right = 0
    for seg in segs:
        if total >= max_syllables:
            break
        gold = [w for w in seg]
        typed = [fold(w) for w in gold]
        restored, _, _ = model.decode(typed, runner_up=False)
        for g, t, r in zip(gold, typed, restored):
            if not is_syllable(g):
                continue
            total += 1
            right += g == r
            if len(model.by_fold.get(t, [])) > 1:
                amb_total += 1
                amb_right += g == r
    return {"syllables": total, "accuracy": right / max(total, 1),
            "ambiguous_syllables": amb_total, "ambiguous_accuracy": amb_right / max(amb_total, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("search/data/diacritics.npz"))
    ap.add_argument("--holdout", type=float, default=0.05)
    ap.add_argument("--min-count", type=int, default=3, help="a syllable seen fewer times is not learnt")
    ap.add_argument("--min-bigram", type=int, default=2)
    ap.add_argument("--min-trigram", type=int, default=2)
    ap.add_argument("--max-docs", type=int, default=None)
    ap.add_argument("--test-syllables", type=int, default=200_000)
    args = ap.parse_args()
    if not args.corpus.exists():
        raise SystemExit(f"{args.corpus}: no such file or folder")
    model, test = train(args.corpus, args.holdout, args.min_count, args.min_bigram, args.min_trigram,
                        args.max_docs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    reloaded = DiacriticModel.load(args.out)
    print(json.dumps(accuracy(reloaded, test, args.test_syllables)))


if __name__ == "__main__":
    main()
