"""Generated answers against a real OpenAI-compatible HTTP server on loopback, started here."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from answer.generate import NO_ANSWER, LLMConfig, LLMGenerator, from_env, verify
from answer.qa import Passage, answer_question
from index.index import Index

QUESTION = "Hạn chót báo cáo kết quả thực hiện về Thường trực UBND tỉnh Đồng Nai là ngày nào?"

Reply = Callable[[dict], str]  # request body -> the assistant's message content


class _Server:
    """A chat-completions endpoint whose reply is computed from the request by `reply`."""

    def __init__(self) -> None:
        self.reply: Reply = lambda body: ""
        self.delay = 0.0
        self.requests: list[tuple[dict, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                server.requests.append((body, dict(self.headers)))
                if server.delay:
                    time.sleep(server.delay)
                out = {"id": "x", "object": "chat.completion", "model": body["model"],
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": server.reply(body)}}]}
                data = json.dumps(out, ensure_ascii=False).encode("utf-8")
                self.send_response(200 if self.path == "/v1/chat/completions" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)



@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def _passages(body: dict) -> dict[int, str]:
    """The numbered passages a prompt showed: {1: text, 2: text, ...}."""
    prompt = body["messages"][1]["content"]
    parts = re.split(r"^\[(\d+)\][^\n]*\n", prompt.split("\n\nCâu hỏi:")[0], flags=re.MULTILINE)
    return {int(n): text.strip() for n, text in zip(parts[1::2], parts[2::2], strict=True)}


def _quote_first(body: dict) -> str:
    """A faithful model: restates the passage holding "15/8/2020", citing its number."""
    n = next(n for n, t in _passages(body).items() if "15/8/2020" in t)
    return f"Các sở, ngành, địa phương báo cáo kết quả, tiến độ thực hiện về Thường trực UBND tỉnh trước ngày 15/8/2020 [{n}]."


def test_a_supported_answer_is_accepted(server: _Server, index: Index) -> None:
    server.reply = _quote_first
    gen = LLMGenerator(LLMConfig(server.url + "/chat/completions", model="qwen", api_key="k1"))
    a = answer_question(index, QUESTION, generator=gen)
    assert a.answered  # the extractive answer stays
    assert a.generated is not None and a.generated.endswith("trước ngày 15/8/2020 [2].")
    assert a.generation_note == "câu trả lời sinh tự động, đã kiểm chứng trích dẫn [2]"
    body, headers = server.requests[0]
    assert body["model"] == "qwen" and body["temperature"] == 0
    assert headers["Authorization"] == "Bearer k1"
    assert body["messages"][1]["content"].startswith("Các đoạn văn bản:\n\n[1] (")
    assert f"Câu hỏi: {QUESTION}" in body["messages"][1]["content"]


def test_a_citation_out_of_range_is_rejected_for_the_extractive_answer(server: _Server, index: Index) -> None:
    server.reply = lambda body: "Hạn chót là ngày 15/8/2020 [9]."
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/chat/completions")))
    assert a.generated is None
    assert a.generation_note == ("đã loại câu trả lời sinh tự động: trích dẫn [9] không có trong 6 đoạn đã cho; "
                                 "dùng câu trả lời trích xuất")
    assert a.answered and "trước ngày 15/8/2020" in a.answer_text


def test_an_unsupported_claim_is_rejected(server: _Server, index: Index) -> None:
    server.reply = lambda body: "Hạn chót báo cáo về Thường trực UBND tỉnh là ngày 31/12/2099 [1]."
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/chat/completions")))
    assert a.generated is None
    assert a.generation_note is not None and "31" in a.generation_note and a.generation_note.startswith("đã loại")


def test_invented_words_under_a_real_citation_are_rejected(server: _Server, index: Index) -> None:
    server.reply = lambda body: "Bộ Quốc phòng phải xây dựng sân bay quốc tế mới ở Biên Hòa [1]."
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/chat/completions")))
    assert a.generated is None
    assert a.generation_note is not None and "câu không khớp với đoạn [1]" in a.generation_note


def test_the_model_declining_keeps_the_extractive_answer(server: _Server, index: Index) -> None:
    server.reply = lambda body: NO_ANSWER
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/chat/completions")))
    assert a.generated is None and a.answered
    assert a.generation_note == "mô hình cho biết các đoạn không trả lời được câu hỏi; dùng câu trả lời trích xuất"


def test_a_wrong_path_is_a_note_not_a_crash(server: _Server, index: Index) -> None:
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/completions")))
    assert a.generated is None and a.answered
    assert a.generation_note == "không gọi được mô hình (HTTPError: HTTP Error 404: Not Found); dùng câu trả lời trích xuất"


def test_server_down_falls_back(index: Index) -> None:
    s = _Server()  # bound, never served, then closed: nothing listens on its port
    s.httpd.server_close()
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(s.url + "/chat/completions", timeout=2)))
    assert a.generated is None and a.answered
    assert a.generation_note is not None and a.generation_note.startswith("không gọi được mô hình (URLError")


def test_timeout_falls_back(server: _Server, index: Index) -> None:
    server.reply = _quote_first
    server.delay = 1.5
    a = answer_question(index, QUESTION, generator=LLMGenerator(LLMConfig(server.url + "/chat/completions", timeout=0.3)))
    assert a.generated is None and a.answered
    assert a.generation_note is not None and a.generation_note.startswith("không gọi được mô hình (")
    assert "timed out" in a.generation_note


def test_config_from_env() -> None:
    assert from_env({}) is None
    assert LLMConfig.from_env({"CHIDAO_LLM_URL": "http://127.0.0.1:8000/v1"}) == LLMConfig(
        "http://127.0.0.1:8000/v1/chat/completions")
    cfg = LLMConfig.from_env({"CHIDAO_LLM_URL": "http://h:11434", "CHIDAO_LLM_MODEL": "qwen2.5",
                              "CHIDAO_LLM_API_KEY": "s", "CHIDAO_LLM_TIMEOUT": "5"})
    assert cfg == LLMConfig("http://h:11434/v1/chat/completions", "qwen2.5", "s", 5.0)


def test_generation_is_off_without_the_env(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHIDAO_LLM_URL", raising=False)
    a = answer_question(index, QUESTION)
    assert a.generated is None and a.generation_note is None


def test_generation_turns_on_with_the_env(server: _Server, index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    server.reply = _quote_first
    monkeypatch.setenv("CHIDAO_LLM_URL", server.url)
    a = answer_question(index, QUESTION)
    assert a.generated is not None and len(server.requests) == 1


_P = [Passage("c1", "d", ("4. Sở Y tế:",), "Chủ trì tổ chức tiêm vắc-xin cho 95% dân số trước ngày 30/9/2021.", 1.0),
      Passage("c2", "d", (), "Sở Tài chính bố trí kinh phí 12 tỷ đồng.", 0.5)]


@pytest.mark.parametrize(("answer", "reason"), [
    ("Sở Y tế chủ trì tiêm vắc-xin cho 95% dân số trước ngày 30/9/2021 [1]. Kinh phí 12 tỷ đồng [2].", None),
    ("Sở Y tế chủ trì tiêm vắc-xin. Hạn là trước ngày 30/9/2021 [1].", None),  # the next sentence's citation
    ("Sở Y tế chủ trì tiêm vắc-xin cho 95% dân số [1, 2].", None),
    ("Sở Y tế chủ trì tiêm vắc-xin cho 95% dân số [1-2].", None),
    ("Kinh phí 12 tỷ đồng [1-3].", "trích dẫn [3] không có trong 2 đoạn đã cho"),
    ("Sở Y tế chủ trì tiêm vắc-xin cho 95% dân số.", "câu không có trích dẫn: Sở Y tế chủ trì tiêm vắc-xin cho 95% dân số."),
    ("Kinh phí 12 tỷ đồng [3].", "trích dẫn [3] không có trong 2 đoạn đã cho"),
    ("Sở Y tế tiêm cho 90% dân số [1].", "con số 90 không có trong đoạn được trích"),
    ("Kinh phí 12 tỷ đồng [1].", "câu không khớp với đoạn [1] (0% từ có trong đoạn): Kinh phí 12 tỷ đồng."),
    ("Theo văn bản, “tiêm vắc-xin cho toàn dân” [1].",
     "câu không khớp với đoạn [1] (50% từ có trong đoạn): Theo văn bản, “tiêm vắc-xin cho toàn dân”."),
    ("Sở Y tế “chủ trì tổ chức tiêm cho dân số” [1].", "trích dẫn nguyên văn không có trong đoạn: “chủ trì tổ chức tiêm cho dân số”"),
])
def test_verify(answer: str, reason: str | None) -> None:
    check = verify(answer, _P)
    assert (check.ok, check.reason) == (reason is None, reason)
