"""Per-key API rate limits on the shared limiter, through Redis: two processes' limiters
(here two `RedisRateLimiter`s, each on its own connection, on one prefix) spend one
budget, so several processes let through at most the limit, not the limit times the
processes."""

from __future__ import annotations

import os
import uuid

import pytest

from porch.api.limits import ApiLimiter
from porch.backplane import Backplane
from porch.ratelimit import RedisRateLimiter
from tests.scale.cluster import REDIS_URL, delete_redis_keys, redis_unavailable_reason


async def test_two_processes_share_one_budget_in_redis() -> None:
    reason = redis_unavailable_reason()
    if reason is not None:
        if os.environ.get("PORCH_REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    prefix = f"porch-test-{uuid.uuid4().hex[:8]}:"
    planes = [Backplane(REDIS_URL, prefix), Backplane(REDIS_URL, prefix)]
    first, second = (ApiLimiter(RedisRateLimiter(plane), 4) for plane in planes)
    try:
        verdicts = [await limiter.hit(7) for limiter in (first, second) * 3]
        assert [v.allowed for v in verdicts] == [True, True, True, True, False, False]
        assert verdicts[0].headers["RateLimit-Policy"] == '"default";q=4;w=60'
        assert verdicts[0].headers["RateLimit"].startswith('"default";r=3;')
        assert verdicts[3].headers["RateLimit"].startswith('"default";r=0;')
        assert int(verdicts[-1].headers["Retry-After"]) >= 1
        assert (await first.hit(8)).allowed  # another key, its own budget
    finally:
        for plane in planes:
            await plane.close()
        delete_redis_keys(prefix)
