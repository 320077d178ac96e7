"""One error table (`service.errors`) behind the three front ends: the same error gets the same
HTTP status from the API and the app's backend, and its exit code from the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from chidao.cli import main
from domain.errors import ChidaoError, UnknownAgency
from index.generation import IndexLocked, IndexMismatch, IndexNotReady, IndexWriteError, writer_lock
from index.lexical import BadFilter
from ingest.model import IngestError
from ingest.provinces import UnknownProvince
from service.errors import EXIT_TEMPFAIL, EXIT_USAGE, TABLE, outcome
from service.ingest_jobs import UploadRejected
from service.reading import DocumentNotFound
from service.settings import Settings
from ui.backend import BackendError, LocalBackend

KEY = "khoa-thu-nghiem"


def test_every_row_is_a_chidao_error_with_its_status() -> None:
    assert all(issubclass(cls, ChidaoError) for cls, _ in TABLE)
    statuses = {cls: (s.http, s.exit) for cls, s in TABLE}
    assert statuses == {
        IndexNotReady: (503, 2), IndexMismatch: (503, 2), IndexLocked: (409, 75), IndexWriteError: (500, 74),
        DocumentNotFound: (404, 2), UnknownAgency: (404, 2), UnknownProvince: (422, 2), UploadRejected: (422, 2),
        IngestError: (422, 2), BadFilter: (422, 2),
    }
    o = outcome(UnknownProvince("Atlantis"))
    assert o is not None and o.line() == (
        "không biết tỉnh 'Atlantis' (unknown province); tên cũ hoặc mới, ví dụ: Kon Tum, Quảng Ngãi")
    assert outcome(ValueError("a bug")) is None  # not in the table: left to propagate


def test_unknown_agency_is_404_through_the_api(seeds_root: Path) -> None:
    with TestClient(create_app(Settings(index=seeds_root, warm_up=False))) as c:
        r = c.get("/agencies/Sở Không Có/tasks")
    assert (r.status_code, r.json()["detail"]) == (
        404, "không biết cơ quan 'Sở Không Có' (unknown agency); ví dụ: Sở Y tế, Sở KH&ĐT, Sở Tài chính")


def test_a_locked_index_is_409_for_the_api_and_the_app_and_75_for_the_cli(
        tmp_path: Path, seeds_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(shutil.copytree(seeds_root, tmp_path / "index"))
    backend = LocalBackend(root)
    with TestClient(create_app(Settings(index=root, api_key=KEY, warm_up=False))) as c, writer_lock(root):
        r = c.delete("/documents/000_e039e5926f709e92", headers={"X-API-Key": KEY})
        assert r.status_code == 409
        assert r.json()["detail"].startswith(f"the index is being written: {root}: another process is writing")
        with pytest.raises(BackendError) as caught:  # the app's guard around the core's own delete
            backend._guard(backend.core.delete, "000_e039e5926f709e92")
        assert caught.value.status == 409
        assert main(["index", "remove", "000_e039e5926f709e92", "--index", str(root), "--quiet"]) == EXIT_TEMPFAIL
    assert "another process is writing to this index" in capsys.readouterr().err


def test_an_index_not_built_is_503_for_the_app_and_2_for_the_cli(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(BackendError) as caught:
        LocalBackend(tmp_path / "none").facets()
    assert caught.value.status == 503 and "chidao index build" in str(caught.value)
    assert main(["ask", "Sở Y tế", "--index", str(tmp_path / "none")]) == EXIT_USAGE
    assert "chidao index build" in capsys.readouterr().err


def test_a_date_that_is_no_date_is_one_line_and_exit_2(seeds_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "Sở Y tế", "--index", str(seeds_root), "--since", "2021-13"]) == EXIT_USAGE
    assert capsys.readouterr().err.strip().splitlines() == [
        "chidao: not a valid date: '2021-13' (month must be in 1..12)"]
