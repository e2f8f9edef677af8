"""Who is here right now: operator sockets and status, visitor sockets.

`Presence` is the interface; `MemoryPresence` keeps it in this process (one process, no
Redis), `porch.realtime.redis_presence.RedisPresence` shares it between processes.
`porch.app.build_services` picks one from the configuration.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Literal, Protocol

from porch import wire
from porch.operators.service import Operator

OperatorStatus = Literal["online", "away"]
PING_WINDOW_SECONDS = 120.0
"""A visitor who opened a widget session this recently counts as online without a socket."""

Changed = Callable[[Collection[int], Collection[int]], Awaitable[None]]
"""Told `(visitor_ids, operator_ids)` whose presence changed behind the sockets' backs: a
process that died (its entries expired) or came back after being taken for dead."""


class Presence(Protocol):
    async def start(self, changed: Changed) -> None:
        """Begin keeping this process's entries alive (Redis: heartbeat and reaping)."""

    async def stop(self) -> None:
        """Withdraw this process's entries."""

    # -- operators ----------------------------------------------------------------------

    async def operators_online(self) -> bool:
        """Whether any operator, on any process, is connected with status online."""

    async def online_flipped(self) -> bool:
        """Whether "any operator online" changed since the last call (visitors are told)."""

    async def operator_connected(self, operator: Operator, sid: str) -> None: ...

    async def operator_disconnected(self, sid: str) -> int | None:
        """The operator the socket belonged to. An operator whose last socket closes is
        gone (offline), whatever their status."""

    async def set_status(self, operator_id: int, status: OperatorStatus) -> None: ...

    async def operator_status(self, operator_id: int) -> str:
        """online, away or offline."""

    async def operators(self) -> list[dict[str, object]]:
        """Connected operators as `{"id", "name", "status"}`, by name."""

    # -- visitors -----------------------------------------------------------------------

    async def visitor_connected(self, visitor_id: int, sid: str) -> None: ...

    async def visitor_disconnected(self, sid: str) -> int | None:
        """The visitor the socket belonged to."""

    async def visitor_pinged(self, visitor_id: int) -> None:
        """The visitor opened a page: on the site, though maybe not connected yet."""

    async def visitor_online(self, visitor_id: int) -> bool: ...

    async def online_visitor_ids(self) -> set[int]: ...


@dataclass
class _OperatorPresence:
    operator: Operator
    status: OperatorStatus = "online"
    sids: set[str] = field(default_factory=set)


class MemoryPresence:
    """Presence of one process, in its memory."""

    def __init__(self) -> None:
        self._operators: dict[int, _OperatorPresence] = {}
        self._operator_by_sid: dict[str, int] = {}
        self._visitor_sids: dict[int, set[str]] = {}
        self._visitor_by_sid: dict[str, int] = {}
        self._pings: dict[int, float] = {}
        self._announced_online = False

    async def start(self, changed: Changed) -> None:
        pass  # nothing outlives the process: nothing to expire

    async def stop(self) -> None:
        pass

    # -- operators ----------------------------------------------------------------------

    async def operators_online(self) -> bool:
        return any(p.status == "online" for p in self._operators.values())

    async def online_flipped(self) -> bool:
        now = await self.operators_online()
        flipped, self._announced_online = now != self._announced_online, now
        return flipped

    async def operator_connected(self, operator: Operator, sid: str) -> None:
        entry = self._operators.setdefault(operator.id, _OperatorPresence(operator))
        entry.sids.add(sid)
        self._operator_by_sid[sid] = operator.id

    async def operator_disconnected(self, sid: str) -> int | None:
        operator_id = self._operator_by_sid.pop(sid, None)
        entry = self._operators.get(operator_id) if operator_id is not None else None
        if entry is None:
            return None
        entry.sids.discard(sid)
        if not entry.sids:
            del self._operators[entry.operator.id]
        return entry.operator.id

    async def set_status(self, operator_id: int, status: OperatorStatus) -> None:
        if operator_id in self._operators:
            self._operators[operator_id].status = status

    async def operator_status(self, operator_id: int) -> str:
        entry = self._operators.get(operator_id)
        return entry.status if entry else "offline"

    async def operators(self) -> list[dict[str, object]]:
        entries = sorted(self._operators.values(), key=lambda p: p.operator.name)
        return [{**wire.operator(p.operator), "status": p.status} for p in entries]

    # -- visitors -----------------------------------------------------------------------

    async def visitor_connected(self, visitor_id: int, sid: str) -> None:
        self._visitor_sids.setdefault(visitor_id, set()).add(sid)
        self._visitor_by_sid[sid] = visitor_id
        self._pings.pop(visitor_id, None)  # the socket says more than the ping did

    async def visitor_disconnected(self, sid: str) -> int | None:
        visitor_id = self._visitor_by_sid.pop(sid, None)
        if visitor_id is None:
            return None
        sids = self._visitor_sids.get(visitor_id, set())
        sids.discard(sid)
        if not sids:
            self._visitor_sids.pop(visitor_id, None)
        return visitor_id

    async def visitor_pinged(self, visitor_id: int) -> None:
        if visitor_id not in self._visitor_sids:
            self._pings[visitor_id] = time.monotonic()

    async def visitor_online(self, visitor_id: int) -> bool:
        if visitor_id in self._visitor_sids:
            return True
        pinged = self._pings.get(visitor_id)
        return pinged is not None and pinged >= time.monotonic() - PING_WINDOW_SECONDS

    async def online_visitor_ids(self) -> set[int]:
        cutoff = time.monotonic() - PING_WINDOW_SECONDS
        self._pings = {vid: at for vid, at in self._pings.items() if at >= cutoff}
        return set(self._visitor_sids) | set(self._pings)
