"""Per-key rate limits on the shared limiter (`porch.ratelimit`, kind `api`): a token
bucket of `PORCH_API_RATE_LIMIT` requests (default 120) refilled over a minute, in Redis
with `--redis-url` so every process spends one budget, else in this process.

Clients are told where they stand in the IETF draft headers: `RateLimit-Policy` (the
quota `q` over `w` seconds) and `RateLimit` (`r` requests left now, `t` seconds until the
bucket is full again); a refused request also gets `Retry-After`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from porch.ratelimit import Limit, RateLimiter

KIND = "api"
WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    headers: dict[str, str]


def api_limit(per_minute: int) -> Limit:
    return Limit(burst=per_minute, per_second=per_minute / WINDOW_SECONDS)


class ApiLimiter:
    def __init__(self, limiter: RateLimiter, per_minute: int) -> None:
        """Sets the `api` limit of `limiter` (the install's) to `per_minute`."""
        limiter.limits[KIND] = api_limit(per_minute)
        self.limiter = limiter
        self.policy = f'"default";q={per_minute};w={WINDOW_SECONDS}'

    async def hit(self, key_id: int) -> Verdict:
        who = str(key_id)
        allowed = await self.limiter.allow(KIND, who)
        budget = await self.limiter.budget(KIND, who)
        headers = {
            "RateLimit-Policy": self.policy,
            "RateLimit": f'"default";r={math.floor(budget.tokens)};t={math.ceil(budget.full_in)}',
        }
        if not allowed:
            per_second = self.limiter.limits[KIND].per_second
            headers["Retry-After"] = str(max(1, math.ceil((1 - budget.tokens) / per_second)))
        return Verdict(allowed, headers)
