"""Flow runs in storage: start, claim a step, wait, finish; frequency caps; and whether an
operator is in the visitor's conversation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.conversations.tables import conversations, messages
from porch.flows.models import Flow, Run
from porch.flows.tables import flow_runs, flows
from porch.jobs.tables import jobs

ACTIVE = ("running", "waiting")


async def insert(
    conn: AsyncConnection,
    flow: Flow,
    visitor_id: int,
    context: dict[str, Any],
    now: datetime,
    conversation_id: int | None = None,
) -> Run:
    values = {
        "flow_id": flow.id,
        "version": flow.version,
        "visitor_id": visitor_id,
        "conversation_id": conversation_id,
        "status": "running",
        "node": flow.document["start"],
        "step": 0,
        "waiting_message_id": None,
        "context": context,
        "started_at": now,
        "updated_at": now,
    }
    result = await conn.execute(flow_runs.insert().values(values))
    key = result.inserted_primary_key
    assert key is not None
    return Run(id=key[0], **values)


async def site_of(conn: AsyncConnection, flow_id: int) -> int | None:
    site_id: int | None = await conn.scalar(sa.select(flows.c.site_id).where(flows.c.id == flow_id))
    return site_id


async def get(conn: AsyncConnection, run_id: int) -> Run | None:
    row = (await conn.execute(flow_runs.select().where(flow_runs.c.id == run_id))).first()
    return Run(**row._mapping) if row else None


async def claim(conn: AsyncConnection, run: Run, node: str | None, now: datetime) -> bool:
    """Take step `run.step` at `node`; False when another worker took it (or it moved)."""
    result = await conn.execute(
        flow_runs.update()
        .where(flow_runs.c.id == run.id, flow_runs.c.step == run.step)
        .where(flow_runs.c.status.in_(ACTIVE))
        .values(step=run.step + 1, node=node, status="running", updated_at=now)
    )
    return result.rowcount == 1


async def change(conn: AsyncConnection, run_id: int, now: datetime, **values: Any) -> None:
    update = flow_runs.update().where(flow_runs.c.id == run_id)
    await conn.execute(update.values(updated_at=now, **values))


async def waiting_for(conn: AsyncConnection, visitor_id: int) -> Run | None:
    """The visitor's newest run waiting for an answer (a question or buttons)."""
    query = (
        flow_runs.select()
        .where(flow_runs.c.visitor_id == visitor_id, flow_runs.c.status == "waiting")
        .where(flow_runs.c.waiting_message_id.is_not(None))
        .order_by(flow_runs.c.id.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).first()
    return Run(**row._mapping) if row else None


async def active(conn: AsyncConnection, visitor_id: int) -> bool:
    query = sa.select(flow_runs.c.id).where(
        flow_runs.c.visitor_id == visitor_id, flow_runs.c.status.in_(ACTIVE)
    )
    return await conn.scalar(query.limit(1)) is not None


async def capped(
    conn: AsyncConnection, flow: Flow, visitor_id: int, visit_start: datetime, now: datetime
) -> bool:
    """The flow's frequency cap (default: once per visit) forbids another run now."""
    frequency = flow.document.get("frequency", {"per": "session"})
    per = frequency["per"]
    if per == "always":
        return False
    since = {
        "visitor": None,
        "session": visit_start,
        "days": now - timedelta(days=frequency.get("days", 1)),
    }[per]
    query = sa.select(flow_runs.c.id).where(
        flow_runs.c.flow_id == flow.id, flow_runs.c.visitor_id == visitor_id
    )
    if since is not None:
        query = query.where(flow_runs.c.started_at >= since)
    return await conn.scalar(query.limit(1)) is not None


async def operator_in(conn: AsyncConnection, visitor_id: int) -> bool:
    """An operator is in the visitor's open conversation (assigned, or has written in it):
    flows never interrupt them."""
    open_one = (
        await conn.execute(
            sa.select(conversations.c.id, conversations.c.assignee_id).where(
                conversations.c.visitor_id == visitor_id, conversations.c.status == "open"
            )
        )
    ).first()
    if open_one is None:
        return False
    if open_one.assignee_id is not None:
        return True
    wrote = sa.select(messages.c.id).where(
        messages.c.conversation_id == open_one.id, messages.c.author == "operator"
    )
    return await conn.scalar(wrote.limit(1)) is not None


def site_has(site_id: int, trigger_types: frozenset[str]) -> ColumnElement[bool]:
    """An enabled flow of the site starts on one of these triggers (cheap job filters)."""
    return sa.exists().where(
        flows.c.site_id == site_id,
        flows.c.enabled.is_(True),
        flows.c.trigger_type.in_(sorted(trigger_types)),
    )


async def stuck(conn: AsyncConnection, before: datetime) -> list[Run]:
    """Runs "running" (a step in hand) and unchanged since `before`."""
    query = flow_runs.select().where(
        flow_runs.c.status == "running", flow_runs.c.updated_at < before
    )
    return [Run(**row._mapping) for row in await conn.execute(query.order_by(flow_runs.c.id))]


async def step_jobs(conn: AsyncConnection, keys: list[str]) -> list[str]:
    """The statuses of the jobs with these keys (queued, running, dead; done ones are gone)."""
    query = sa.select(jobs.c.status).where(jobs.c.key.in_(keys))
    return list((await conn.scalars(query)).all())
