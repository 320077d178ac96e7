"""Issue 16 against a real uvicorn on 127.0.0.1, configured as `chidao serve` configures it: a
140 KB URL is answered 414 (h11's default buffer turned it into a 400 and a reset), and an upload
without the right key, or declaring a body over the limit, is refused from its headers alone:
the client sends the headers, never a byte of the body, and still gets the answer."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.app import MAX_REQUEST_HEAD, create_app, uvicorn_options
from service.settings import MB, Settings, UploadLimits

KEY = "khoa-may-chu-that"


@pytest.fixture(scope="module")
def port(seeds_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    settings = Settings(index=seeds_root, api_key=KEY, upload_dir=tmp_path_factory.mktemp("guard") / "uploads",
                        warm_up=False, limits=UploadLimits(max_files=3, max_file_bytes=1 * MB, max_total_bytes=2 * MB))
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_level="warning", **uvicorn_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join()


def exchange(port: int, head: str) -> tuple[int, dict[str, str], bytes]:
    """Send a request head only (no body), read the whole answer: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(head.encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    raw_head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def upload_head(port: int, length: int, key_header: str = "") -> str:
    return (f"POST /documents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{key_header}"
            f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {length}\r\n\r\n")


def test_a_140_kb_url_gets_414_with_the_error_body(port: int) -> None:
    head = f"GET /search?q={'a' * 140_000} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    status, headers, body = exchange(port, head)
    assert (status, headers["content-type"], json.loads(body)) == (
        414, "application/json", {"detail": "URL too long: 140010 bytes > 16384", "hint": None})
    assert len(head) < MAX_REQUEST_HEAD


@pytest.mark.parametrize("key_header", ["", "X-API-Key: sai\r\n", "Authorization: Bearer sai\r\n"])
def test_an_upload_without_the_right_key_is_refused_before_its_body(port: int, key_header: str) -> None:
    status, headers, body = exchange(port, upload_head(port, 200 * MB, key_header))
    assert (status, headers["www-authenticate"], json.loads(body)) == (
        401, "Bearer", {"detail": "missing or wrong API key (header X-API-Key or Authorization: Bearer)",
                        "hint": None})


def test_an_upload_declaring_too_many_bytes_is_refused_before_its_body(port: int) -> None:
    status, _, body = exchange(port, upload_head(port, 200 * MB, f"X-API-Key: {KEY}\r\n"))
    assert (status, json.loads(body)) == (
        413, {"detail": "upload too large: 200.0 MB > 2 MB (Content-Length)", "hint": None})
    head = (f"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {5 * MB}\r\n\r\n")
    status, _, body = exchange(port, head)
    assert (status, json.loads(body)) == (413, {"detail": "request body too large: 5.0 MB > 1 MB (Content-Length)",
                                                "hint": None})
