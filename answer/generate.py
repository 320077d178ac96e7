"""Optional generated answers from an OpenAI-compatible chat endpoint, every citation verified.

Off by default. Set `CHIDAO_LLM_URL` (a local vLLM, llama.cpp server or Ollama: the base URL,
e.g. http://127.0.0.1:8000/v1, or the full .../chat/completions URL) and optionally
`CHIDAO_LLM_MODEL`, `CHIDAO_LLM_API_KEY`, `CHIDAO_LLM_TIMEOUT` (seconds, default 30).

The model sees the retrieved passages numbered [1]..[n] and is told to answer from them only,
citing them by number. Its answer is accepted only when `verify` passes:
- it cites at least one passage, and every cited number is in 1..n;
- every sentence is backed by a citation (its own, or the next cited sentence's in the same
  paragraph) and at least SUPPORT of its content words (folded, as `answer.extract.terms`) occur
  in the passages it cites; numbers must all occur there;
- text quoted in “...” or "..." is found verbatim (normalised) in a cited passage.
Otherwise the answer is rejected and the caller keeps the extractive one; the note says why.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from answer.extract import terms
from ingest.vietnamese import fold, normalize

SUPPORT = 0.7  # share of a sentence's content words that must occur in the passages it cites
NO_ANSWER = "KHONG_TRA_LOI_DUOC"

SYSTEM_PROMPT = (
    "Bạn là trợ lý tra cứu văn bản chỉ đạo của UBND và Tỉnh ủy các tỉnh. Chỉ trả lời dựa trên các đoạn "
    "văn bản được đánh số bên dưới, không dùng hiểu biết bên ngoài, không suy đoán. Trả lời ngắn gọn bằng "
    "tiếng Việt. Sau mỗi câu, ghi số đoạn làm căn cứ trong ngoặc vuông, ví dụ [1] hoặc [2][3]. Giữ nguyên "
    "số liệu, ngày tháng, tên cơ quan như trong đoạn văn. Nếu các đoạn không trả lời được câu hỏi, chỉ "
    f"viết đúng một dòng: {NO_ANSWER}"
)


class PassageLike(Protocol):
    """What the generator needs of a passage (answer.qa.Passage has it)."""

    @property
    def text(self) -> str: ...
    @property
    def section_path(self) -> tuple[str, ...]: ...
    @property
    def number(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...


@dataclass(frozen=True)
class LLMConfig:
    url: str  # full chat/completions URL
    model: str = "default"
    api_key: str | None = None
    timeout: float = 30.0
    max_tokens: int = 512

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMConfig | None:
        env = os.environ if env is None else env
        base = (env.get("CHIDAO_LLM_URL") or "").strip()
        if not base:
            return None
        url = base.rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"CHIDAO_LLM_URL must be an http(s) URL, got {base!r}")
        if not url.endswith("/chat/completions"):
            url += "/chat/completions" if url.endswith("/v1") else "/v1/chat/completions"
        return cls(url, env.get("CHIDAO_LLM_MODEL") or "default", env.get("CHIDAO_LLM_API_KEY") or None,
                   float(env.get("CHIDAO_LLM_TIMEOUT") or 30.0))


def user_prompt(question: str, passages: Sequence[PassageLike]) -> str:
    lines = []
    for i, p in enumerate(passages, 1):
        head = " · ".join(x for x in (p.number, p.date, " > ".join(p.section_path)) if x)
        lines.append(f"[{i}] ({head})\n{p.text}" if head else f"[{i}]\n{p.text}")
    return "Các đoạn văn bản:\n\n" + "\n\n".join(lines) + f"\n\nCâu hỏi: {question}\nTrả lời:"


def chat(config: LLMConfig, messages: list[dict[str, str]]) -> str:
    """POST to the endpoint; the first choice's message content. Raises OSError/ValueError on failure."""
    body = json.dumps({"model": config.model, "messages": messages, "temperature": 0,
                       "max_tokens": config.max_tokens}, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(config.url, data=body, headers=headers, method="POST")
    # the scheme is checked in LLMConfig.from_env: http(s) only, never file:
    with urllib.request.urlopen(request, timeout=config.timeout) as response:  # nosec B310
        data = json.loads(response.read().decode("utf-8"))
    try:
        return str(data["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"unexpected response shape: {str(data)[:200]}") from exc


# ---- verification --------------------------------------------------------------------------------

_CITE = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")  # [1] [1, 2] [1; 3] [1-3]
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_QUOTE = re.compile(r"[“\"]([^”\"]{4,})[”\"]")
_NUM = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str | None = None
    cited: tuple[int, ...] = ()


def _cited(sentence: str) -> list[int]:
    out: list[int] = []
    for m in _CITE.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            lo, _, hi = re.sub(r"\s", "", part).replace("–", "-").partition("-")
            out += range(int(lo), int(hi) + 1) if hi and int(hi) - int(lo) < 50 else [int(lo)] + ([int(hi)] if hi else [])
    return out


def _flat(text: str) -> str:
    return " ".join(fold(normalize(text)).lower().split())


def verify(answer: str, passages: Sequence[PassageLike]) -> Verification:
    """Check an answer's citations against the passages it was given (rules in the module doc)."""
    n = len(passages)
    texts = [_flat(" ".join(p.section_path) + " " + p.text) for p in passages]
    words = [set(terms(t)) for t in texts]
    paragraphs = [[s for s in _SENTENCE.split(par) if s.strip()] for par in answer.split("\n\n")]
    all_cited: list[int] = []
    for sentences in paragraphs:
        cites = [_cited(s) for s in sentences]
        for i, sentence in enumerate(sentences):
            own = cites[i] or next((c for c in cites[i + 1:] if c), []) or next(
                (c for c in reversed(cites[:i]) if c), [])
            content = " ".join(_CITE.sub(" ", sentence).split()).replace(" .", ".")
            sentence_words = terms(content)
            if not sentence_words:
                continue
            if not own:
                return Verification(False, f"câu không có trích dẫn: {content.strip()[:80]}")
            bad = [c for c in own if not 1 <= c <= n]
            if bad:
                return Verification(False, f"trích dẫn [{bad[0]}] không có trong {n} đoạn đã cho")
            all_cited += own
            support = set().union(*(words[c - 1] for c in own))
            shared = sum(w in support for w in sentence_words) / len(sentence_words)
            if shared < SUPPORT:
                return Verification(False, f"câu không khớp với đoạn [{']['.join(map(str, own))}] "
                                           f"({shared:.0%} từ có trong đoạn): {content.strip()[:80]}")
            cited_text = " ".join(texts[c - 1] for c in own)
            missing = [x for x in _NUM.findall(content) if x not in cited_text]
            if missing:
                return Verification(False, f"con số {missing[0]} không có trong đoạn được trích")
            for q in _QUOTE.findall(content):
                if _flat(q) not in cited_text:
                    return Verification(False, f"trích dẫn nguyên văn không có trong đoạn: “{q[:60]}”")
    if not all_cited:
        return Verification(False, "câu trả lời không trích dẫn đoạn nào")
    return Verification(True, None, tuple(dict.fromkeys(all_cited)))


# ---- the generator -------------------------------------------------------------------------------


class LLMGenerator:
    """`answer.qa.Generator` over an OpenAI-compatible endpoint. Never raises: a failure is a note."""

    def __init__(self, config: LLMConfig, max_passages: int = 6) -> None:
        self.config = config
        self.max_passages = max_passages

    def generate(self, question: str, passages: Sequence[PassageLike]) -> tuple[str | None, str | None]:
        shown = list(passages[: self.max_passages])
        messages = [{"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": user_prompt(question, shown)}]
        try:
            text = chat(self.config, messages).strip()
        except (OSError, ValueError) as exc:  # URLError, timeouts and HTTP errors are OSErrors
            return None, f"không gọi được mô hình ({type(exc).__name__}: {exc}); dùng câu trả lời trích xuất"
        if not text or NO_ANSWER in text:
            return None, "mô hình cho biết các đoạn không trả lời được câu hỏi; dùng câu trả lời trích xuất"
        check = verify(text, shown)
        if not check.ok:
            return None, f"đã loại câu trả lời sinh tự động: {check.reason}; dùng câu trả lời trích xuất"
        return text, f"câu trả lời sinh tự động, đã kiểm chứng trích dẫn {', '.join(f'[{c}]' for c in check.cited)}"


def from_env(env: Mapping[str, str] | None = None) -> LLMGenerator | None:
    """The generator configured by CHIDAO_LLM_* environment variables, or None (the default: off)."""
    config = LLMConfig.from_env(env)
    return LLMGenerator(config) if config else None
