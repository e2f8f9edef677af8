"""Who is here right now: operator sockets and status, visitor sockets.

In-process for now: with several server processes this state moves to Redis.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from porch.operators.service import Operator

OperatorStatus = Literal["online", "away"]
PING_WINDOW_SECONDS = 120.0
"""A visitor who opened a widget session this recently counts as online without a socket."""


@dataclass
class _OperatorPresence:
    operator: Operator
    status: OperatorStatus = "online"
    sids: set[str] = field(default_factory=set)


class Presence:
    def __init__(self) -> None:
        self._operators: dict[int, _OperatorPresence] = {}
        self._operator_by_sid: dict[str, int] = {}
        self._visitor_sids: dict[int, set[str]] = {}
        self._visitor_by_sid: dict[str, int] = {}
        self._pings: dict[int, float] = {}
        self._announced_online = False

    # -- operators ----------------------------------------------------------------------

    def operators_online(self) -> bool:
        return any(p.status == "online" for p in self._operators.values())

    def online_flipped(self) -> bool:
        """Whether "any operator online" changed since the last call (visitors are told)."""
        now = self.operators_online()
        flipped, self._announced_online = now != self._announced_online, now
        return flipped

    def operator_connected(self, operator: Operator, sid: str) -> None:
        entry = self._operators.setdefault(operator.id, _OperatorPresence(operator))
        entry.sids.add(sid)
        self._operator_by_sid[sid] = operator.id

    def operator_disconnected(self, sid: str) -> None:
        """An operator whose last socket closes is gone (offline), whatever their status."""
        operator_id = self._operator_by_sid.pop(sid, None)
        entry = self._operators.get(operator_id) if operator_id is not None else None
        if entry is None:
            return
        entry.sids.discard(sid)
        if not entry.sids:
            del self._operators[entry.operator.id]

    def set_status(self, operator_id: int, status: OperatorStatus) -> None:
        if operator_id in self._operators:
            self._operators[operator_id].status = status

    def operator_status(self, operator_id: int) -> str:
        entry = self._operators.get(operator_id)
        return entry.status if entry else "offline"

    def operators(self) -> list[dict[str, object]]:
        """Connected operators as `{"id", "name", "status"}`, by name."""
        entries = sorted(self._operators.values(), key=lambda p: p.operator.name)
        return [{**p.operator.to_wire(), "status": p.status} for p in entries]

    # -- visitors -----------------------------------------------------------------------

    def visitor_connected(self, visitor_id: int, sid: str) -> None:
        self._visitor_sids.setdefault(visitor_id, set()).add(sid)
        self._visitor_by_sid[sid] = visitor_id
        self._pings.pop(visitor_id, None)  # the socket says more than the ping did

    def visitor_disconnected(self, sid: str) -> int | None:
        """The visitor the socket belonged to."""
        visitor_id = self._visitor_by_sid.pop(sid, None)
        if visitor_id is None:
            return None
        sids = self._visitor_sids.get(visitor_id, set())
        sids.discard(sid)
        if not sids:
            self._visitor_sids.pop(visitor_id, None)
        return visitor_id

    def visitor_pinged(self, visitor_id: int) -> None:
        """The visitor opened a page: on the site, though maybe not connected yet."""
        if visitor_id not in self._visitor_sids:
            self._pings[visitor_id] = time.monotonic()

    def online_visitor_ids(self) -> set[int]:
        cutoff = time.monotonic() - PING_WINDOW_SECONDS
        self._pings = {vid: at for vid, at in self._pings.items() if at >= cutoff}
        return set(self._visitor_sids) | set(self._pings)
