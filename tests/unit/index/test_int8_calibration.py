"""The int8 encoder's graph edits (index.embedders.onnx_int8): calibrated on pieces of the bundled
sample directives (no download, the same pieces on every machine), and exact in fp32 before the
8-bit products are made."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedders.base import EmbedderLoadError
from index.embedders.onnx_int8 import (
    CALIBRATION_PIECES,
    SMOOTHED,
    SPLIT,
    calibration_texts,
    product_node,
    smooth,
    split_outliers,
)


def test_calibration_pieces_come_from_the_sample_directives_in_file_order() -> None:
    pieces = calibration_texts()
    assert len(pieces) == CALIBRATION_PIECES
    assert all(100 <= len(p.split()) <= 300 for p in pieces)
    assert pieces[0].startswith("Ngày 14/5/2021, UBND tỉnh ban hành Công văn số 1536/UBND-KTTH")
    assert calibration_texts() == pieces


def test_no_sample_directives_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderLoadError, match=r"no sample directives \(\*\.txt\) to calibrate"):
        calibration_texts(tmp_path)


def test_the_ffn_products_are_split_and_the_ffn_output_ones_not_smoothed() -> None:
    assert len(SMOOTHED) == 36 and len(SPLIT) == 24
    assert set(SMOOTHED) & set(SPLIT) == {product_node("ffn_in", i) for i in range(12)}
    assert product_node("ffn_out", 4) == "/bert/encoder/layer.4/output/dense/MatMul" in set(SPLIT) - set(SMOOTHED)
    assert product_node("qkv", 0) == "Attention_0" in set(SMOOTHED) - set(SPLIT)


def _two_products(rng: np.random.Generator) -> tuple[object, dict[str, np.ndarray]]:
    """x -> MatMul "p1" (8 -> 6) -> Relu -> MatMul "p2" (6 -> 4) -> y, as the encoder's products."""
    from onnx import TensorProto, helper, numpy_helper

    w1 = rng.standard_normal((8, 6)).astype(np.float32)
    w2 = rng.standard_normal((6, 4)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "w1"], ["h"], name="p1"),
            helper.make_node("Relu", ["h"], ["r"], name="relu"),
            helper.make_node("MatMul", ["r", "w2"], ["y"], name="p2"),
        ],
        "two",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "t", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", "t", 4])],
        [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    amax = {"p1": np.abs(rng.standard_normal(8)).astype(np.float32) + 0.1,
            "p2": np.array([0.5, 40.0, 1.0, 2.0, 55.0, 0.7], dtype=np.float32)}
    return model, amax


def _run(model: object, x: np.ndarray) -> np.ndarray:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])  # type: ignore[attr-defined]
    (y,) = session.run(["y"], {"x": x})
    return np.asarray(y)


def test_smoothing_and_the_outlier_split_leave_the_fp32_outputs_unchanged() -> None:
    pytest.importorskip("onnx")
    rng = np.random.default_rng(7)
    model, amax = _two_products(rng)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    before = _run(model, x)
    smooth(model, ["p1"], amax, 0.5)
    kept = split_outliers(model, ["p2"], amax, 2)
    after = _run(model, x)
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)
    assert kept == ["p2/outliers"]
    nodes = {n.name: n for n in model.graph.node}  # type: ignore[attr-defined]
    assert [n.name for n in model.graph.node] == [  # type: ignore[attr-defined]
        "p1/smooth", "p1", "relu", "p2/mask", "p2/gather", "p2/outliers", "p2", "p2/add"]
    assert nodes["p2"].input[0] == "p2/inliers" and nodes["p2/add"].output[0] == "y"
    weights = {i.name: i for i in model.graph.initializer}  # type: ignore[attr-defined]
    from onnx import numpy_helper

    # the two channels of largest max|x| (1 and 4) go to the small fp32 product, masked out of the other
    assert numpy_helper.to_array(weights["p2/outlier_channels"]).tolist() == [1, 4]
    assert numpy_helper.to_array(weights["p2/inlier_mask"]).tolist() == [1, 0, 1, 1, 0, 1]
