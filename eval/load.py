"""Search under load while ingesting (issue 7.4), against a running API.

    python -m eval.load --url http://127.0.0.1:8000 --clients 50 --seconds 60 --api-key KEY

`clients` concurrent loops search (GET /search, queries from the dev set's style, with and
without diacritics and filters) for `seconds`; `uploaders` of them also upload a new directive
(POST /documents) every few seconds, so generations are swapped while searches run. Reported:
requests, errors by status (zero 5xx is the target), p50/p95/p99 latency of searches, uploads
accepted and finished, and whether every returned chunk id resolves (GET /documents/{doc_id}
lists it). Also checks that a foreign Origin gets no CORS header.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sample" / "seeds"
QUERIES = (
    "giải ngân vốn đầu tư công", "giai ngan von dau tu cong", "Sở Y tế", "phòng chống thiên tai",
    "tiêm vắc xin", "kế hoạch triển khai nhiệm vụ năm 2024", "ubnd tinh chi thi", "chuyển đổi số",
    "Công văn 1536/UBND-KTTH", "cải cách hành chính", "an toàn giao thông", "xây dựng nông thôn mới",
)
FILTERS: tuple[dict[str, str], ...] = ({}, {"province": "Kon Tum"}, {"type": "Công văn"}, {"since": "2020-01-01"})


@dataclass
class LoadReport:
    clients: int
    seconds: float
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    searches_per_s: float = 0.0
    uploads_accepted: int = 0
    uploads_done: int = 0
    uploads_failed: int = 0
    chunk_ids_checked: int = 0
    chunk_ids_unresolved: list[str] = field(default_factory=list)
    cors_foreign_origin_header: str | None = None
    transport_errors: int = 0

    def summary(self) -> str:
        return (f"{self.clients} clients x {self.seconds:.0f} s: {self.requests} requests, "
                f"{self.server_errors} 5xx, search p50 {self.p50_ms:.0f} ms p95 {self.p95_ms:.0f} ms "
                f"p99 {self.p99_ms:.0f} ms ({self.searches_per_s:.1f}/s), uploads {self.uploads_done}/"
                f"{self.uploads_accepted} indexed, {self.chunk_ids_checked} chunk ids checked, "
                f"{len(self.chunk_ids_unresolved)} unresolved, CORS header for a foreign origin: "
                f"{self.cors_foreign_origin_header!r}")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _upload_file(n: int, rng: random.Random) -> tuple[str, bytes]:
    seed = rng.choice(sorted(SEEDS.glob("*.txt")))
    text = seed.read_text(encoding="utf-8") + f"\n\nBản bổ sung thử tải số {n}: rà soát nhiệm vụ.\n"
    return f"load_{n:04d}.txt", text.encode("utf-8")


async def run(url: str, clients: int = 50, seconds: float = 60.0, uploaders: int = 2, api_key: str | None = None,
              upload_every: float = 5.0, seed: int = 0) -> LoadReport:
    report = LoadReport(clients=clients, seconds=seconds)
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    hits: set[tuple[str, str]] = set()
    jobs: list[str] = []
    limits = httpx.Limits(max_connections=clients + 10, max_keepalive_connections=clients + 10)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as http:
        r = await http.get("/search", params={"q": "Sở Y tế"}, headers={"Origin": "https://evil.example"})
        report.cors_foreign_origin_header = r.headers.get("access-control-allow-origin")
        deadline = time.monotonic() + seconds

        async def searcher(i: int) -> None:
            local = random.Random(seed * 1000 + i)
            next_upload = time.monotonic() + upload_every * local.random()
            n = 0
            while time.monotonic() < deadline:
                if i < uploaders and api_key and time.monotonic() >= next_upload:
                    n += 1
                    name, data = _upload_file(i * 10_000 + n, local)
                    try:
                        up = await http.post("/documents", files=[("files", (name, data, "text/plain"))],
                                             headers={"X-API-Key": api_key})
                        statuses[up.status_code] += 1
                        if up.status_code == 202:
                            jobs.append(up.json()["id"])
                    except httpx.HTTPError:
                        report.transport_errors += 1
                    next_upload = time.monotonic() + upload_every
                    continue
                params: dict[str, str | int] = {"q": local.choice(QUERIES), "k": 10, **local.choice(FILTERS)}
                started = time.perf_counter()
                try:
                    r = await http.get("/search", params=params)
                except httpx.HTTPError:
                    report.transport_errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
                statuses[r.status_code] += 1
                if r.status_code == 200:
                    hits.update((h["doc_id"], h["chunk_id"]) for h in r.json()["hits"])

        await asyncio.gather(*(searcher(i) for i in range(clients)))
        elapsed = seconds
        # Uploads: wait (bounded) for the jobs to finish, then check every chunk id seen resolves.
        for job in jobs:
            for _ in range(120):
                j = (await http.get(f"/jobs/{job}")).json()
                if j["status"] in ("done", "failed"):
                    report.uploads_done += j["status"] == "done"
                    report.uploads_failed += j["status"] == "failed"
                    break
                await asyncio.sleep(0.5)
        by_doc: dict[str, set[str]] = {}
        for doc_id, chunk_id in hits:
            by_doc.setdefault(doc_id, set()).add(chunk_id)
        for doc_id, chunk_ids in sorted(by_doc.items()):
            d = await http.get("/documents/" + quote(doc_id, safe=""))  # "#2": an attachment
            known = {c["chunk_id"] for c in d.json().get("chunks", [])} if d.status_code == 200 else set()
            report.chunk_ids_checked += len(chunk_ids)
            report.chunk_ids_unresolved += sorted(chunk_ids - known)
    report.requests = sum(statuses.values())
    report.statuses = {str(k): v for k, v in sorted(statuses.items())}
    report.server_errors = sum(v for k, v in statuses.items() if k >= 500)
    report.p50_ms, report.p95_ms, report.p99_ms = (round(_percentile(latencies, q) * 1000, 1) for q in (0.5, 0.95, 0.99))
    report.searches_per_s = round(len(latencies) / elapsed, 1)
    report.uploads_accepted = len(jobs)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--uploaders", type=int, default=2)
    p.add_argument("--upload-every", type=float, default=5.0)
    p.add_argument("--api-key")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    report = asyncio.run(run(args.url, args.clients, args.seconds, args.uploaders, args.api_key, args.upload_every))
    print(json.dumps(asdict(report), ensure_ascii=False, indent=2) if args.json else report.summary())
    ok = report.server_errors == 0 and not report.chunk_ids_unresolved and report.cors_foreign_origin_header is None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
