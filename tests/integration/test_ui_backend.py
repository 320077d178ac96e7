"""The app's two backends give the same answers: in-process, and over HTTP to the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from service.settings import Settings
from tests.integration.test_api import INJECTED, KEY, build_index
from ui.backend import BackendError, HttpBackend, LocalBackend


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("ui") / "index")


def test_local_and_http_backends_agree(index: Path) -> None:
    local = LocalBackend(index)
    with TestClient(create_app(Settings(index=index, api_key=KEY))) as c:
        remote = HttpBackend("http://testserver", KEY, client=c)
        for question in ("Giải ngân vốn đầu tư công", "Ai chủ trì giải ngân vốn đầu tư công?"):
            assert remote.ask(question, {}) == local.ask(question, {})
        assert remote.facets() == local.facets()
        hit = local.search("Sở Y tế", {"province": "Đồng Nai"}, k=1)["hits"][0]
        span = (hit["start"], hit["end"])
        assert remote.document(hit["doc_id"], span) == local.document(hit["doc_id"], span)
        with pytest.raises(BackendError) as err:
            remote.document("khong-co")
        assert err.value.status == 404


def test_local_upload_reports_progress_to_done(tmp_path: Path, index: Path) -> None:
    import shutil

    shutil.copytree(index, tmp_path / "index")
    local = LocalBackend(tmp_path / "index")
    local.settings = Settings(index=tmp_path / "index", upload_dir=tmp_path / "up")
    job = local.upload([("cong_van.txt", INJECTED.read_bytes())])
    done = local.core.wait(job["id"])
    assert done.status == "done"
    assert local.job(job["id"])["progress"] == 1.0
    assert local.search("gỡ bỏ đoạn mã", {}, k=1)["hits"][0]["doc_id"] == job["files"][0]["doc_id"]
    with pytest.raises(BackendError) as err:
        local.upload([("virus.exe", b"MZ")])
    assert err.value.status == 422
