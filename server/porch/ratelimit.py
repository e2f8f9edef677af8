"""Rate limits for every edge: token buckets per (kind, who). Bursts are fine, floods are
refused, and a refused caller learns how long to wait.

One limiter serves the sockets (per visitor or operator), the widget session endpoint
(per client IP), panel sign-in (failed attempts per IP + email and per IP) and the Shopify
install start (per IP); `LIMITS` below is the one place limits are defined.

`RateLimiter` is the interface; `MemoryRateLimiter` counts in this process (one process,
no Redis), `RedisRateLimiter` in Redis, so several processes share one budget: the sum of
what every process lets through is bounded by one limit, not by (processes × limit). Both
are the same token bucket (burst `burst`, refilled at `per_second`); in Redis it is kept as
GCRA, one key per bucket holding the time it will be full again, updated by one script.
(The `limits` package offers fixed, moving and sliding windows, not a token bucket: a
moving window of `burst` per `burst / per_second` seconds refills all at once a window
later instead of steadily, so a refused visitor would wait up to the whole window.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from starlette.requests import Request

if TYPE_CHECKING:
    from porch.backplane import Backplane


@dataclass(frozen=True)
class Limit:
    burst: int
    per_second: float


LOGIN_WINDOW_SECONDS = 5 * 60
MAX_FAILURES_PER_ACCOUNT = 10  # per IP + email, refilled over the window
MAX_FAILURES_PER_IP = 50  # across emails: stops spraying one password over many accounts

LIMITS: dict[str, Limit] = {
    # sockets, per person
    "message": Limit(burst=10, per_second=1.0),  # 10 per 10 s sustained
    "typing": Limit(burst=20, per_second=20.0),
    "page_view": Limit(burst=10, per_second=0.5),
    "visitor_update": Limit(burst=10, per_second=0.5),
    "read": Limit(burst=20, per_second=2.0),
    "operator": Limit(burst=60, per_second=20.0),
    "upload": Limit(burst=20, per_second=0.2),  # files, per visitor or operator
    # HTTP, per client IP
    "session": Limit(burst=60, per_second=1.0),  # 60 new widget sessions a minute
    "login_account": Limit(
        MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ACCOUNT / LOGIN_WINDOW_SECONDS
    ),
    "login_ip": Limit(MAX_FAILURES_PER_IP, MAX_FAILURES_PER_IP / LOGIN_WINDOW_SECONDS),
    # Shopify: each install start stores a state nonce, so a client cannot fill that table
    "install": Limit(burst=20, per_second=0.2),
    # REST API, per key: PORCH_API_RATE_LIMIT a minute (porch.api.limits sets it)
    "api": Limit(burst=120, per_second=2.0),
}
MAX_BUCKETS = 10_000
"""Bounds memory under a flood of distinct keys."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter(Protocol):
    limits: dict[str, Limit]

    async def allow(self, kind: str, who: str) -> bool:
        """Spend one token of `who`'s `kind` budget; False (nothing spent) when empty."""

    async def retry_after(self, kind: str, who: str) -> float:
        """Seconds until `allow` would succeed; 0 when it would now."""

    async def reset(self, kind: str, who: str) -> None: ...

    async def budget(self, kind: str, who: str) -> Budget:
        """What is left of `who`'s `kind` budget now (nothing spent)."""


@dataclass(frozen=True)
class Budget:
    tokens: float
    """Left now (at most the burst)."""
    full_in: float
    """Seconds until the bucket is full again."""


def _budget(limit: Limit, tokens: float) -> Budget:
    return Budget(tokens, max(0.0, (limit.burst - tokens) / limit.per_second))


class MemoryRateLimiter:
    """Token buckets in this process's memory."""

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = dict(LIMITS) if limits is None else limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    async def allow(self, kind: str, who: str) -> bool:
        bucket = self._refilled(kind, who, create=True)
        assert bucket is not None
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    async def retry_after(self, kind: str, who: str) -> float:
        bucket = self._refilled(kind, who, create=False)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.limits[kind].per_second

    async def reset(self, kind: str, who: str) -> None:
        self._buckets.pop((kind, who), None)

    async def budget(self, kind: str, who: str) -> Budget:
        bucket = self._refilled(kind, who, create=False)
        limit = self.limits[kind]
        return _budget(limit, float(limit.burst) if bucket is None else bucket.tokens)

    def _refilled(self, kind: str, who: str, *, create: bool) -> _Bucket | None:
        limit = self.limits[kind]
        now = self.clock()
        bucket = self._buckets.get((kind, who))
        if bucket is None:
            if not create:
                return None
            self._prune(now)
            bucket = self._buckets[(kind, who)] = _Bucket(float(limit.burst), now)
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.per_second)
        bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled (they behave exactly like new ones); if that is
        not enough, the oldest."""
        if len(self._buckets) < MAX_BUCKETS:
            return
        self._buckets = {
            key: b
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.limits[key[0]].per_second
            < self.limits[key[0]].burst
        }
        while len(self._buckets) >= MAX_BUCKETS:
            del self._buckets[next(iter(self._buckets))]


_GCRA = """
local now, burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local interval = 1 / rate
local full_at = tonumber(redis.call('get', KEYS[1]) or '0')
if full_at < now then full_at = now end
if ARGV[4] == 'state' then return tostring(full_at - now) end
local wait = (full_at - now) - (burst - 1) * interval
if ARGV[4] == 'peek' or wait > 0 then return tostring(math.max(wait, 0)) end
full_at = full_at + interval
redis.call('set', KEYS[1], string.format('%.6f', full_at), 'PX',
           math.ceil((full_at - now) * 1000) + 1)
return '0'
"""
"""The token bucket as GCRA: the key holds when the bucket is full again (`full_at`);
`burst - (full_at - now) * rate` tokens are left. Spending one moves `full_at` on by
`1 / rate`; the key expires once the bucket is full (it then behaves like a new one)."""


class RedisRateLimiter:
    """Token buckets in Redis, `<prefix>rate:<kind>:<who>`, shared by every process."""

    def __init__(
        self,
        backplane: Backplane,
        limits: dict[str, Limit] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = dict(LIMITS) if limits is None else limits
        self.backplane = backplane
        self.clock = clock
        self._script = backplane.script(_GCRA)

    async def _run(self, kind: str, who: str, mode: str) -> float:
        limit = self.limits[kind]
        key = self.backplane.key("rate", kind, who)
        args = [repr(self.clock()), limit.burst, repr(limit.per_second), mode]
        return float(await self._script(keys=[key], args=args))

    async def allow(self, kind: str, who: str) -> bool:
        return await self._run(kind, who, "spend") == 0

    async def retry_after(self, kind: str, who: str) -> float:
        return await self._run(kind, who, "peek")

    async def reset(self, kind: str, who: str) -> None:
        await self.backplane.redis.delete(self.backplane.key("rate", kind, who))

    async def budget(self, kind: str, who: str) -> Budget:
        limit = self.limits[kind]
        until_full = await self._run(kind, who, "state")
        return _budget(limit, limit.burst - until_full * limit.per_second)


def retry_after_header(seconds: float) -> dict[str, str]:
    """`Retry-After` in whole seconds, never 0 for a refused request."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


class LoginRateLimiter:
    """Sign-in throttling: too many failed attempts for one IP + email (or one IP) lock it
    out a while; only failures spend budget, and a success clears the account's."""

    def __init__(self, limiter: RateLimiter) -> None:
        self._limiter = limiter

    async def retry_after(self, ip: str, email: str) -> int:
        """Whole seconds until this IP may try this email again; 0 when allowed now."""
        wait = max(
            await self._limiter.retry_after("login_account", _account_key(ip, email)),
            await self._limiter.retry_after("login_ip", ip),
        )
        return math.ceil(wait)

    async def record_failure(self, ip: str, email: str) -> None:
        await self._limiter.allow("login_account", _account_key(ip, email))
        await self._limiter.allow("login_ip", ip)

    async def record_success(self, ip: str, email: str) -> None:
        await self._limiter.reset("login_account", _account_key(ip, email))


def _account_key(ip: str, email: str) -> str:
    return f"{ip}:{email.strip().lower()}"
