"""The web server's outer wall (pure ASGI, around every route): limits and headers.

- Request size: a declared ``Content-Length`` above the limit is answered 413 before the
  route runs, and a body that grows past it while being read is cut off; over-long
  URLs get 414. (uvicorn bounds the header block itself.)
- Rate: a token bucket per client address (``rate_per_min``, bursts of a quarter of
  it) answers 429 with ``Retry-After``; a client that tries too many unknown links
  (``bad_token_per_min``) is refused for a minute, so guessing costs time as well as
  the 256 bits.
- Headers on every answer: a strict Content-Security-Policy (no inline script, no
  other origin), ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``
  (a guest link never leaks through a Referer), no framing, and ``Cache-Control:
  no-store`` (links and photos never sit in a shared cache or the browser's history
  cache).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_URL = 2048
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy",
     b"default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; "
     b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
]


@dataclass
class Limits:
    """Per-client counters shared by the wall and the routes (which report bad links)."""

    rate_per_min: int = 120
    bad_token_per_min: int = 10
    max_body: int = 16_384
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _bad: dict[str, list[float]] = field(default_factory=dict)
    _banned: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str) -> float:
        """0 when ``client`` may go on, else seconds to wait."""
        now = self.clock()
        with self._lock:
            until = self._banned.get(client, 0.0)
            if until > now:
                return until - now
            rate = self.rate_per_min / 60.0
            burst = max(5.0, self.rate_per_min / 4.0)
            tokens, at = self._buckets.get(client, (burst, now))
            tokens = min(burst, tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[client] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:  # forget idle clients
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}
            return 0.0

    def bad_token(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            hits = [t for t in self._bad.get(client, []) if now - t < 60.0] + [now]
            self._bad[client] = hits
            if len(hits) >= self.bad_token_per_min:
                self._banned[client] = now + 60.0
                self._bad[client] = []


def _client(scope: Scope) -> str:
    c = scope.get("client")
    return str(c[0]) if c else "?"


async def _plain(send: Send, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS, *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """Wraps the app: limits first, then the route, security headers on the way out."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = _client(scope)
        scope.setdefault("state", {})
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > MAX_URL:
            await _plain(send, 414, "The address is too long.")
            return
        wait = self.limits.allow(client)
        if wait > 0:
            await _plain(send, 429, "Too many requests; try again in a moment.",
                         [(b"retry-after", str(int(wait) + 1).encode())])
            return
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit()
                                     or int(declared) > self.limits.max_body):
            await _plain(send, 413, "The request is too large.")
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limits.max_body:
                    raise _TooLarge()
            return msg

        started = False

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in msg.get("headers", [])}
                msg = dict(msg)
                msg["headers"] = [*msg.get("headers", []),
                                  *[(k, v) for k, v in SECURITY_HEADERS if k not in names]]
            await send(msg)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started:
                await _plain(send, 413, "The request is too large.")


class _TooLarge(Exception):
    pass
