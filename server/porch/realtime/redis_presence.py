"""Presence shared by several processes, in Redis (see `porch.realtime.presence`).

A socket lives in one process: which socket is whose stays in that process's memory; what
everyone must agree on is in Redis, under `<prefix>presence:`:

- `alive` (sorted set): process id → the time its entries expire. Each process renews
  its own every `heartbeat` seconds (expiry `ttl` ahead);
- `proc:<process>` (set): that process's entries, `v/<visitor>/<sid>`, `o/<operator>/<sid>`;
- `visitor:<id>` and `operator:<id>` (sets): `<process>/<sid>` of each connected socket;
- `visitors` (set): visitors with a socket somewhere; `pings` (sorted set): visitor →
  when a page view said they were here (online for `PING_WINDOW_SECONDS` without a socket);
- `operators:status`, `operators:wire` (hashes): connected operators' status and name;
- `announced`: whether visitors were last told that an operator is online.

A process killed with `kill -9` leaves its entries behind; once its `alive` time has
passed, the next heartbeat of any process removes them (one script: exactly one process
does it) and publishes who went offline, so its visitors and operators are offline within
`ttl + heartbeat` seconds. A process that was taken for dead (a pause longer than `ttl`)
puts its entries back on its next heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from porch import wire
from porch.backplane import Backplane
from porch.operators.service import Operator
from porch.realtime.presence import PING_WINDOW_SECONDS, Changed, OperatorStatus

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
TTL_SECONDS = 15.0

_VISITOR_LEFT = """
redis.call('srem', KEYS[1], ARGV[2])
redis.call('srem', KEYS[3], ARGV[3])
if redis.call('scard', KEYS[1]) == 0 then redis.call('srem', KEYS[2], ARGV[1]) end
"""
_PINGED = """
if redis.call('sismember', KEYS[1], ARGV[1]) == 0 then
  redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
end
"""
_OPERATOR_LEFT = """
redis.call('srem', KEYS[1], ARGV[2])
redis.call('srem', KEYS[4], ARGV[3])
if redis.call('scard', KEYS[1]) == 0 then
  redis.call('hdel', KEYS[2], ARGV[1])
  redis.call('hdel', KEYS[3], ARGV[1])
end
"""
_SET_STATUS = """
if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
end
"""
_REAP = """
local p, pid = ARGV[1], ARGV[2]
if redis.call('zrem', p .. 'alive', pid) == 0 then return {{}, {}} end
local visitors, operators = {}, {}
for _, m in ipairs(redis.call('smembers', p .. 'proc:' .. pid)) do
  local kind, id, sid = string.match(m, '^(%a)/(%d+)/(.+)$')
  local entry = pid .. '/' .. sid
  if kind == 'v' then
    redis.call('srem', p .. 'visitor:' .. id, entry)
    if redis.call('scard', p .. 'visitor:' .. id) == 0
       and redis.call('srem', p .. 'visitors', id) == 1 then
      table.insert(visitors, id)
    end
  elseif kind == 'o' then
    redis.call('srem', p .. 'operator:' .. id, entry)
    if redis.call('scard', p .. 'operator:' .. id) == 0 then
      redis.call('hdel', p .. 'operators:wire', id)
      if redis.call('hdel', p .. 'operators:status', id) == 1 then
        table.insert(operators, id)
      end
    end
  end
end
redis.call('del', p .. 'proc:' .. pid)
return {visitors, operators}
"""


class RedisPresence:
    def __init__(
        self,
        backplane: Backplane,
        *,
        heartbeat: float = HEARTBEAT_SECONDS,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backplane = backplane
        self.redis = backplane.redis
        self.pid = backplane.process_id
        self.prefix = backplane.key("presence:")
        self.heartbeat = heartbeat
        self.ttl = ttl
        self.clock = clock
        self._visitor_by_sid: dict[str, int] = {}
        self._operator_by_sid: dict[str, Operator] = {}
        self._statuses: dict[int, OperatorStatus] = {}
        """This process's view of its operators' status, to put back after a resync."""
        self._changed: Changed | None = None
        self._beating: asyncio.Task[None] | None = None
        self._registered = False
        self._visitor_left = backplane.script(_VISITOR_LEFT)
        self._pinged = backplane.script(_PINGED)
        self._operator_left = backplane.script(_OPERATOR_LEFT)
        self._set_status = backplane.script(_SET_STATUS)
        self._reap = backplane.script(_REAP)

    def _k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    # -- life of the process ------------------------------------------------------------

    async def start(self, changed: Changed) -> None:
        self._changed = changed
        await self.beat()
        self._beating = asyncio.create_task(self._beat_forever())

    async def stop(self) -> None:
        if self._beating is not None:
            self._beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beating
            self._beating = None
        await self.reap(self.pid)  # leave at once rather than after ttl
        self._registered = False

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                await self.beat()
            except Exception:  # Redis away for a while: try again next beat
                log.exception("presence heartbeat failed")

    async def beat(self) -> None:
        """Renew this process's entries, then remove those of processes past their time."""
        now = self.clock()
        added = await self.redis.zadd(self._k("alive"), {self.pid: now + self.ttl})
        if added and self._registered:
            await self._resync()
        self._registered = True
        dead = await self.redis.zrangebyscore(self._k("alive"), "-inf", now)
        for pid in dead:
            if pid != self.pid:
                await self.reap(str(pid))

    async def reap(self, pid: str) -> None:
        """Remove a process's entries (once, whoever calls) and say who went offline."""
        visitors, operators = await self._reap(keys=[], args=[self.prefix, pid])
        if (visitors or operators) and self._changed is not None:
            await self._changed([int(v) for v in visitors], [int(o) for o in operators])

    async def _resync(self) -> None:
        """Taken for dead and reaped while alive: put this process's sockets back."""
        log.warning("presence entries of %s expired while it ran; restoring them", self.pid)
        async with self.redis.pipeline(transaction=True) as pipe:
            for sid, visitor_id in self._visitor_by_sid.items():
                self._add_visitor(pipe, visitor_id, sid)
            for sid, operator in self._operator_by_sid.items():
                self._add_operator(pipe, operator, sid, self._statuses.get(operator.id))
            await pipe.execute()
        if self._changed is not None:
            visitors = set(self._visitor_by_sid.values())
            operators = {o.id for o in self._operator_by_sid.values()}
            await self._changed(visitors, operators)

    # -- operators ----------------------------------------------------------------------

    async def operators_online(self) -> bool:
        return "online" in await self.redis.hvals(self._k("operators:status"))

    async def online_flipped(self) -> bool:
        now = "1" if await self.operators_online() else "0"
        before = await self.redis.set(self._k("announced"), now, get=True)
        return (before or "0") != now

    def _add_operator(
        self, pipe: Any, operator: Operator, sid: str, status: OperatorStatus | None = None
    ) -> None:
        pipe.sadd(self._k("operator", operator.id), f"{self.pid}/{sid}")
        pipe.sadd(self._k("proc", self.pid), f"o/{operator.id}/{sid}")
        pipe.hset(self._k("operators:wire"), str(operator.id), json.dumps(wire.operator(operator)))
        if status is None:
            pipe.hsetnx(self._k("operators:status"), str(operator.id), "online")
        else:
            pipe.hset(self._k("operators:status"), str(operator.id), status)

    async def operator_connected(self, operator: Operator, sid: str) -> None:
        self._operator_by_sid[sid] = operator
        async with self.redis.pipeline(transaction=True) as pipe:
            self._add_operator(pipe, operator, sid)
            await pipe.execute()

    async def operator_disconnected(self, sid: str) -> int | None:
        operator = self._operator_by_sid.pop(sid, None)
        if operator is None:
            return None
        if not any(o.id == operator.id for o in self._operator_by_sid.values()):
            self._statuses.pop(operator.id, None)
        keys = [
            self._k("operator", operator.id),
            self._k("operators:status"),
            self._k("operators:wire"),
            self._k("proc", self.pid),
        ]
        args = [operator.id, f"{self.pid}/{sid}", f"o/{operator.id}/{sid}"]
        await self._operator_left(keys=keys, args=args)
        return operator.id

    async def set_status(self, operator_id: int, status: OperatorStatus) -> None:
        if any(o.id == operator_id for o in self._operator_by_sid.values()):
            self._statuses[operator_id] = status
        await self._set_status(keys=[self._k("operators:status")], args=[operator_id, status])

    async def operator_status(self, operator_id: int) -> str:
        status = await self.redis.hget(self._k("operators:status"), str(operator_id))
        return str(status) if status else "offline"

    async def operators(self) -> list[dict[str, object]]:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(self._k("operators:wire"))
            pipe.hgetall(self._k("operators:status"))
            wires, statuses = await pipe.execute()
        found = [
            {**json.loads(shape), "status": statuses[oid]}
            for oid, shape in wires.items()
            if oid in statuses
        ]
        return sorted(found, key=lambda o: str(o["name"]))

    # -- visitors -----------------------------------------------------------------------

    def _add_visitor(self, pipe: Any, visitor_id: int, sid: str) -> None:
        pipe.sadd(self._k("visitor", visitor_id), f"{self.pid}/{sid}")
        pipe.sadd(self._k("visitors"), str(visitor_id))
        pipe.sadd(self._k("proc", self.pid), f"v/{visitor_id}/{sid}")
        pipe.zrem(self._k("pings"), str(visitor_id))  # the socket says more than the ping

    async def visitor_connected(self, visitor_id: int, sid: str) -> None:
        self._visitor_by_sid[sid] = visitor_id
        async with self.redis.pipeline(transaction=True) as pipe:
            self._add_visitor(pipe, visitor_id, sid)
            await pipe.execute()

    async def visitor_disconnected(self, sid: str) -> int | None:
        visitor_id = self._visitor_by_sid.pop(sid, None)
        if visitor_id is None:
            return None
        keys = [self._k("visitor", visitor_id), self._k("visitors"), self._k("proc", self.pid)]
        args = [visitor_id, f"{self.pid}/{sid}", f"v/{visitor_id}/{sid}"]
        await self._visitor_left(keys=keys, args=args)
        return visitor_id

    async def visitor_pinged(self, visitor_id: int) -> None:
        keys = [self._k("visitors"), self._k("pings")]
        await self._pinged(keys=keys, args=[visitor_id, self.clock()])

    async def visitor_online(self, visitor_id: int) -> bool:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.sismember(self._k("visitors"), str(visitor_id))
            pipe.zscore(self._k("pings"), str(visitor_id))
            connected, pinged = await pipe.execute()
        cutoff = self.clock() - PING_WINDOW_SECONDS
        return bool(connected) or (pinged is not None and float(pinged) >= cutoff)

    async def online_visitor_ids(self) -> set[int]:
        cutoff = self.clock() - PING_WINDOW_SECONDS
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(self._k("pings"), "-inf", f"({cutoff}")
            pipe.smembers(self._k("visitors"))
            pipe.zrange(self._k("pings"), 0, -1)
            _, connected, pinged = await pipe.execute()
        return {int(v) for v in connected} | {int(v) for v in pinged}


def offline_after(heartbeat: float = HEARTBEAT_SECONDS, ttl: float = TTL_SECONDS) -> float:
    """At most how long a killed process's visitors still look online."""
    return ttl + heartbeat
