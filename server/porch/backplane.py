"""The Redis that several Porch processes share (`--redis-url`, docs/operations.md).

One `Backplane` per process: a Redis client, the key prefix (`--redis-prefix`, so several
installs can share one Redis) and this process's id, which presence entries carry so that
a dead process's entries can be told apart and expired. Socket.IO's own Redis connection
is `porch.realtime.managers.RedisManager`'s.

What lives in Redis, and where its code is:

- presence (sockets, operator status, pings): `porch.realtime.redis_presence`,
  keys `<prefix>presence:*`;
- typing drafts: `porch.conversations.drafts`, `<prefix>draft:<id>` and `<prefix>drafts`;
- rate limits: `porch.ratelimit`, `<prefix>rate:<kind>:<who>`;
- locks (the Shopify token refresh): `porch.locks`, `<prefix>lock:<name>`;
- Socket.IO fan-out: `porch.realtime.managers`, channels `<prefix>socketio` and
  `<prefix>socketio#<namespace>#<room>`.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis


MAX_CONNECTIONS = 64
"""Redis connections one process opens at most; more requests at once wait for one."""
CONNECTION_WAIT_SECONDS = 10.0


def shared_client(url: str, **options: Any) -> Redis:
    """A client whose pool waits for a free connection under load: redis-py's default pool
    raises "Too many connections" past its limit, which failed sends at saturation."""
    from redis.asyncio import BlockingConnectionPool, Redis

    pool = BlockingConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, timeout=CONNECTION_WAIT_SECONDS, **options
    )
    return Redis.from_pool(pool)  # owns the pool: `aclose()` closes its connections


class Backplane:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.redis: Redis = shared_client(url, decode_responses=True)
        self.process_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        """Unique per process start: entries this process owns carry it."""

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    def script(self, source: str) -> Any:
        """A Lua script run by digest (`EVALSHA`, loaded on first use)."""
        return self.redis.register_script(source)

    async def close(self) -> None:
        await self.redis.aclose()
