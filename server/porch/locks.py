"""Named locks that hold across processes when there are several (`--redis-url`).

`Locks.hold(name)` is an async context manager: one holder at a time per name. In one
process that is an `asyncio.Lock` per name; with Redis it is redis-py's lock (`SET NX PX`
with a token, released by a script that checks the token) at `<prefix>lock:<name>`, with
a lease so a holder that dies cannot keep it for ever. `porch.app.build_services` picks one.
Used for the Shopify token refresh: Shopify rotates the refresh token on every use, so two
processes refreshing at once would leave one holding a dead token.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from porch.backplane import Backplane

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0
"""How long a Redis lock outlives a holder that died (longer than any refresh call)."""
WAIT_SECONDS = 60.0
"""How long `hold` waits for a Redis lock before giving up with `LockTimeout`."""


class LockTimeout(Exception):
    """The lock stayed taken longer than `WAIT_SECONDS`."""


class Locks(Protocol):
    def hold(self, name: str) -> AbstractAsyncContextManager[None]: ...


class MemoryLocks:
    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        async with self._locks[name]:
            yield


class RedisLocks:
    def __init__(
        self, backplane: Backplane, lease: float = LEASE_SECONDS, wait: float = WAIT_SECONDS
    ) -> None:
        self.backplane = backplane
        self.lease = lease
        self.wait = wait

    @asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        lock = self.backplane.redis.lock(
            self.backplane.key("lock", name),
            timeout=self.lease,
            sleep=0.05,
            blocking_timeout=self.wait,
        )
        if not await lock.acquire():
            raise LockTimeout(f"lock {name!r} still taken after {self.wait:g} s")
        try:
            yield
        finally:
            from redis.exceptions import LockError

            try:
                await lock.release()
            except LockError:  # held past its lease: someone else may have it now
                log.warning("lock %r was held longer than its %g s lease", name, self.lease)
