"""The state several processes share, against the real Redis: presence, typing drafts,
rate limits and locks. Each test uses a prefix of its own and deletes its keys after.

"Processes" here are separate `Backplane`s (each its own process id and connection) on
one prefix; tests/scale/test_two_processes.py runs real `porch serve` processes."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection

import pytest

from porch.backplane import MAX_CONNECTIONS, Backplane
from porch.conversations.drafts import RedisDrafts
from porch.locks import LockTimeout, RedisLocks
from porch.operators.service import Operator
from porch.ratelimit import Limit, RedisRateLimiter
from porch.realtime.redis_presence import RedisPresence
from tests.realtime import test_presence, test_ratelimit
from tests.realtime.test_ratelimit import CHECKS, Clock

REDIS_URL = os.environ.get("PORCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
SAM = Operator(2, "sam@example.com", "Sam")


async def _unreachable() -> str | None:
    probe = Backplane(REDIS_URL, "porch-test-probe:")
    try:
        await asyncio.wait_for(probe.redis.ping(), 3)
    except (OSError, TimeoutError, Exception) as exc:
        return f"Redis not reachable at {REDIS_URL} ({exc.__class__.__name__}: {exc})"
    finally:
        await probe.close()
    return None


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    reason = await _unreachable()
    if reason is not None:
        # CI (PORCH_REQUIRE_POSTGRES=1) has Redis too, as tests/scale/conftest.py expects
        required = ("PORCH_REQUIRE_REDIS", "PORCH_REQUIRE_POSTGRES")
        if any(os.environ.get(name) == "1" for name in required):
            pytest.fail(reason)
        pytest.skip(reason)
    prefix = f"porch-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    cleaner = Backplane(REDIS_URL, prefix)
    try:
        keys = [key async for key in cleaner.redis.scan_iter(match=prefix + "*")]
        if keys:
            await cleaner.redis.delete(*keys)
    finally:
        await cleaner.close()


@pytest.fixture
async def processes(prefix: str) -> AsyncIterator[Callable[[], Backplane]]:
    """Makes backplanes on the test's prefix, each like another process; closes them."""
    made: list[Backplane] = []

    def make() -> Backplane:
        made.append(Backplane(REDIS_URL, prefix))
        return made[-1]

    yield make
    for backplane in made:
        await backplane.close()


async def test_every_key_carries_the_prefix(
    prefix: str, processes: Callable[[], Backplane]
) -> None:
    backplane = processes()
    presence = RedisPresence(backplane)
    await presence.start(_ignore)
    await presence.visitor_connected(1, "s")
    await RedisDrafts(backplane).set(5, "hi")
    await RedisRateLimiter(backplane).allow("message", "visitor:1")
    async with RedisLocks(backplane).hold("x"):
        keys = [key async for key in backplane.redis.scan_iter(match=prefix + "*")]
        assert any(":lock:" in k for k in keys)
    assert {k.removeprefix(prefix).split(":")[0] for k in keys} >= {
        "presence",
        "draft",
        "drafts",
        "rate",
    }
    await presence.stop()


# -- presence -----------------------------------------------------------------------------


async def _ignore(visitors: Collection[int], operators: Collection[int]) -> None:
    pass


async def test_presence_behaves_as_in_one_process(processes: Callable[[], Backplane]) -> None:
    await test_presence.check_operator_online_until_the_last_socket_closes(
        RedisPresence(processes())
    )
    await test_presence.check_visitor_online_by_socket_or_recent_session(RedisPresence(processes()))


async def test_presence_is_shared_between_processes(processes: Callable[[], Backplane]) -> None:
    a, b = RedisPresence(processes()), RedisPresence(processes())
    await a.start(_ignore)
    await b.start(_ignore)
    await a.visitor_connected(7, "va")
    await b.operator_connected(test_presence.OLIVIA, "ob")
    assert await b.visitor_online(7) and await b.online_visitor_ids() == {7}
    assert await a.operators_online() and await a.operator_status(1) == "online"
    await a.operator_connected(SAM, "oa")
    await a.set_status(2, "away")
    assert [o["status"] for o in await b.operators()] == ["online", "away"]  # Olivia, Sam
    await b.visitor_connected(7, "vb")  # a second tab, on the other process
    assert await a.visitor_disconnected("va") == 7
    assert await a.visitor_online(7)  # still there through process B
    await b.visitor_disconnected("vb")
    assert not await a.visitor_online(7)
    await b.operator_disconnected("ob")
    assert not await a.operators_online()  # Sam is away, Olivia gone
    await a.stop()
    await b.stop()
    assert await b.operators() == []


async def test_a_killed_process_goes_offline_when_its_entries_expire(
    processes: Callable[[], Backplane],
) -> None:
    clock = Clock()
    a = RedisPresence(processes(), clock=clock, ttl=15)
    b = RedisPresence(processes(), clock=clock, ttl=15)
    told: list[tuple[set[int], set[int]]] = []

    async def changed(visitors: Collection[int], operators: Collection[int]) -> None:
        told.append((set(visitors), set(operators)))

    await a.beat()
    await b.start(changed)
    await a.visitor_connected(7, "v1")
    await a.operator_connected(test_presence.OLIVIA, "o1")
    await b.visitor_connected(8, "v2")
    # A is killed: it neither beats nor withdraws. B keeps beating.
    clock.now += 10
    await b.beat()
    assert told == [] and await b.visitor_online(7) and await b.operators_online()
    clock.now += 10  # past A's time
    await b.beat()
    assert told == [({7}, {1})]
    assert not await b.visitor_online(7) and not await b.operators_online()
    assert await b.visitor_online(8)  # B's own visitor stays
    await b.beat()
    assert len(told) == 1  # reaped once

    # A was only paused: on its next beat it puts its entries back and says so.
    await a.start(changed)
    assert await b.visitor_online(7) and await b.operators_online()
    assert told[-1] == ({7}, {1})
    await b.stop()
    await a.stop()


async def test_the_heartbeat_expires_a_silent_process_within_ttl_plus_heartbeat(
    processes: Callable[[], Backplane],
) -> None:
    """With real time: A's heartbeat task dies with it (cancelled, nothing withdrawn)."""
    heartbeat, ttl = 0.1, 0.4
    a = RedisPresence(processes(), heartbeat=heartbeat, ttl=ttl)
    b = RedisPresence(processes(), heartbeat=heartbeat, ttl=ttl)
    gone = asyncio.Event()

    async def changed(visitors: Collection[int], operators: Collection[int]) -> None:
        if 7 in visitors:
            gone.set()

    await a.start(_ignore)
    await b.start(changed)
    await a.visitor_connected(7, "v1")
    assert a._beating is not None
    a._beating.cancel()  # kill -9: no more beats, no clean-up
    started = time.monotonic()
    await asyncio.wait_for(gone.wait(), timeout=5)
    assert time.monotonic() - started <= ttl + heartbeat + 0.5
    assert not await b.visitor_online(7)
    await b.stop()


# -- drafts -------------------------------------------------------------------------------


async def test_drafts_are_shared_and_forgotten_everywhere(
    processes: Callable[[], Backplane],
) -> None:
    a, b = RedisDrafts(processes()), RedisDrafts(processes())
    await a.set(5, "my address is")
    await a.set(6, "hello")
    assert await b.get(5) == "my address is" and await b.conversation_ids() == [5, 6]
    await b.set(5, "   ")  # blank: forgotten
    assert await a.get(5) == "" and await a.conversation_ids() == [6]
    await a.forget(6)
    assert await b.get(6) == "" and await b.conversation_ids() == []


async def test_drafts_expire_when_nobody_types(processes: Callable[[], Backplane]) -> None:
    backplane = processes()
    drafts = RedisDrafts(backplane)
    await drafts.set(9, "half a sentence")
    ttl = await backplane.redis.ttl(backplane.key("draft", 9))
    assert 0 < ttl <= drafts.ttl
    await backplane.redis.delete(backplane.key("draft", 9))  # as if it had expired
    assert await drafts.conversation_ids() == []
    assert not await backplane.redis.sismember(backplane.key("drafts"), "9")


# -- rate limits --------------------------------------------------------------------------


def _redis_limiter(
    processes: Callable[[], Backplane],
) -> Callable[[dict[str, Limit], Clock], RedisRateLimiter]:
    def make(limits: dict[str, Limit], clock: Clock) -> RedisRateLimiter:
        # a new prefix per call: the checks each expect fresh buckets
        backplane = processes()
        backplane.prefix += f"{uuid.uuid4().hex[:6]}:"
        return RedisRateLimiter(backplane, limits, clock=clock)

    return make


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__.removeprefix("check_"))
async def test_rate_limits_behave_as_in_one_process(
    processes: Callable[[], Backplane], check: Callable[..., Awaitable[None]]
) -> None:
    await check(_redis_limiter(processes))


async def test_one_budget_across_processes(processes: Callable[[], Backplane]) -> None:
    clock = test_ratelimit.Clock()
    limits = {"message": Limit(burst=10, per_second=1.0)}
    a = RedisRateLimiter(processes(), limits, clock=clock)
    b = RedisRateLimiter(processes(), limits, clock=clock)
    allowed = [await (a if n % 2 else b).allow("message", "visitor:1") for n in range(30)]
    assert sum(allowed) == 10
    assert await a.retry_after("message", "visitor:1") == pytest.approx(1.0)
    clock.now += 2
    assert await b.allow("message", "visitor:1") and await a.allow("message", "visitor:1")
    assert not await b.allow("message", "visitor:1")


async def test_a_full_bucket_leaves_no_key_behind(processes: Callable[[], Backplane]) -> None:
    backplane = processes()
    limiter = RedisRateLimiter(backplane, {"typing": Limit(burst=2, per_second=20.0)})
    assert await limiter.allow("typing", "v")
    key = backplane.key("rate", "typing", "v")
    assert 0 < await backplane.redis.pttl(key) <= 60
    await asyncio.sleep(0.1)
    assert not await backplane.redis.exists(key)


# -- locks --------------------------------------------------------------------------------


async def test_a_lock_holds_across_processes(processes: Callable[[], Backplane]) -> None:
    a, b = RedisLocks(processes()), RedisLocks(processes())
    inside: list[str] = []
    overlaps: list[int] = []

    async def refresh(locks: RedisLocks, who: str) -> None:
        async with locks.hold("shopify.refresh:x.myshopify.com"):
            inside.append(who)
            overlaps.append(len(inside))
            await asyncio.sleep(0.05)
            inside.remove(who)

    await asyncio.gather(*(refresh(a if n % 2 else b, f"t{n}") for n in range(6)))
    assert overlaps == [1] * 6
    async with a.hold("one"), b.hold("another"):  # other names do not wait
        pass


async def test_a_dead_holders_lock_frees_after_its_lease(
    processes: Callable[[], Backplane],
) -> None:
    dead = RedisLocks(processes(), lease=0.3)
    held = dead.backplane.redis.lock(dead.backplane.key("lock", "x"), timeout=0.3)
    assert await held.acquire(blocking=False)  # taken, never released
    waiting = RedisLocks(processes(), wait=0.1)
    with pytest.raises(LockTimeout):
        async with waiting.hold("x"):
            pass
    patient = RedisLocks(processes(), wait=3)
    started = time.monotonic()
    async with patient.hold("x"):
        assert time.monotonic() - started < 1.5


async def test_more_requests_at_once_than_connections_wait_for_one(
    processes: Callable[[], Backplane],
) -> None:
    """A busy process makes more Redis requests at once than it has connections: they wait
    for one instead of failing (redis-py's default pool raised "Too many connections",
    which failed visitors' sends at saturation)."""
    limiter = RedisRateLimiter(processes())
    checks = [limiter.allow("typing", f"visitor:{n}") for n in range(4 * MAX_CONNECTIONS)]
    assert all(await asyncio.gather(*checks))
