"""The SLA and auto-close timers: jobs with a `run_at`, keyed by ticket, target and
deadline, so scheduling the same deadline twice adds one job, and a moved deadline gets
new jobs while the old ones find it gone and do nothing (`TicketService.sla_due`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from porch.jobs.queue import enqueue
from porch.tickets import sla
from porch.tickets.models import Ticket

SLA_DUE = "tickets.sla_due"
AUTO_CLOSE = "tickets.auto_close"
MESSAGE_POSTED = "tickets.message_posted"
RESOLVED_NOTICE = "tickets.resolved_notice"

Marks = tuple[datetime | None, datetime | None]
"""The soonest 80% instant and the soonest deadline of the running clocks."""


async def schedule_sla(
    conn: AsyncConnection, ticket: Ticket, settings: dict[str, Any], now: datetime
) -> Marks:
    """Timers for each running deadline of `ticket`: its warning and its breach. Returns
    the soonest of each, which the ticket stores for the SLA-state filter."""
    if ticket.sla_paused_at is not None:
        return None, None
    schedule = sla.hours(settings)
    targets = sla.targets(settings, ticket.priority)
    warnings, deadlines = [], []
    for target in sla.TARGETS:
        deadline = ticket.due(target)
        if deadline is None:
            continue
        warn = sla.warning_at(schedule, now, deadline, targets.of(target))
        await _timer(conn, ticket.id, target, "warning", deadline, warn)
        await _timer(conn, ticket.id, target, "breached", deadline, max(deadline, now))
        warnings.append(warn)
        deadlines.append(deadline)
    return min(warnings, default=None), min(deadlines, default=None)


async def schedule_resolved_notice(conn: AsyncConnection, ticket: Ticket) -> None:
    """Tell the requester the ticket is resolved (once per resolution)."""
    assert ticket.resolved_at is not None
    resolved_at = ticket.resolved_at.isoformat()
    await enqueue(
        conn,
        RESOLVED_NOTICE,
        {"ticket_id": ticket.id, "resolved_at": resolved_at},
        run_at=ticket.resolved_at,
        key=f"ticket-resolved:{ticket.id}:{resolved_at}",
    )


async def _timer(
    conn: AsyncConnection,
    ticket_id: int,
    target: str,
    outcome: str,
    deadline: datetime,
    at: datetime,
) -> None:
    due_at = deadline.isoformat()
    payload = {"ticket_id": ticket_id, "target": target, "outcome": outcome, "due_at": due_at}
    key = f"sla:{ticket_id}:{target}:{outcome}:{due_at}"
    await enqueue(conn, SLA_DUE, payload, run_at=at, key=key)


async def schedule_auto_close(
    conn: AsyncConnection, ticket: Ticket, settings: dict[str, Any]
) -> None:
    """Close a resolved ticket after the site's window, unless it is reopened first."""
    assert ticket.resolved_at is not None
    resolved_at = ticket.resolved_at.isoformat()
    await enqueue(
        conn,
        AUTO_CLOSE,
        {"ticket_id": ticket.id, "resolved_at": resolved_at},
        run_at=ticket.resolved_at + sla.auto_close_after(settings),
        key=f"ticket-close:{ticket.id}:{resolved_at}",
    )
