"""The HTTP API through FastAPI's TestClient, on an index of the bundled seeds (hash embedder)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from index.embedders.base import get_embedder
from index.writer import write
from ingest.pipeline import expand_paths, ingest_file
from service.settings import MB, Settings, UploadLimits
from tests.conftest import ROOT, SEEDS

KEY = "khoa-bi-mat-thu-nghiem"
INJECTED = ROOT / "tests" / "fixtures" / "injected_html.txt"


def build_index(root: Path) -> Path:
    write(root, [ingest_file(p) for p in expand_paths([SEEDS])], get_embedder("hash"))
    return root


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("api") / "index")


def client_for(index: Path, **settings: object) -> TestClient:
    values: dict[str, object] = {"index": index, "api_key": KEY, "upload_dir": index.parent / "uploads"}
    values.update(settings)
    return TestClient(create_app(Settings(**values)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client(seeds_index: Path) -> Iterator[TestClient]:
    with client_for(seeds_index) as c:
        yield c


@pytest.fixture
def writable(tmp_path: Path, seeds_index: Path) -> Iterator[TestClient]:
    """A client on a private copy of the seeds index (uploads and deletes change it)."""
    shutil.copytree(seeds_index, tmp_path / "index")
    with client_for(tmp_path / "index") as c:
        yield c


# ---- health, search, documents ------------------------------------------------------------
def test_health_reports_the_loaded_index(client: TestClient) -> None:
    body = client.get("/health").json()
    assert (body["status"], body["embedder"], body["documents"], body["chunks"]) == ("ok", "hash-v1-384", 6, 118)


def test_an_index_not_built_is_503_with_the_build_command(tmp_path: Path) -> None:
    with client_for(tmp_path / "nothing") as c:
        assert c.get("/health").json()["status"] == "not_ready"
        r = c.get("/search", params={"q": "Sở Y tế"})
        assert r.status_code == 503
        assert "chidao index build --from sample/seeds" in r.json()["hint"]
        assert c.post("/documents", headers={"X-API-Key": KEY},
                      files=[("files", ("a.txt", b"x"))]).status_code == 503


def test_search_finds_the_health_department_section(client: TestClient) -> None:
    body = client.get("/search", params={"q": "nhiệm vụ của Sở Y tế", "k": 3}).json()
    top = body["hits"][0]
    assert (top["doc_id"], top["section_path"]) == ("004_8e1e77f4468c0f15", ["8. Giao Sở Y tế:"])
    assert top["document"]["number"] == "8888/UBND-THNC"
    assert [top["text"][s:e] for s, e in top["highlights"]][:3] == ["Sở", "Y", "tế"]
    assert len(body["hits"]) == 3


def test_search_filters_by_old_and_new_province_names(client: TestClient) -> None:
    old = client.get("/search", params={"q": "phòng chống dịch", "province": "Kon Tum"}).json()["hits"]
    new = client.get("/search", params={"q": "phòng chống dịch", "province": "Quảng Ngãi"}).json()["hits"]
    assert old and {h["document"]["province"] for h in old} == {"Kon Tum"}
    assert {h["doc_id"] for h in new} == {h["doc_id"] for h in old}  # Kon Tum is in Quảng Ngãi since 2025
    dated = client.get("/search", params={"q": "phòng chống dịch", "since": "2021-09-01", "until": "2021-12-31"})
    assert all("2021-09-01" <= h["document"]["date"] <= "2021-12-31" for h in dated.json()["hits"])


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "y tế", "k": 0}, {"q": "y tế", "since": "15/08/2021"},
                                    {"q": "y tế", "since": "7393-15-00"}, {"q": "y tế", "until": "2021-02-29"}])
def test_bad_search_input_is_422(client: TestClient, params: dict) -> None:
    r = client.get("/search", params=params)
    assert r.status_code == 422
    assert set(r.json()) == {"detail", "hint"} and isinstance(r.json()["detail"], str)  # the declared Error


def test_an_impossible_date_is_422_naming_the_field(client: TestClient) -> None:
    r = client.get("/search", params={"q": "y tế", "since": "7393-15-00"})
    assert r.json() == {"detail": "query.since: not a date: '7393-15-00' (YYYY-MM-DD)", "hint": None}
    r = client.post("/ask", json={"question": "Sở Y tế", "filters": {"until": "2021-13-01"}})
    assert (r.status_code, r.json()["detail"]) == (422, "body.filters.until: not a date: '2021-13-01' (YYYY-MM-DD)")
    r = client.get("/agencies/Sở Y tế/tasks", params={"today": "2021-02-30"})
    assert (r.status_code, r.json()["detail"]) == (422, "query.today: not a date: '2021-02-30' (YYYY-MM-DD)")
    assert client.get("/search", params={"q": "y tế", "since": "2020-02-29"}).status_code == 200


def test_openapi_declares_the_error_body_for_every_error_status(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    declared = {code for ops in paths.values() for op in ops.values() for code in op["responses"]}
    assert {"401", "403", "404", "422", "429", "503"} <= declared
    for ops in paths.values():
        for op in ops.values():
            for code, resp in op["responses"].items():
                if code.startswith(("4", "5")):
                    assert resp["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "HTTPValidationError" not in client.get("/openapi.json").json()["components"]["schemas"]


def test_a_wrong_method_lists_every_allowed_one(client: TestClient) -> None:
    r = client.put("/documents/001_b75f6995bec0e83d")
    assert (r.status_code, r.headers["allow"], r.json()) == (405, "DELETE, GET", {"detail": "Method Not Allowed", "hint": None})


def test_document_has_metadata_sections_and_spans_of_the_original(client: TestClient) -> None:
    doc = client.get("/documents/001_b75f6995bec0e83d").json()
    assert (doc["meta"]["type"], doc["meta"]["province"], doc["meta"]["province_2025"]) == (
        "Thông báo", "Kon Tum", "Quảng Ngãi")
    health = [s for s in doc["sections"] if s["path"][-1] == "7. Sở Y tế:"]
    assert len(health) == 1
    assert doc["original"][health[0]["start"]:health[0]["end"]].startswith("7. Sở Y tế:")
    assert doc["highlight"] is None


def test_a_hit_opens_its_document_on_the_same_words(client: TestClient) -> None:
    hit = client.get("/search", params={"q": "giải ngân vốn đầu tư công", "k": 1}).json()["hits"][0]
    doc = client.get(hit["link"]).json()
    s, e = doc["highlight"]
    assert " ".join(doc["original"][s:e].split()) == " ".join(hit["text"].split())


def test_unknown_document_is_404(client: TestClient) -> None:
    r = client.get("/documents/khong-co")
    assert r.status_code == 404
    assert "khong-co" in r.json()["detail"]


def test_facets_list_old_and_new_provinces(client: TestClient) -> None:
    f = client.get("/facets").json()
    assert {"Kon Tum", "Quảng Ngãi", "Thái Nguyên", "Đồng Nai"} <= set(f["provinces"])
    assert (f["first_date"], f["documents"]) == ("2020-07-16", 6)


def test_openapi_has_vietnamese_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    ask = schema["components"]["schemas"]["AskIn"]["properties"]["question"]
    assert ask["examples"] == ["Nhiệm vụ của Sở Y tế là gì?"]
    params = {p["name"]: p for p in schema["paths"]["/search"]["get"]["parameters"]}
    assert params["q"]["schema"]["examples"] == ["giải ngân vốn đầu tư công"]


# ---- ask ------------------------------------------------------------------------------------
def test_ask_with_search_words_returns_passages(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "Giải ngân vốn đầu tư công", "k": 2}).json()
    assert body["kind"] == "search"
    assert body["hits"][0]["doc_id"] == "003_104911c3395eed31"


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": "y tế", "bogus": 1},
                                  {"question": "y tế", "filters": {"since": "hôm qua"}}])
def test_bad_ask_input_is_422(client: TestClient, body: dict) -> None:
    assert client.post("/ask", json=body).status_code == 422


# ---- writes ---------------------------------------------------------------------------------
def test_upload_then_search_then_delete(writable: TestClient, tmp_path: Path) -> None:
    key = {"X-API-Key": KEY}
    data = INJECTED.read_bytes()
    r = writable.post("/documents", headers=key, files=[("files", ("../../etc/cong_van.txt", data, "text/plain"))])
    assert r.status_code == 202, r.text
    job = r.json()
    (stored,) = job["files"]
    assert stored["doc_id"].startswith("u_") and "cong_van" not in stored["doc_id"]
    done = writable.app.state.core.wait(job["id"])
    assert done.status == "done", done
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == [stored["doc_id"] + ".txt"]  # no scratch left
    polled = writable.get(f"/jobs/{job['id']}").json()
    assert (polled["status"], polled["progress"], polled["added"]) == ("done", 1.0, [stored["doc_id"]])

    hits = writable.get("/search", params={"q": "gỡ bỏ đoạn mã chèn vào trang tin", "k": 3}).json()["hits"]
    assert hits[0]["doc_id"] == stored["doc_id"]
    assert writable.get("/health").json()["documents"] == 7

    assert writable.delete(f"/documents/{stored['doc_id']}", headers=key).json()["removed"] == [stored["doc_id"]]
    hits = writable.get("/search", params={"q": "gỡ bỏ đoạn mã chèn vào trang tin", "k": 3}).json()["hits"]
    assert stored["doc_id"] not in {h["doc_id"] for h in hits}
    assert writable.get(f"/documents/{stored['doc_id']}").status_code == 404
    assert list((tmp_path / "uploads").iterdir()) == []


def test_writes_need_the_key(writable: TestClient) -> None:
    files = [("files", ("a.txt", INJECTED.read_bytes()))]
    r = writable.post("/documents", files=files)
    assert (r.status_code, r.headers["www-authenticate"]) == (401, "Bearer")
    assert r.json()["detail"] == "missing or wrong API key (header X-API-Key or Authorization: Bearer)"
    assert writable.post("/documents", files=files, headers={"X-API-Key": "sai"}).status_code == 401
    assert writable.delete("/documents/001_b75f6995bec0e83d").status_code == 401
    assert writable.delete("/documents/001_b75f6995bec0e83d",
                           headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_writes_are_off_without_a_configured_key(seeds_index: Path) -> None:
    with client_for(seeds_index, api_key=None) as c:
        r = c.delete("/documents/001_b75f6995bec0e83d", headers={"X-API-Key": ""})
        assert r.status_code == 403 and "CHIDAO_API_KEY" in r.json()["detail"]


def test_reads_can_be_closed_by_the_same_key(seeds_index: Path) -> None:
    with client_for(seeds_index, protect_reads=True) as c:
        assert c.get("/search", params={"q": "y tế"}).status_code == 401
        assert c.get("/search", params={"q": "y tế"}, headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/health").status_code == 200


def test_delete_unknown_document_is_404(writable: TestClient) -> None:
    assert writable.delete("/documents/khong-co", headers={"X-API-Key": KEY}).status_code == 404


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/jobs/khong-co").status_code == 404


@pytest.mark.parametrize(("files", "reason"), [
    ([("virus.exe", b"MZ\x90\x00")], "unsupported file type '.exe'"),
    ([("trong.txt", b"")], "trong.txt: empty file"),
    ([("bao_cao.pdf", "Công văn số 1".encode())], "bao_cao.pdf: not a PDF"),
    ([("lon.txt", b"x" * 2048)], "lon.txt: file too large"),
    ([(f"{i}.txt", b"van ban") for i in range(4)], "too many files: 4 > 3"),
])
def test_a_bad_upload_is_422_with_the_reason(seeds_index: Path, tmp_path: Path, files: list, reason: str) -> None:
    limits = UploadLimits(max_files=3, max_file_bytes=1024, max_total_bytes=4096)
    with client_for(seeds_index, limits=limits, upload_dir=tmp_path / "up") as c:
        r = c.post("/documents", headers={"X-API-Key": KEY}, files=[("files", f) for f in files])
        assert r.status_code == 422
        assert reason in r.json()["detail"]
        assert not (tmp_path / "up").exists()  # nothing stored


def test_cors_allows_only_configured_origins(seeds_index: Path) -> None:
    with client_for(seeds_index, cors_origins=("https://soyte.kontum.gov.vn",)) as c:
        ok = c.get("/health", headers={"Origin": "https://soyte.kontum.gov.vn"})
        other = c.get("/health", headers={"Origin": "https://evil.example"})
        assert ok.headers["access-control-allow-origin"] == "https://soyte.kontum.gov.vn"
        assert "access-control-allow-origin" not in other.headers


def test_ask_a_question_gets_the_sentence_and_its_citation(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "Ai chủ trì giải ngân vốn đầu tư công?"}).json()
    assert (body["kind"], body["answered"]) == ("question", True)
    cite = body["citation"]
    assert cite["section_path"][-1] == "2. Sở Kế hoạch và Đầu tư:"
    doc = client.get(f"/documents/{cite['doc_id']}", params={"start": cite["start"], "end": cite["end"]}).json()
    s, e = doc["highlight"]
    assert doc["original"][s:e] == cite["quote"]


# ---- agency tasks ---------------------------------------------------------------------------
def test_ask_an_agency_question_gets_its_tasks_by_directive(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "Nhiệm vụ của Sở Y tế là gì?"}).json()
    assert (body["kind"], body["agency"]) == ("agency", "Sở Y tế")
    groups = body["groups"]
    assert [g["number"] for g in groups] == ["5749/UBND-TH", "1536/UBND-KTTH", "8888/UBND-THNC", None]
    assert all(t["role"] != "collective" for g in groups for t in g["tasks"])
    assert body["collective"] and all(t["role"] == "collective" for g in body["collective"] for t in g["tasks"])
    health = next(t for g in groups for t in g["tasks"] if g["number"] == "8888/UBND-THNC")
    assert health["section_path"] == ["8. Giao Sở Y tế:"]
    doc = client.get(f"/documents/{health['citation']['doc_id']}",
                     params={"start": health["citation"]["start"], "end": health["citation"]["end"]}).json()
    s, e = doc["highlight"]
    assert doc["original"][s:e] == health["citation"]["quote"]


def test_agency_tasks_any_spelling_and_filters(client: TestClient) -> None:
    plain = client.get("/agencies/Sở Y tế/tasks").json()
    assert client.get("/agencies/so y te/tasks").json() == plain
    assert plain["agency"] == "Sở Y tế" and len(plain["groups"]) == 4
    dong_nai = client.get("/agencies/Sở Y tế/tasks", params={"province": "Đồng Nai"}).json()
    assert {g["province"] for g in dong_nai["groups"] + dong_nai["collective"]} == {"Đồng Nai"}
    late = client.get("/agencies/Sở Y tế/tasks", params={"overdue": True, "today": "2021-09-01"}).json()
    tasks = [t for g in late["groups"] + late["collective"] for t in g["tasks"]]
    assert tasks and all(t["overdue"] and t["deadline"] < "2021-09-01" for t in tasks)
    assert [t["deadline_text"] for t in tasks] == ["trước ngày 15/8/2020"]
    in_2021 = client.get("/agencies/Sở Y tế/tasks", params={"since": "2021-01-01", "until": "2021-12-31"}).json()
    assert [g["number"] for g in in_2021["groups"]] == ["5749/UBND-TH", "1536/UBND-KTTH"]


def test_agency_tasks_bad_input(client: TestClient) -> None:
    r = client.get("/agencies/Sở Ma Thuật/tasks")
    assert r.status_code == 404 and "unknown agency" in r.json()["detail"]
    assert client.get("/agencies/Sở Y tế/tasks", params={"since": "2021"}).status_code == 422
    assert client.get("/agencies/Sở Y tế/tasks", params={"overdue": "có lẽ"}).status_code == 422


# ---- compare --------------------------------------------------------------------------------
def test_compare_puts_provinces_side_by_side(client: TestClient) -> None:
    pytest.importorskip("answer.compare")
    body = client.get("/compare", params={"topic": "phòng chống dịch COVID-19"}).json()
    columns = {c["province"]: [d["number"] for d in c["directives"]] for c in body["columns"]}
    assert set(columns) == {"Kon Tum", "Thái Nguyên", "Đồng Nai"}
    assert "5749/UBND-TH" in columns["Thái Nguyên"] and "8888/UBND-THNC" in columns["Đồng Nai"]
    grouped = [m for g in body["shared"] + body["unique"] for m in g["members"]]
    assert grouped and all(g["shared"] == (len(g["provinces"]) > 1) for g in body["shared"] + body["unique"])


def test_compare_rows_have_one_cell_per_province_and_links(client: TestClient) -> None:
    pytest.importorskip("answer.compare")
    body = client.get("/compare", params={"topic": "phòng chống dịch COVID-19", "provinces": "Thái Nguyên,Đồng Nai"}).json()
    rows = body["shared"] + body["unique"]
    assert rows and all([c["province"] for c in g["cells"]] == ["Thái Nguyên", "Đồng Nai"] for g in rows)
    ins = rows[0]["cells"][0]["instructions"] or rows[0]["cells"][1]["instructions"]
    assert ins[0]["link"] == f"/documents/{ins[0]['doc_id'].replace('#', '%23')}?start={ins[0]['start']}&end={ins[0]['end']}"
    opened = client.get(ins[0]["link"])
    assert opened.status_code == 200


def test_compare_takes_new_province_names(client: TestClient) -> None:
    pytest.importorskip("answer.compare")
    body = client.get("/compare", params={"topic": "phòng chống dịch", "provinces": "Quảng Ngãi,Đồng Nai"}).json()
    assert body["provinces"] == ["Quảng Ngãi", "Đồng Nai"]
    first = body["columns"][0]["directives"]
    assert first and {d["province"] for d in first} == {"Kon Tum"}  # Kon Tum is in Quảng Ngãi since 2025


def test_compare_bad_input(client: TestClient) -> None:
    pytest.importorskip("answer.compare")
    r = client.get("/compare", params={"topic": "phòng chống dịch", "provinces": "Kon Tum,Atlantis"})
    assert r.status_code == 422 and "Atlantis" in r.json()["detail"]
    assert client.get("/compare", params={"topic": ""}).status_code == 422
    assert client.get("/compare").status_code == 422


# ---- hostile uploads, rate limit -------------------------------------------------------------
def test_a_hostile_upload_fails_its_job_with_the_reason_and_search_goes_on(writable: TestClient,
                                                                          tmp_path: Path) -> None:
    from tests.reliability.test_hostile_files import zip_bomb

    key = {"X-API-Key": KEY}
    before = writable.get("/search", params={"q": "nhiệm vụ của Sở Y tế", "k": 3}).json()["hits"]
    r = writable.post("/documents", headers=key, files=[("files", ("bom.docx", zip_bomb()))])
    assert r.status_code == 202, r.text
    done = writable.app.state.core.wait(r.json()["id"])
    assert done.status == "failed"
    assert len(done.errors) == 1 and done.errors[0].startswith("bom.docx: ") and "compression ratio" in done.errors[0]
    polled = writable.get(f"/jobs/{done.id}").json()
    assert polled["status"] == "failed" and "compression ratio" in polled["errors"][0]
    assert list((tmp_path / "uploads").iterdir()) == []  # not kept, no sandbox scratch left

    empty = writable.post("/documents", headers=key, files=[("files", ("trong.docx", b""))])
    assert empty.status_code == 422 and empty.json()["detail"] == "trong.docx: empty file"

    assert writable.get("/health").json()["documents"] == 6
    assert writable.get("/search", params={"q": "nhiệm vụ của Sở Y tế", "k": 3}).json()["hits"] == before


def test_rate_limit_from_settings_answers_429_with_retry_after(seeds_index: Path) -> None:
    with client_for(seeds_index, rate_limit=3) as c:
        codes = [c.get("/search", params={"q": "y tế"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = c.get("/facets")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["detail"].startswith("too many requests")
        assert c.get("/search", params={"q": "y tế"}, headers={"X-API-Key": KEY}).status_code == 200  # another client
        assert c.get("/health").status_code == 200  # never limited


def test_rate_limit_is_off_by_default_and_read_from_the_environment(tmp_path: Path) -> None:
    assert Settings.from_env({"CHIDAO_INDEX": str(tmp_path)}).rate_limit == 0
    assert Settings.from_env({"CHIDAO_INDEX": str(tmp_path), "CHIDAO_RATE_LIMIT": "120"}).rate_limit == 120


def test_random_keys_are_limited_by_address(seeds_index: Path) -> None:
    with client_for(seeds_index, rate_limit=3) as c:
        codes = [c.get("/facets", headers={"X-API-Key": f"ngau-nhien-{i}"}).status_code for i in range(6)]
        assert codes == [200, 200, 200, 429, 429, 429]
        assert c.get("/facets", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200  # the real key


def test_the_readme_documents_both_key_headers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`X-API-Key: KEY`" in readme and "`Authorization: Bearer KEY`" in readme


# ---- refusals before the body is read -------------------------------------------------------
BOUNDARY = "ranh-gioi"
HEAD = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="lon.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n").encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def _stream_upload(app: FastAPI, headers: dict[str, str], megabytes: int = 20,
                   declare_length: bool = True) -> tuple[int, dict[str, object], int]:
    """POST a multipart upload of `megabytes` MB from a generator, through the app's lifespan:
    (status, body, bytes the server pulled from the generator)."""
    pulled = 0
    chunk = b"x" * MB

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for part in [HEAD] + [chunk] * megabytes + [TAIL]:
            pulled += len(part)
            yield part

    sent = dict(headers, **{"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    if declare_length:
        sent["content-length"] = str(len(HEAD) + megabytes * MB + len(TAIL))

    async def run() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.post("/documents", content=body(), headers=sent)

    r = asyncio.run(run())
    return r.status_code, r.json(), pulled


def _app_for(index: Path, **settings: object) -> FastAPI:
    values: dict[str, object] = {"index": index, "api_key": KEY, "upload_dir": index.parent / "uploads",
                                 "warm_up": False}
    values.update(settings)
    return create_app(Settings(**values))  # type: ignore[arg-type]


def test_an_upload_without_the_right_key_is_refused_before_its_body_is_read(seeds_index: Path) -> None:
    refused = {"detail": "missing or wrong API key (header X-API-Key or Authorization: Bearer)", "hint": None}
    assert _stream_upload(_app_for(seeds_index), {}) == (401, refused, 0)
    assert _stream_upload(_app_for(seeds_index), {"X-API-Key": "sai"}) == (401, refused, 0)
    assert _stream_upload(_app_for(seeds_index), {"Authorization": "Bearer sai"}) == (401, refused, 0)
    off = _stream_upload(_app_for(seeds_index, api_key=None), {"X-API-Key": "sai"})
    assert off == (403, {"detail": "writes are disabled on this server: set CHIDAO_API_KEY to enable them",
                         "hint": None}, 0)


def test_an_upload_over_the_total_size_is_refused_before_its_body_is_read(seeds_index: Path,
                                                                           tmp_path: Path) -> None:
    limits = UploadLimits(max_files=3, max_file_bytes=1 * MB, max_total_bytes=2 * MB)
    app = _app_for(seeds_index, limits=limits, upload_dir=tmp_path / "up")
    status, body, pulled = _stream_upload(app, {"X-API-Key": KEY})
    assert (status, body, pulled) == (413, {"detail": "upload too large: 20.0 MB > 2 MB (Content-Length)",
                                            "hint": None}, 0)
    # without Content-Length (chunked), reading stops at the limit plus the multipart framing
    status, body, pulled = _stream_upload(app, {"X-API-Key": KEY}, declare_length=False)
    assert (status, body) == (413, {"detail": "upload too large: more than 3 MB > 2 MB", "hint": None})
    assert pulled == len(HEAD) + 3 * MB
    assert not (tmp_path / "up").exists()


def test_an_oversize_file_is_reported_with_its_real_size(seeds_index: Path, tmp_path: Path) -> None:
    limits = UploadLimits(max_files=3, max_file_bytes=1 * MB, max_total_bytes=10 * MB)
    with client_for(seeds_index, limits=limits, upload_dir=tmp_path / "up") as c:
        r = c.post("/documents", headers={"X-API-Key": KEY}, files=[("files", ("lon.txt", b"x" * (5 * MB)))])
        assert (r.status_code, r.json()["detail"]) == (422, "lon.txt: file too large: 5.0 MB > 1 MB")
        r = c.post("/documents", headers={"X-API-Key": KEY},
                   files=[("files", (f"{i}.txt", b"x" * (3 * MB + MB // 2))) for i in range(3)])
        assert (r.status_code, r.json()["detail"]) == (422, "upload too large: 10.5 MB > 10 MB")
    assert not (tmp_path / "up").exists()


def test_a_very_long_url_is_414(client: TestClient) -> None:
    # (httpx refuses a query over 64 KB itself; a live server gets a 140 KB one in
    # tests/integration/test_api_guard_uvicorn.py)
    r = client.get("/search", params={"q": "a" * 20_000})
    assert (r.status_code, r.json()) == (414, {"detail": "URL too long: 20010 bytes > 16384", "hint": None})
    assert client.get("/search", params={"q": "a" * 1000}).status_code == 200
    # the longest query /search takes, in 3-byte letters: 9,009 bytes percent-encoded, not a 414
    assert client.get("/search", params={"q": "ế" * 1000}).status_code == 200
