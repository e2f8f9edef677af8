"""Retention: once a day (a durable job that schedules the next day's run), each site
with `retention_days` loses conversations (with their messages and files), tickets, page
views and mail originals older than that, and, with `visitor_retention_days`, visitors
inactive that long with everything theirs. Time is `services.clock`'s."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porch.actors import Actor
from porch.jobs.queue import enqueue
from porch.privacy import audit, contacts

if TYPE_CHECKING:
    from porch.services import Services
    from porch.sites.models import Site

SWEEP = "privacy.retention"
EVERY = timedelta(days=1)
SYSTEM = Actor.system("Retention")


def install(services: Services) -> None:
    async def run(payload: dict[str, Any]) -> None:
        await sweep(services)
        await schedule(services, services.clock.now() + EVERY)

    async def first_run() -> None:
        await schedule(services, services.clock.now())

    services.jobs.register(SWEEP, run)
    services.on_startup.append(first_run)


async def schedule(services: Services, at: datetime) -> None:
    """One run per day: the day is the job's key, so processes starting together (or a
    run retried) schedule it once."""
    async with services.db.begin() as conn:
        await enqueue(conn, SWEEP, {}, run_at=at, key=f"{SWEEP}:{at.date().isoformat()}")
    services.jobs.notify()


async def sweep(services: Services) -> dict[int, dict[str, int]]:
    """Apply every site's retention now; what was removed, per site."""
    now = services.clock.now()
    removed: dict[int, dict[str, int]] = {}
    for site in await services.sites.all():
        files: list[str] = []
        async with services.events.transaction(services.db) as unit:
            counts = await _site(unit.conn, site, now, files)
            if counts.pop("_erased", 0):
                await unit.record(counts.pop("_event"))
            if any(counts.values()):
                await audit.record(unit.conn, now, SYSTEM, "retention.sweep", site.name,
                                   site_id=site.id, detail=counts)  # fmt: skip
                removed[site.id] = counts
        await _delete_files(services, files)
    return removed


async def _site(
    conn: AsyncConnection, site: Site, now: datetime, files: list[str]
) -> dict[str, Any]:
    from porch.attachments.tables import attachments
    from porch.conversations.tables import conversations
    from porch.email.tables import email_messages
    from porch.tickets.tables import tickets
    from porch.visitors.tables import page_views, visitors

    counts: dict[str, Any] = {}
    days = int(site.settings.get("retention_days") or 0)
    if days > 0:
        cutoff = now - timedelta(days=days)
        old = sa.select(conversations.c.id).where(
            conversations.c.site_id == site.id, conversations.c.last_activity_at < cutoff
        )
        stored = await conn.execute(
            sa.select(attachments.c.storage_key, attachments.c.thumbnail_key).where(
                attachments.c.conversation_id.in_(old)
            )
        )
        files.extend(key for row in stored for key in row if key)
        stale = tickets.delete().where(tickets.c.site_id == site.id, tickets.c.updated_at < cutoff)
        counts["tickets"] = await _delete(conn, stale)
        counts["conversations"] = await _delete(
            conn, conversations.delete().where(conversations.c.id.in_(old))
        )
        counts["page_views"] = await _delete(
            conn,
            page_views.delete().where(
                page_views.c.visitor_id.in_(
                    sa.select(visitors.c.id).where(visitors.c.site_id == site.id)
                ),
                page_views.c.created_at < cutoff,
            ),
        )
        counts["emails"] = await _delete(
            conn,
            email_messages.delete().where(
                email_messages.c.site_id == site.id, email_messages.c.created_at < cutoff
            ),
        )
    idle_days = int(site.settings.get("visitor_retention_days") or 0)
    if idle_days > 0:
        idle = list(
            await conn.scalars(
                sa.select(visitors.c.id).where(
                    visitors.c.site_id == site.id,
                    visitors.c.last_seen_at < now - timedelta(days=idle_days),
                )
            )
        )
        if idle:
            files.extend(await contacts.files_of(conn, idle))
            counts["_event"] = await contacts.erase(conn, idle)
            counts["_erased"] = 1
        counts["visitors"] = len(idle)
    return counts


async def _delete(conn: AsyncConnection, statement: Any) -> int:
    return int((await conn.execute(statement)).rowcount or 0)


async def _delete_files(services: Services, keys: list[str]) -> None:
    if services.attachments is None:
        return
    for key in keys:
        await services.attachments.storage.delete(key)
