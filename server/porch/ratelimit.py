"""Token buckets per (kind, who): bursts are fine, floods are refused.

In-process for now; several server processes would share buckets in Redis.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    burst: int
    per_second: float


LIMITS: dict[str, Limit] = {
    "message": Limit(burst=10, per_second=1.0),  # 10 per 10 s sustained
    "typing": Limit(burst=20, per_second=20.0),
    "page_view": Limit(burst=10, per_second=0.5),
    "visitor_update": Limit(burst=10, per_second=0.5),
    "read": Limit(burst=20, per_second=2.0),
    "operator": Limit(burst=60, per_second=20.0),
}
_MAX_BUCKETS = 10_000


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
        limit = self.limits[kind]
        now = self.clock()
        bucket = self._buckets.get((kind, who))
        if bucket is None:
            self._prune(now)
            bucket = self._buckets[(kind, who)] = _Bucket(float(limit.burst), now)
        bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.updated) * limit.per_second)
        bucket.updated = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled (they behave exactly like new ones)."""
        if len(self._buckets) < _MAX_BUCKETS:
            return
        self._buckets = {
            key: b
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.limits[key[0]].per_second
            < self.limits[key[0]].burst
        }
