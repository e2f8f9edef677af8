"""The Flows page's figures per flow, read from the runs the engine keeps: times triggered,
conversations started, visitors who clicked a button or answered, goals reached (the run
went all the way to the end of its flow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from porch.conversations.tables import messages
from porch.db.engine import Database
from porch.flows.tables import flow_runs, flows

WINDOWS = (7, 30)


@dataclass(frozen=True)
class Figures:
    triggered: int = 0
    conversations: int = 0
    engaged: int = 0
    """Visitors who clicked one of the flow's buttons or answered it (wrote after it began)."""
    goals: int = 0


async def for_site(db: Database, site_id: int, now: datetime) -> dict[int, dict[int, Figures]]:
    """`{flow_id: {days: Figures}}` for each window in `WINDOWS`."""
    found: dict[int, dict[int, Figures]] = {}
    async with db.connect() as conn:
        for days in WINDOWS:
            for row in await conn.execute(_query(site_id, now - timedelta(days=days))):
                found.setdefault(row.flow_id, {})[days] = Figures(
                    int(row.triggered), int(row.conversations), int(row.engaged), int(row.goals)
                )
    return found


def _query(site_id: int, since: datetime) -> sa.Select[tuple[int, int, int, int, int]]:
    answered = (
        sa.select(messages.c.id)
        .where(
            messages.c.conversation_id == flow_runs.c.conversation_id,
            messages.c.author == "visitor",
            messages.c.created_at >= flow_runs.c.started_at,
        )
        .exists()
    )
    engaged_visitor = sa.case((answered, flow_runs.c.visitor_id), else_=None)
    goal = sa.case((flow_runs.c.status == "done", 1), else_=0)
    return (
        sa.select(
            flow_runs.c.flow_id,
            sa.func.count(flow_runs.c.id).label("triggered"),
            sa.func.count(flow_runs.c.conversation_id).label("conversations"),
            sa.func.count(sa.distinct(engaged_visitor)).label("engaged"),
            sa.func.coalesce(sa.func.sum(goal), 0).label("goals"),
        )
        .join(flows, flows.c.id == flow_runs.c.flow_id)
        .where(flows.c.site_id == site_id, flow_runs.c.started_at >= since)
        .group_by(flow_runs.c.flow_id)
    )
