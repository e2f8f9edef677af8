"""The event bus: features publish facts about the domain, other features react.

A domain function changes storage, commits, then publishes a typed event (a frozen
dataclass with a `name` such as "message.created"), shaped as a fact with ids and the
actor, not as a screen update. Two kinds of reaction:

- **Listeners** (`subscribe`, `subscribe_all`) run in-process right after the commit:
  fast, losable work such as the live fan-out to sockets. A failing listener is logged
  and never breaks the publisher or the other listeners.
- **Job subscriptions** (`enqueue_on`) are durable: while the causing transaction is
  still open, `stage` writes one job per subscription carrying the event's payload
  (`porch.jobs`), so the reaction happens at least once even if the process dies right
  after the commit. Anything slow or that must not be lost (email, webhooks, the bot,
  timers) reacts this way, never inside `publish`.

`transaction(db)` ties the two together: stage while the transaction is open, publish
once it has committed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

if TYPE_CHECKING:
    from porch.db.engine import Database

log = logging.getLogger(__name__)


class Event(Protocol):
    name: ClassVar[str]


Filter = Callable[[AsyncConnection, Any], Awaitable[bool]]
Condition = Callable[[Any], "bool | ColumnElement[bool]"]
"""Decides in Python (a bool) or names the SQL condition to read; the bus reads all of an
event's conditions in one SELECT, so busy paths pay one round trip, not one per feature."""


@dataclass(frozen=True)
class Subscription:
    """A durable reaction: a job of `kind` per matching event."""

    kind: str
    only_if: Filter | None = None
    when: Condition | None = None

    async def wants(self, conn: AsyncConnection, event: object) -> bool:
        """Whether the event needs this job, for subscriptions without a `when`."""
        return self.only_if is None or await self.only_if(conn, event)


E = TypeVar("E")
Listener = Callable[[Any], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = defaultdict(list)
        self._everything: list[Listener] = []
        self._job_kinds: dict[type | None, list[Subscription]] = defaultdict(list)
        self.jobs_committed: Callable[[], None] = lambda: None
        """To call once a transaction in which `stage` wrote jobs has committed: wakes this
        process's workers so pickup is immediate (set by the composition root)."""

    def subscribe(self, event_type: type[E], listener: Callable[[E], Awaitable[None]]) -> None:
        self._listeners[event_type].append(listener)

    def subscribe_all(self, listener: Listener) -> None:
        """Every event, after its type's own listeners (webhooks, analytics, logs)."""
        self._everything.append(listener)

    def enqueue_on(
        self,
        event_type: type | None,
        kind: str,
        only_if: Filter | None = None,
        *,
        when: Condition | None = None,
    ) -> None:
        """A job of `kind` for each event of `event_type` (None: every event), written in
        the transaction that causes it; its payload is `payload(event)`.

        A filter skips events the subscriber has no use for (say, messages in
        conversations without a ticket), so the busiest paths write no job they would not
        need. `when(event)` is the one for busy events: it answers from the event alone or
        returns a SQL condition, and every condition of one event is read in a single
        SELECT. `only_if(conn, event)` runs its own queries in the transaction, for rare
        events whose test SQL cannot say.
        """
        self._job_kinds[event_type].append(Subscription(kind, only_if, when))

    def _subscriptions(self, event: object) -> list[Subscription]:
        return [*self._job_kinds.get(type(event), ()), *self._job_kinds.get(None, ())]

    async def stage(self, conn: AsyncConnection, event: object) -> bool:
        """Write the event's jobs inside the open transaction `conn` (before commit);
        whether it wrote any."""
        subscriptions = self._subscriptions(event)
        if not subscriptions:
            return False
        # Imported here: every feature imports this module, and the jobs package's own
        # edges (its panel page) import features.
        from porch.jobs.queue import enqueue

        data: dict[str, Any] | None = None
        for subscription in await _wanted(conn, event, subscriptions):
            data = data or payload(event)
            await enqueue(conn, subscription.kind, data)
        return data is not None

    async def publish(self, event: object) -> None:
        """Run the listeners; call only after the event's transaction committed (and, if
        `stage` wrote jobs in it, after calling `jobs_committed`)."""
        for listener in [*self._listeners.get(type(event), ()), *self._everything]:
            try:
                await listener(event)
            except Exception:
                log.exception("listener %r failed on %r", listener, event)

    @asynccontextmanager
    async def transaction(self, db: Database) -> AsyncIterator[Unit]:
        """`async with bus.transaction(db) as unit:` write with `unit.conn`, `await
        unit.record(event)`; the events are staged now and published after the commit
        (and dropped if the block raises)."""
        async with db.begin() as conn:
            unit = Unit(self, conn)
            yield unit
        if unit.staged:
            self.jobs_committed()
        for event in unit.events:
            await self.publish(event)


async def _wanted(
    conn: AsyncConnection, event: object, subscriptions: list[Subscription]
) -> list[Subscription]:
    """The subscriptions that want the event, in order; the SQL conditions of all `when`
    filters are read together."""
    verdicts: dict[int, bool] = {}
    asked: dict[int, ColumnElement[bool]] = {}
    for index, subscription in enumerate(subscriptions):
        if subscription.when is None:
            verdicts[index] = await subscription.wants(conn, event)
            continue
        condition = subscription.when(event)
        if isinstance(condition, bool):
            verdicts[index] = condition
        else:
            asked[index] = condition
    if asked:
        labelled = [condition.label(f"c{index}") for index, condition in asked.items()]
        row = (await conn.execute(sa.select(*labelled))).one()
        verdicts.update({index: bool(value) for index, value in zip(asked, row, strict=True)})
    return [s for index, s in enumerate(subscriptions) if verdicts[index]]


class Unit:
    """One transaction's connection and the events it records."""

    def __init__(self, bus: EventBus, conn: AsyncConnection) -> None:
        self.bus = bus
        self.conn = conn
        self.events: list[object] = []
        self.staged = False
        """Whether any event wrote a job (workers are woken after the commit)."""

    async def record(self, event: object) -> None:
        self.staged = await self.bus.stage(self.conn, event) or self.staged
        self.events.append(event)


def payload(event: object) -> dict[str, Any]:
    """The event as JSON-ready data: `{"type": "message.created", "data": {...}}`."""
    return {"type": getattr(event, "name", type(event).__name__), "data": _plain(event)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
