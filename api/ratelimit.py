"""Per-client rate limit for the HTTP API: a token bucket per client, 429 when it is empty.

    app.add_middleware(RateLimit, per_minute=settings.rate_limit)   # 0 or None: no limit

A client is its API key when it sends one (X-API-Key or a bearer token; a shared office NAT then
does not starve everyone behind it), else its IP address. Each client may make `burst` requests
at once (default: per_minute) and regains per_minute / 60 requests a second — the token bucket
of RFC 6585's 429 examples and of nginx's limit_req. The answer to an over-limit request is 429
with a JSON body in the API's error shape and a Retry-After header (seconds, rounded up).
`/health` is never limited (load balancers poll it). Buckets live in memory, one process.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_CLIENTS = 100_000  # buckets kept (least recently seen dropped first)
EXEMPT = frozenset({"/health"})


class TokenBuckets:
    """`take(client)` is True while `client` has a token left; tokens refill continuously."""

    def __init__(self, per_minute: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive (use no middleware for no limit)")
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, int(per_minute)))
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0.0 if the request may go ahead, else the seconds until a token is back."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens - 1.0 if not wait else tokens, now)
            if len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def client_key(scope: Scope) -> str:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    key = headers.get("x-api-key")
    auth = headers.get("authorization", "")
    if key is None and auth.lower().startswith("bearer "):
        key = auth[7:].strip()
    if key:  # never keep the key itself in memory longer than the request
        return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    client = scope.get("client")
    return "ip:" + (client[0] if client else "unknown")


class RateLimit:
    """ASGI middleware applying TokenBuckets to every HTTP request but EXEMPT paths."""

    def __init__(self, app: ASGIApp, per_minute: float | None, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute, burst, clock) if per_minute else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http" or scope.get("path") in EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_key(scope))
        if not wait:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        body = json.dumps({"detail": f"too many requests: try again in {retry} s", "hint": None},
                          ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})
