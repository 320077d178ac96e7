"""The int8 encoder is calibrated on pieces of the bundled sample directives (no download, the
same pieces on every machine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embedders.base import EmbedderLoadError
from index.embedders.onnx_int8 import CALIBRATION_PIECES, KEPT_FP32, SMOOTHED, calibration_texts, product_node


def test_calibration_pieces_come_from_the_sample_directives_in_file_order() -> None:
    pieces = calibration_texts()
    assert len(pieces) == CALIBRATION_PIECES
    assert all(100 <= len(p.split()) <= 300 for p in pieces)
    assert pieces[0].startswith("Ngày 14/5/2021, UBND tỉnh ban hành Công văn số 1536/UBND-KTTH")
    assert calibration_texts() == pieces


def test_no_sample_directives_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderLoadError, match=r"no sample directives \(\*\.txt\) to calibrate"):
        calibration_texts(tmp_path)


def test_the_ffn_output_products_stay_fp32_and_the_others_are_smoothed() -> None:
    assert len(SMOOTHED) == 36 and len(KEPT_FP32) == 12 and not set(SMOOTHED) & set(KEPT_FP32)
    assert product_node("ffn_out", 4) == "/bert/encoder/layer.4/output/dense/MatMul" in KEPT_FP32
    assert product_node("qkv", 0) == "Attention_0" in SMOOTHED
