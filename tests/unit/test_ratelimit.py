from porch.realtime.ratelimit import Limit, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

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
