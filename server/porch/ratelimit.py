"""Rate limits for every edge: token buckets per (kind, who). Bursts are fine, floods are
refused, and a refused caller learns how long to wait.

One limiter serves the sockets (per visitor or operator), the widget session endpoint
(per client IP) and panel sign-in (failed attempts per IP + email and per IP).
In memory, per process: several server processes would share buckets in Redis; until
then each process counts on its own, which still bounds a flood to (processes × limit).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request


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
    # HTTP, per client IP
    "session": Limit(burst=60, per_second=1.0),  # 60 new widget sessions a minute
    "login_account": Limit(
        MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ACCOUNT / LOGIN_WINDOW_SECONDS
    ),
    "login_ip": Limit(MAX_FAILURES_PER_IP, MAX_FAILURES_PER_IP / LOGIN_WINDOW_SECONDS),
}
MAX_BUCKETS = 10_000
"""Bounds memory under a flood of distinct keys."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = LIMITS if limits is None else limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def allow(self, kind: str, who: str) -> bool:
        """Spend one token of `who`'s `kind` budget; False (nothing spent) when empty."""
        bucket = self._refilled(kind, who, create=True)
        assert bucket is not None
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def retry_after(self, kind: str, who: str) -> float:
        """Seconds until `allow` would succeed; 0 when it would now."""
        bucket = self._refilled(kind, who, create=False)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.limits[kind].per_second

    def reset(self, kind: str, who: str) -> None:
        self._buckets.pop((kind, who), None)

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


def retry_after_header(seconds: float) -> dict[str, str]:
    """`Retry-After` in whole seconds, never 0 for a refused request."""
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"


class LoginRateLimiter:
    """Sign-in throttling: too many failed attempts for one IP + email (or one IP) lock it
    out a while; only failures spend budget, and a success clears the account's."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._limiter = RateLimiter(clock=clock)

    def retry_after(self, ip: str, email: str) -> int:
        """Whole seconds until this IP may try this email again; 0 when allowed now."""
        wait = max(
            self._limiter.retry_after("login_account", _account_key(ip, email)),
            self._limiter.retry_after("login_ip", ip),
        )
        return math.ceil(wait)

    def record_failure(self, ip: str, email: str) -> None:
        self._limiter.allow("login_account", _account_key(ip, email))
        self._limiter.allow("login_ip", ip)

    def record_success(self, ip: str, email: str) -> None:
        self._limiter.reset("login_account", _account_key(ip, email))


def _account_key(ip: str, email: str) -> str:
    return f"{ip}:{email.strip().lower()}"
