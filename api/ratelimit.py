"""Per-client rate limit for the HTTP API: a token bucket per client, 429 when it is empty.

    app.add_middleware(RateLimit, per_minute=settings.rate_limit, keys=(settings.api_key,))

A client is its API key when it sends a VALID one (X-API-Key or `Authorization: Bearer`; a shared
office NAT then does not starve the key holder behind it), else its IP address: a missing, wrong
or random key counts against the address it comes from, so inventing keys buys no new bucket.
Each client may make `burst` requests at once (default: per_minute) and regains per_minute / 60
requests a second — the token bucket of RFC 6585's 429 examples and of nginx's limit_req. The
answer to an over-limit request is 429 with a JSON body in the API's error shape and a
Retry-After header (seconds, rounded up). `/health` is never limited (load balancers poll it).

Buckets live in memory, one process, in two tables: valid keys (as many as configured keys) and
addresses (at most `max_clients`). When the address table is full, its least recently seen
bucket is dropped only if it has filled up again (a full bucket is the same as a new one);
otherwise the newcomer shares one overflow bucket. A flood of new addresses therefore never
resets a limited client nor evicts anybody: it only limits itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_CLIENTS = 100_000  # address buckets kept
OVERFLOW = "ip:(table full)"  # the bucket newcomers share while every kept bucket is in use
EXEMPT = frozenset({"/health"})


class TokenBuckets:
    """`take(client)` is True while `client` has a token left; tokens refill continuously."""

    def __init__(self, per_minute: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive (use no middleware for no limit)")
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, int(per_minute)))
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._overflow: tuple[float, float] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._buckets)

    def _refilled(self, state: tuple[float, float], now: float) -> bool:
        tokens, at = state
        return tokens + (now - at) * self.rate >= self.burst

    def take(self, client: str) -> float:
        """0.0 if the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        with self._lock:
            state = self._buckets.pop(client, None)
            overflow = False
            if state is None and len(self._buckets) >= self.max_clients:
                oldest = next(iter(self._buckets))
                if self._refilled(self._buckets[oldest], now):
                    del self._buckets[oldest]
                else:  # nobody is dropped: the newcomer shares the overflow bucket
                    overflow, state = True, self._overflow
            tokens, at = state or (self.burst, now)
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
            updated = (tokens - 1.0 if not wait else tokens, now)
            if overflow:
                self._overflow = updated
            else:
                self._buckets[client] = updated
        return wait


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key a request carries: `X-API-Key: KEY`, else `Authorization: Bearer KEY` (RFC 6750).
    `headers` looks names up in lower case (Starlette's Headers, or a dict of lower-cased names)."""
    key = headers.get("x-api-key")
    auth = headers.get("authorization") or ""
    if key is None and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    return key


def is_valid_key(given: str | None, keys: Iterable[str]) -> bool:
    """Constant-time comparison with each configured key."""
    if not given:
        return False
    raw = given.encode("utf-8")
    matches = [hmac.compare_digest(raw, k.encode("utf-8")) for k in keys]  # every key compared
    return any(matches)


def scope_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def client_key(scope: Scope, keys: Iterable[str] = ()) -> str:
    key = presented_key(scope_headers(scope))
    if key and is_valid_key(key, keys):  # never keep the key itself in memory longer than the request
        return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


async def send_error(send: Send, status: int, detail: str,
                     headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    """A complete response in the API's `Error` shape, from a pure ASGI middleware."""
    body = json.dumps({"detail": detail, "hint": None}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """ASGI middleware applying TokenBuckets to every HTTP request but EXEMPT paths."""

    def __init__(self, app: ASGIApp, per_minute: float | None, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, keys: Iterable[str] = (),
                 max_clients: int = MAX_CLIENTS) -> None:
        self.app = app
        self.keys = tuple(k for k in keys if k)
        self.buckets = TokenBuckets(per_minute, burst, clock, max_clients) if per_minute else None
        # one bucket per configured key: this table cannot grow past len(keys)
        self.key_buckets = TokenBuckets(per_minute, burst, clock, max(1, len(self.keys))) if per_minute else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http" or scope.get("path") in EXEMPT:
            await self.app(scope, receive, send)
            return
        client = client_key(scope, self.keys)
        table = self.key_buckets if client.startswith("key:") else self.buckets
        assert table is not None
        wait = table.take(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        await send_error(send, 429, f"too many requests: try again in {retry} s",
                         [(b"retry-after", str(retry).encode())])
