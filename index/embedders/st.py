"""Any sentence-transformers model, loaded offline, as an ``Embedder``.

The model is a Hugging Face id already in the local cache or a local folder: ``load()`` sets
``HF_HUB_OFFLINE=1`` and passes ``local_files_only``, so nothing is ever downloaded. Query and
passage prefixes come from, in order: the constructor, the model's own saved prompts
(``query`` / ``document`` or ``passage``), the ``PREFIXES`` table, else none.

``precision="int8"`` applies PyTorch dynamic quantisation (int8 weights, activations quantised per
batch) to every ``nn.Linear``; whether that is accurate enough depends on the model, measure it
(``eval/embed_equivalence.py`` does for e5-small).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from index.embedders.base import EmbedderLoadError, l2_normalize

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

Precision = Literal["fp32", "int8"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "int8")


@dataclass(frozen=True)
class Prefixes:
    query: str
    passage: str


NO_PREFIXES = Prefixes("", "")
E5_PREFIXES = Prefixes("query: ", "passage: ")
_BGE_EN = Prefixes("Represent this sentence for searching relevant passages: ", "")

# First substring of the lower-cased model id that matches wins (model cards of each family).
PREFIXES: tuple[tuple[str, Prefixes], ...] = (
    ("bge-m3", NO_PREFIXES),
    (
        "e5-mistral",
        Prefixes(
            "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: ",
            "",
        ),
    ),
    ("multilingual-e5", E5_PREFIXES),
    ("e5-", E5_PREFIXES),
    ("bge-small-en", _BGE_EN),
    ("bge-base-en", _BGE_EN),
    ("bge-large-en", _BGE_EN),
    ("nomic-embed-text", Prefixes("search_query: ", "search_document: ")),
    ("gte-", NO_PREFIXES),
    ("minilm", NO_PREFIXES),
    ("mpnet", NO_PREFIXES),
)


def table_prefixes(model_id: str) -> Prefixes | None:
    key = model_id.lower()
    for pattern, prefixes in PREFIXES:
        if pattern in key:
            return prefixes
    return None


def cpu_count() -> int:
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


def quantize_int8(module: Any) -> Any:
    """Dynamic int8 quantisation of every ``nn.Linear`` in ``module``, in place.

    Weights are quantised per output channel (per-tensor scales lose more: on e5-small cosine to
    the float model drops to 0.93 instead of 0.96); activations per tensor at run time.
    """
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch 2.13 flags its quantised tensor types as deprecated; the kernels still work.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return quantize_dynamic(
            module, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True
        )


def load_sentence_transformer(
    path: str, threads: int | None, precision: Precision, device: str = "cpu"
) -> SentenceTransformer:
    """Offline ``SentenceTransformer`` on ``device`` with ``threads`` torch threads (default: all cores)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbedderLoadError("this backend needs torch and sentence-transformers (chidao[index])") from exc
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
    torch.set_num_threads(threads or cpu_count())
    try:
        model = SentenceTransformer(path, device=device, local_files_only=True)
    except OSError as exc:
        raise EmbedderLoadError(
            f"cannot load {path!r} offline: not a local folder and not in the Hugging Face cache ({exc})"
        ) from exc
    model.eval()
    if precision == "int8":
        quantize_int8(model)
    return model


class SentenceTransformerEmbedder:
    """A sentence-transformers model by Hugging Face id (cached) or local folder."""

    def __init__(
        self,
        model_name_or_path: str,
        *,
        prefixes: Prefixes | None = None,
        precision: Precision = "fp32",
        threads: int | None = None,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
        self.name = model_name_or_path
        self.model_id = model_name_or_path if precision == "fp32" else f"{model_name_or_path}+{precision}"
        self.precision = precision
        self.threads = threads
        self._explicit_prefixes = prefixes
        self._model: SentenceTransformer | None = None
        self._prefixes: Prefixes = prefixes or NO_PREFIXES
        self._dim: int | None = None

    def load(self) -> None:
        if self._model is not None:
            return
        path = self.name
        if Path(path).expanduser().is_dir():
            path = str(Path(path).expanduser())
        model = load_sentence_transformer(path, self.threads, self.precision)
        dim = model.get_embedding_dimension()
        if not dim:
            raise EmbedderLoadError(f"{self.name}: cannot tell the embedding dimension")
        self._dim = int(dim)
        self._prefixes = (
            self._explicit_prefixes or _saved_prefixes(model) or table_prefixes(self.name) or NO_PREFIXES
        )
        self._model = model

    @property
    def model(self) -> SentenceTransformer:
        self.load()
        assert self._model is not None
        return self._model

    @property
    def dim(self) -> int:
        """Known after ``load()`` (reading it loads the model)."""
        self.load()
        assert self._dim is not None
        return self._dim

    @property
    def prefixes(self) -> Prefixes:
        self.load()
        return self._prefixes

    def _encode(self, texts: Sequence[str], prefix: str, batch_size: int) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a sequence of texts, not a single string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self.model.encode(
            [prefix + t for t in texts],
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return l2_normalize(np.asarray(out))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.prefixes.query, batch_size=32)

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, self.prefixes.passage, batch_size=batch_size)

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Tokens of the prefixed text with special tokens, before the model's truncation."""
        prefix = self.prefixes.query if is_query else self.prefixes.passage
        encoded = self.model.tokenizer(
            prefix + text, add_special_tokens=True, truncation=False, verbose=False
        )
        return len(encoded["input_ids"])


def _saved_prefixes(model: SentenceTransformer) -> Prefixes | None:
    prompts = dict(getattr(model, "prompts", None) or {})
    query = prompts.get("query")
    passage = prompts.get("document", prompts.get("passage"))
    if query is None and passage is None:
        return None
    return Prefixes(query or "", passage or "")
