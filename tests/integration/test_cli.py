"""The chidao command end to end on the bundled seeds (fake embedder, so no model load)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chidao.cli import main
from tests.conftest import SEEDS

DOC_FIELDS = {"id", "source", "type", "number", "date", "issuer", "province", "province_2025", "subject",
              "signer", "recipients", "cites", "parent"}
CHUNK_FIELDS = {"chunk_id", "doc_id", "section_path", "text", "start", "end"}


def test_ingest_writes_the_contract_fields(tmp_path: Path) -> None:
    assert main(["ingest", str(SEEDS), "--out", str(tmp_path)]) == 0
    docs = [json.loads(line) for line in (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    chunks = [json.loads(line) for line in (tmp_path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in docs] == [p.stem for p in sorted(SEEDS.glob("*.txt"))][:4] + [
        "004_8e1e77f4468c0f15", "004_8e1e77f4468c0f15#2"]
    assert all(DOC_FIELDS <= d.keys() for d in docs)
    assert all(set(c) == CHUNK_FIELDS for c in chunks)
    attached = docs[-1]
    assert (attached["type"], attached["number"], attached["parent"]) == ("Kết luận", "1098-KL/TU", "004_8e1e77f4468c0f15")


def test_a_bad_file_is_one_line_and_the_batch_carries_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(next(SEEDS.glob("000_*.txt")), src)
    (src / "empty.txt").write_bytes(b"")
    (src / "junk.docx").write_bytes(b"\x00\x01\x02 not a zip")
    assert main(["ingest", str(src), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if line.startswith("error: ")]
    assert errors == [f"error: {src / 'empty.txt'}: empty file",
                      f"error: {src / 'junk.docx'}: not a .docx (not a zip archive): wrong extension or damaged file"]
    docs = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(docs) == 1


def test_build_then_search_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = str(tmp_path / "index")
    assert main(["index", "build", "--from", str(SEEDS), "--index", index, "--embedder", "hash", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["search", "Công văn 1536/UBND-KTTH", "--index", index, "--json", "--k", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    top = out["hits"][0]
    meta = top["document"]
    assert (top["doc_id"], meta["number"], meta["date"], meta["province"]) == (
        "000_e039e5926f709e92", "1536/UBND-KTTH", "2021-05-14", "Kon Tum")
    assert "1536/UBND-KTTH" in [top["text"][a:b] for a, b in top["highlights"]]
    assert top["link"] == f"/documents/000_e039e5926f709e92?start={top['start']}&end={top['end']}"


def test_search_without_index_says_how_to_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Sở Y tế", "--index", str(tmp_path / "none")]) == 2
    assert "chidao index build" in capsys.readouterr().err
