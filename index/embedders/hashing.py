"""A deterministic fake embedder for fast tests (the idea of simonw/llm's ``EmbedDemo``).

Features of a text, each hashed (blake2b, so stable across processes and machines) to one of
``dim`` buckets with a +/-1 sign, summed and L2-normalised:

* every lower-cased syllable (``\\w+`` run) with weight 1;
* the same syllable without diacritics (``đ`` -> ``d``) with weight 0.5, so a query typed without
  accents still lands near its accented passage;
* the character trigrams of each syllable padded with ``^``/``$``, weight 0.25 each.

Texts that share syllables get high cosine, unrelated ones near 0. A text without any word
character encodes to the zero vector. Nothing here is a language model; use it only in tests.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np

_WORD = re.compile(r"\w+")


def _strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _features(text: str) -> Iterator[tuple[str, float]]:
    for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
        yield "w:" + word, 1.0
        plain = _strip_marks(word)
        yield "a:" + plain, 0.5
        padded = f"^{word}$"
        for i in range(len(padded) - 2):
            yield "t:" + padded[i : i + 3], 0.25


class HashEmbedder:
    """Feature-hashing embedder: deterministic, normalised, instant. ``load()`` does nothing."""

    def __init__(self, dim: int = 384) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        self.dim = dim
        self.model_id = f"hash-v1-{dim}"

    def load(self) -> None:
        return None

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float64)
        for feature, weight in _features(text):
            h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
            vec[h % self.dim] += weight if (h >> 63) & 1 else -weight
        norm = float(np.linalg.norm(vec))
        return (vec / norm if norm > 0 else vec).astype(np.float32)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(text)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts)

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Syllables plus the two boundary tokens a real model would add."""
        return len(_WORD.findall(text)) + 2
