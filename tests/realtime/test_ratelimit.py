"""The shared rate limiter: token buckets per (kind, who), and sign-in throttling on it.

Each check takes a `make(limits, clock)` that builds the limiter under test: here the
in-memory one; tests/scale/test_redis_state.py runs the same checks on Redis."""

from collections.abc import Callable

import pytest

from porch.ratelimit import (
    LIMITS,
    LOGIN_WINDOW_SECONDS,
    MAX_BUCKETS,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_IP,
    Limit,
    LoginRateLimiter,
    MemoryRateLimiter,
    RateLimiter,
    retry_after_header,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


Make = Callable[[dict[str, Limit], Clock], RateLimiter]


def memory(limits: dict[str, Limit], clock: Clock) -> RateLimiter:
    return MemoryRateLimiter(limits, clock=clock)


async def check_burst_then_refill_per_person(make: Make) -> None:
    clock = Clock()
    limiter = make({"message": Limit(burst=3, per_second=1.0)}, clock)
    assert [await limiter.allow("message", "v1") for _ in range(4)] == [True, True, True, False]
    assert await limiter.allow("message", "v2")  # someone else has their own bucket
    clock.now += 1.0
    assert await limiter.allow("message", "v1")
    assert not await limiter.allow("message", "v1")
    clock.now += 100
    assert [await limiter.allow("message", "v1") for _ in range(4)] == [True, True, True, False]


async def check_retry_after_says_when_a_token_is_back(make: Make) -> None:
    clock = Clock()
    limiter = make({"session": Limit(burst=2, per_second=0.5)}, clock)
    assert await limiter.retry_after("session", "1.2.3.4") == 0
    assert await limiter.allow("session", "1.2.3.4") and await limiter.allow("session", "1.2.3.4")
    assert not await limiter.allow("session", "1.2.3.4")
    assert await limiter.retry_after("session", "1.2.3.4") == pytest.approx(2.0)
    clock.now += 1.5
    assert await limiter.retry_after("session", "1.2.3.4") == pytest.approx(0.5)
    assert retry_after_header(0.5) == {"Retry-After": "1"}
    clock.now += 0.5
    assert await limiter.allow("session", "1.2.3.4")
    await limiter.reset("session", "1.2.3.4")
    assert await limiter.retry_after("session", "1.2.3.4") == 0


async def check_login_rate_limit_per_ip_and_email_expires(make: Make) -> None:
    clock = Clock()
    limiter = LoginRateLimiter(make(LIMITS, clock))
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert await limiter.retry_after("1.2.3.4", "A@x.io") == 0
        await limiter.record_failure("1.2.3.4", "a@x.io")
    assert 0 < await limiter.retry_after("1.2.3.4", " a@X.io ") <= LOGIN_WINDOW_SECONDS
    assert await limiter.retry_after("5.6.7.8", "a@x.io") == 0
    assert await limiter.retry_after("1.2.3.4", "b@x.io") == 0
    clock.now += LOGIN_WINDOW_SECONDS
    assert await limiter.retry_after("1.2.3.4", "a@x.io") == 0


async def check_login_rate_limit_per_ip_across_emails_and_success_resets_account(
    make: Make,
) -> None:
    limiter = LoginRateLimiter(make(LIMITS, Clock()))
    for n in range(MAX_FAILURES_PER_IP):
        await limiter.record_failure("9.9.9.9", f"user{n}@x.io")
    assert await limiter.retry_after("9.9.9.9", "new@x.io") > 0
    other = LoginRateLimiter(make(LIMITS, Clock()))
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        await other.record_failure("1.1.1.1", "a@x.io")
    await other.record_success("1.1.1.1", "a@x.io")
    await other.record_failure("1.1.1.1", "a@x.io")
    assert await other.retry_after("1.1.1.1", "a@x.io") == 0


CHECKS = [
    check_burst_then_refill_per_person,
    check_retry_after_says_when_a_token_is_back,
    check_login_rate_limit_per_ip_and_email_expires,
    check_login_rate_limit_per_ip_across_emails_and_success_resets_account,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
async def test_in_memory(check: Callable[[Make], object]) -> None:
    await check(memory)  # type: ignore[misc]


async def test_memory_stays_bounded_under_distinct_keys() -> None:
    limiter = MemoryRateLimiter({"session": Limit(burst=1, per_second=0.001)}, clock=Clock())
    for n in range(MAX_BUCKETS + 10):
        assert await limiter.allow("session", f"ip-{n}")
    assert len(limiter._buckets) <= MAX_BUCKETS
