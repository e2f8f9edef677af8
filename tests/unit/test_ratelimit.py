"""The shared rate limiter: token buckets per (kind, who), and sign-in throttling on it."""

import pytest

from porch.ratelimit import (
    LOGIN_WINDOW_SECONDS,
    MAX_BUCKETS,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_IP,
    Limit,
    LoginRateLimiter,
    RateLimiter,
    retry_after_header,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_per_person() -> None:
    clock = Clock()
    limiter = RateLimiter({"message": Limit(burst=3, per_second=1.0)}, clock=clock)
    assert [limiter.allow("message", "v1") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("message", "v2")  # someone else has their own bucket
    clock.now += 1.0
    assert limiter.allow("message", "v1")
    assert not limiter.allow("message", "v1")
    clock.now += 100
    assert [limiter.allow("message", "v1") for _ in range(4)] == [True, True, True, False]


def test_retry_after_says_when_a_token_is_back() -> None:
    clock = Clock()
    limiter = RateLimiter({"session": Limit(burst=2, per_second=0.5)}, clock=clock)
    assert limiter.retry_after("session", "1.2.3.4") == 0
    assert limiter.allow("session", "1.2.3.4") and limiter.allow("session", "1.2.3.4")
    assert not limiter.allow("session", "1.2.3.4")
    assert limiter.retry_after("session", "1.2.3.4") == pytest.approx(2.0)
    clock.now += 1.5
    assert limiter.retry_after("session", "1.2.3.4") == pytest.approx(0.5)
    assert retry_after_header(0.5) == {"Retry-After": "1"}
    clock.now += 0.5
    assert limiter.allow("session", "1.2.3.4")
    limiter.reset("session", "1.2.3.4")
    assert limiter.retry_after("session", "1.2.3.4") == 0


def test_memory_stays_bounded_under_distinct_keys() -> None:
    limiter = RateLimiter({"session": Limit(burst=1, per_second=0.001)}, clock=Clock())
    for n in range(MAX_BUCKETS + 10):
        assert limiter.allow("session", f"ip-{n}")
    assert len(limiter._buckets) <= MAX_BUCKETS


def test_login_rate_limit_per_ip_and_email_expires() -> None:
    clock = Clock()
    limiter = LoginRateLimiter(clock)
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert limiter.retry_after("1.2.3.4", "A@x.io") == 0
        limiter.record_failure("1.2.3.4", "a@x.io")
    assert 0 < limiter.retry_after("1.2.3.4", " a@X.io ") <= LOGIN_WINDOW_SECONDS
    assert limiter.retry_after("5.6.7.8", "a@x.io") == 0
    assert limiter.retry_after("1.2.3.4", "b@x.io") == 0
    clock.now += LOGIN_WINDOW_SECONDS
    assert limiter.retry_after("1.2.3.4", "a@x.io") == 0


def test_login_rate_limit_per_ip_across_emails_and_success_resets_account() -> None:
    limiter = LoginRateLimiter(Clock())
    for n in range(MAX_FAILURES_PER_IP):
        limiter.record_failure("9.9.9.9", f"user{n}@x.io")
    assert limiter.retry_after("9.9.9.9", "new@x.io") > 0
    other = LoginRateLimiter(Clock())
    for _ in range(MAX_FAILURES_PER_ACCOUNT - 1):
        other.record_failure("1.1.1.1", "a@x.io")
    other.record_success("1.1.1.1", "a@x.io")
    other.record_failure("1.1.1.1", "a@x.io")
    assert other.retry_after("1.1.1.1", "a@x.io") == 0
