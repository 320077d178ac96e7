"""Per-client rate limit (issue 7.8): the (burst+1)-th request in a burst gets 429 with
Retry-After, other clients are unaffected, tokens come back with time, /health is exempt.
Issue 16: only a valid key buys its own bucket (random keys count against the address), and a
flood of new clients can neither evict a key holder nor reset a limited address."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.ratelimit import RateLimit, TokenBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _app(clock: Clock, per_minute: int = 6, burst: int = 3, **options: Any) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RateLimit, per_minute=per_minute, burst=burst, clock=clock, **options)

    @app.get("/search")
    def search() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


async def _statuses(app: FastAPI, n: int, ip: str = "10.0.0.1", headers: dict[str, str] | None = None) -> list[int]:
    transport = httpx.ASGITransport(app=app, client=(ip, 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return [(await client.get("/search", headers=headers or {})).status_code for _ in range(n)]


@pytest.mark.anyio
async def test_a_burst_over_the_limit_gets_429_with_retry_after() -> None:
    clock = Clock()
    app = _app(clock)
    assert await _statuses(app, 5) == [200, 200, 200, 429, 429]
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        r = await client.get("/search")
        assert r.status_code == 429
        assert r.headers["retry-after"] == "10"  # 6 per minute: one token every 10 s
        assert r.json() == {"detail": "too many requests: try again in 10 s", "hint": None}
        assert (await client.get("/health")).status_code == 200


@pytest.mark.anyio
async def test_clients_are_limited_separately_by_ip_and_by_key() -> None:
    clock = Clock()
    app = _app(clock, keys=("a", "b"))
    assert await _statuses(app, 4, ip="10.0.0.1") == [200, 200, 200, 429]
    assert await _statuses(app, 4, ip="10.0.0.2") == [200, 200, 200, 429]
    # Two keys behind the same address (an office NAT) each have their own bucket.
    assert await _statuses(app, 3, ip="10.0.0.1", headers={"X-API-Key": "a"}) == [200, 200, 200]
    assert await _statuses(app, 1, ip="10.0.0.1", headers={"Authorization": "Bearer b"}) == [200]


@pytest.mark.anyio
async def test_tokens_come_back_at_the_configured_rate() -> None:
    clock = Clock()
    app = _app(clock)
    assert await _statuses(app, 4) == [200, 200, 200, 429]
    clock.now += 9.9
    assert await _statuses(app, 1) == [429]
    clock.now += 0.1
    assert await _statuses(app, 2) == [200, 429]


@pytest.mark.anyio
async def test_no_limit_configured_lets_everything_through() -> None:
    app = FastAPI()
    app.add_middleware(RateLimit, per_minute=None)

    @app.get("/search")
    def search() -> dict[str, str]:
        return {"ok": "yes"}

    assert await _statuses(app, 50) == [200] * 50


@pytest.mark.anyio
async def test_random_keys_count_against_the_address() -> None:
    clock = Clock()
    app = _app(clock, keys=("khoa-that",))
    flood = [(await _statuses(app, 1, headers={"X-API-Key": f"ngau-nhien-{i}"}))[0] for i in range(6)]
    bearer = [(await _statuses(app, 1, headers={"Authorization": f"Bearer sai-{i}"}))[0] for i in range(2)]
    assert flood + bearer == [200, 200, 200, 429, 429, 429, 429, 429]
    # the real key, from the same address, has its own bucket
    assert await _statuses(app, 4, headers={"X-API-Key": "khoa-that"}) == [200, 200, 200, 429]


@pytest.mark.anyio
async def test_a_flood_of_new_clients_cannot_evict_a_key_or_reset_a_limited_address() -> None:
    clock = Clock()
    app = _app(clock, keys=("khoa-that",), max_clients=4)
    assert await _statuses(app, 2, ip="10.9.9.9", headers={"X-API-Key": "khoa-that"}) == [200, 200]
    assert await _statuses(app, 4, ip="10.0.0.1") == [200, 200, 200, 429]
    # 50 new addresses, each with a random key: 3 take the free places of the table, the others
    # share one overflow bucket (burst 3): nobody's bucket is dropped to make room
    flood = [(await _statuses(app, 1, ip=f"10.1.0.{i}", headers={"X-API-Key": f"r{i}"}))[0] for i in range(50)]
    assert flood == [200] * 6 + [429] * 44
    assert await _statuses(app, 1, ip="10.0.0.1") == [429]  # still limited, not forgotten
    assert await _statuses(app, 2, ip="10.9.9.9", headers={"X-API-Key": "khoa-that"}) == [200, 429]
    # once the oldest bucket is full again it is forgotten (a full bucket is a new one): a new
    # address gets its own place back
    clock.now += 30
    assert await _statuses(app, 4, ip="10.2.0.1") == [200, 200, 200, 429]


def test_bucket_table_is_bounded() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=1, clock=clock, max_clients=3)
    assert [buckets.take(f"ip:{i}") for i in range(5)] == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert len(buckets) == 3
    clock.now += 1.0
    assert buckets.take("ip:new") == 0.0 and len(buckets) == 3


def test_bucket_wait_times_are_exact() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=2, clock=clock)
    assert [buckets.take("c") for _ in range(3)] == [0.0, 0.0, 1.0]
    clock.now += 0.5
    assert buckets.take("c") == 0.5


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
