"""Incremental writes (issue 12.6): a small batch shares the base store and FAISS file by hard
link, hashes only the files it wrote, and a reader's reload hashes only files it has not seen;
the layered generation answers exactly as a one-file index of the same documents."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from eval.crash import index_state
from index import generation, writer
from index.embedders.base import get_embedder
from index.generation import (
    STORE,
    STORE_DELTA,
    VECTORS,
    VECTORS_DELTA,
    IndexMismatch,
    IndexWriteError,
    current_generation,
    read_manifest,
    verify,
)
from index.index import Index
from index.store import Filters, Store  # Filters re-exported: its home module moves in issue 12
from index.writer import write
from ingest.pipeline import ingest_file
from tests.conftest import SEEDS

QUERIES = ("phòng chống thiên tai", "Sở Y tế", "ubnd tinh chi thi", "kế hoạch triển khai nhiệm vụ năm 2024")


def _seeds() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


def _live(root: Path) -> Path:
    live = current_generation(root)
    assert live is not None
    return live


def _record_hashing(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    hashed: list[Path] = []
    original = generation._sha256

    def recording(path: Path) -> str:
        hashed.append(path)
        return original(path)

    monkeypatch.setattr(generation, "_sha256", recording)
    return hashed


def _own_files(gen: Path, older: Path) -> set[str]:
    """Files of `gen` that are not hard links to `older`'s file of the same name."""
    out = set()
    for name in read_manifest(gen).checksums:
        twin = older / name
        if not twin.exists() or twin.stat().st_ino != (gen / name).stat().st_ino:
            out.add(name)
    return out


@pytest.fixture
def four_seeds(tmp_path: Path) -> Path:
    root = tmp_path / "index"
    write(root, [ingest_file(p) for p in _seeds()[:4]], get_embedder("hash"))
    return root


def test_a_one_document_batch_shares_the_base_and_hashes_only_what_it_wrote(
    four_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _live(four_seeds)
    hashed = _record_hashing(monkeypatch)
    write(four_seeds, [ingest_file(_seeds()[4])], get_embedder("hash"))
    new = _live(four_seeds)
    assert new.name == "gen-000002"
    for shared in (STORE, VECTORS):
        assert (new / shared).stat().st_ino == (base / shared).stat().st_ino
    own = _own_files(new, base)
    assert {STORE_DELTA, VECTORS_DELTA, "lexical/meta.json", "lexical/lexical.json"} <= own
    assert STORE not in own and VECTORS not in own
    # The base: only the files the batch copied (tantivy's small json files) are checked;
    # the staging folder: only the files the batch wrote.
    in_base = {str(p.relative_to(base)) for p in hashed if p.is_relative_to(base)}
    in_staging = {str(p.relative_to(four_seeds / "gen-000002.staging")) for p in hashed
                  if p.is_relative_to(four_seeds / "gen-000002.staging")}
    assert in_base == {n for n in read_manifest(base).checksums if n.endswith(".json")}
    assert in_staging == own
    assert verify(new, read_manifest(new)) == [] and verify(base, read_manifest(base)) == []


def test_a_reload_hashes_only_the_files_of_the_new_generation(four_seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = Index(four_seeds).load()
    base = _live(four_seeds)
    write(four_seeds, [ingest_file(_seeds()[4])], get_embedder("hash"))
    new = _live(four_seeds)
    hashed = _record_hashing(monkeypatch)
    assert reader.reload_if_changed()
    assert {str(p.relative_to(new)) for p in hashed} == _own_files(new, base)
    assert reader.store.count("documents") == 6  # the five seeds, one with an attachment
    hashed.clear()
    Index(four_seeds).load()  # a first open reads every file
    assert {str(p.relative_to(new)) for p in hashed} == set(read_manifest(new).checksums)


def _dense(index: Index) -> dict[str, list[tuple[str, float]]]:
    emb = index.embedder
    out = {}
    for q in QUERIES:
        hits = index.vectors.search(emb.encode_queries([q])[0], k=10)
        chunks = index.store.chunks_by_rowid([i for i, _ in hits])
        out[q] = [(chunks[i].chunk_id, round(s, 5)) for i, s in hits]
    return out


def _tasks(index: Index) -> list[tuple[str, str, str, str]]:
    return [(t.doc_id, t.agency, t.role, t.task) for t in index.store.tasks()]


def test_layered_and_merged_generations_read_as_one_file_indexes_of_the_same_documents(
    tmp_path: Path, seeds_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _seeds()
    hashing = get_embedder("hash")
    layered = tmp_path / "layered"
    write(layered, [ingest_file(p) for p in seeds[:3]], hashing)
    write(layered, [ingest_file(p) for p in seeds[3:]], hashing)
    write(layered, [], hashing, remove=[seeds[1].stem])
    assert STORE_DELTA in read_manifest(_live(layered)).checksums
    fresh = tmp_path / "fresh"
    write(fresh, [ingest_file(p) for p in seeds if p != seeds[1]], hashing)
    a, b = Index(layered).load(), Index(fresh).load()
    assert index_state(layered) == index_state(fresh)
    assert _dense(a) == _dense(b)
    assert _tasks(a) == _tasks(b)
    for f in (Filters(province="Đồng Nai"), Filters(type="Công văn"), Filters(since="2024-01-01")):
        assert a.store.filtered_doc_ids(f) == b.store.filtered_doc_ids(f)
    assert a.store.count("assignments") == b.store.count("assignments")
    # A batch past the bound merges the layers back into one store and one FAISS file.
    monkeypatch.setattr(writer, "MERGE_MIN_CHUNKS", 0)
    monkeypatch.setattr(writer, "MERGE_MAX_CHUNKS", 0)
    write(layered, [ingest_file(seeds[1])], hashing)
    merged = read_manifest(_live(layered))
    assert STORE_DELTA not in merged.checksums and VECTORS_DELTA not in merged.checksums
    assert index_state(layered) == index_state(seeds_root)
    assert _dense(Index(layered).load()) == _dense(Index(seeds_root).load())
    assert _tasks(Index(layered).load()) == _tasks(Index(seeds_root).load())


def test_hnsw_removals_are_layered_hidden_from_search_and_compacted_by_the_merge(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = _seeds()
    hashing = get_embedder("hash")
    root = tmp_path / "hnsw"
    write(root, [ingest_file(p) for p in seeds[:3]], hashing, vector_kind="hnsw")
    base_graph = (_live(root) / VECTORS).stat().st_ino
    write(root, [ingest_file(seeds[3])], hashing)
    write(root, [ingest_file(seeds[4])], hashing, remove=[seeds[0].stem])
    live = _live(root)
    manifest = read_manifest(live)
    # The removal is a layered batch: the base graph is shared, not rebuilt.
    assert STORE_DELTA in manifest.checksums and manifest.vector_kind == "hnsw"
    assert (live / VECTORS).stat().st_ino == base_graph
    index = Index(root).load()
    gone = index.store.hidden_rowids()
    assert len(gone) > 0 and np.array_equal(index.vectors.hidden, gone)
    assert index.store.count("chunks") == index.vectors.count() == index.lexical.count() == manifest.counts["chunks"]
    # A removed passage's own embedding finds every passage but itself and its document's.
    rowids, stored = Store.of(live, layered=False, readonly=True).embeddings(hashing.dim)  # the base alone
    probe = stored[list(rowids).index(int(gone[0]))]
    found = [i for i, _ in index.vectors.search(probe, index.vectors.count())]
    assert sorted(found) == sorted(index.store.embeddings(hashing.dim)[0].tolist())
    allowed = np.concatenate([gone, index.store.embeddings(hashing.dim)[0][:3]])
    assert sorted(i for i, _ in index.vectors.search(probe, 10, allowed)) == sorted(allowed[len(gone):].tolist())
    # When the delta outgrows its bound the merge rebuilds the graph without the hidden vectors.
    monkeypatch.setattr(writer, "MERGE_MIN_CHUNKS", 0)
    monkeypatch.setattr(writer, "MERGE_MAX_CHUNKS", 0)
    write(root, [], hashing, remove=[seeds[1].stem])
    assert STORE_DELTA not in read_manifest(_live(root)).checksums
    index = Index(root).load()
    held, _ = index.vectors.items()
    assert len(index.vectors.hidden) == 0
    assert sorted(held.tolist()) == index.store.embeddings(hashing.dim)[0].tolist()
    assert {d.id[:3] for d in index.store.documents()} == {s.stem[:3] for s in seeds[2:]}


def test_a_damaged_delta_is_not_carried_into_the_next_generation(four_seeds: Path) -> None:
    hashing = get_embedder("hash")
    write(four_seeds, [ingest_file(_seeds()[4])], hashing)
    live = _live(four_seeds)
    delta = live / STORE_DELTA
    data = bytearray(delta.read_bytes())
    data[len(data) // 2] ^= 0xFF
    delta.write_bytes(bytes(data))
    with pytest.raises(IndexWriteError, match=r"index unchanged.*checksum mismatch in store-delta.sqlite"):
        write(four_seeds, [], hashing, remove=[_seeds()[0].stem])
    assert _live(four_seeds) == live
    assert not list(four_seeds.glob("*.staging"))


def test_an_index_written_before_layers_takes_layered_batches(four_seeds: Path) -> None:
    # A format 1 generation is a one-file one: the next batch layers over it as it is.
    gen = _live(four_seeds)
    manifest = read_manifest(gen)
    generation.atomic_write(gen / generation.MANIFEST, replace(manifest, format=1).sealed(manifest.checksums).to_json())
    assert read_manifest(gen).format == 1
    write(four_seeds, [ingest_file(_seeds()[4])], get_embedder("hash"))
    index = Index(four_seeds).load()
    assert index.manifest is not None and index.manifest.format == generation.FORMAT_VERSION
    assert STORE_DELTA in index.manifest.checksums
    assert index.store.count("documents") == 6


def test_an_index_of_a_newer_format_is_refused(four_seeds: Path) -> None:
    gen = _live(four_seeds)
    manifest = read_manifest(gen)
    newer = replace(manifest, format=generation.FORMAT_VERSION + 1)
    generation.atomic_write(gen / generation.MANIFEST, newer.sealed(manifest.checksums).to_json())
    with pytest.raises(IndexMismatch, match=f"written in index format {generation.FORMAT_VERSION + 1}"):
        Index(four_seeds).load()


def test_unchanged_files_do_not_count_towards_a_merge(four_seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Re-ingesting a folder whose files did not change writes nothing, so it copies nothing.
    monkeypatch.setattr(writer, "MERGE_MIN_CHUNKS", 0)
    monkeypatch.setattr(writer, "MERGE_MAX_CHUNKS", 0)
    report = write(four_seeds, [ingest_file(p) for p in _seeds()[:4]], get_embedder("hash"))
    assert report.unchanged == tuple(p.stem for p in _seeds()[:4]) and report.added == report.replaced == ()
    live = _live(four_seeds)
    assert STORE_DELTA in read_manifest(live).checksums
    assert (live / STORE).stat().st_ino == (four_seeds / "gen-000001" / STORE).stat().st_ino
