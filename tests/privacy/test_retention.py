"""Retention: a daily job (on the services' clock) deletes a site's conversations,
tickets, page views and mail older than its `retention_days`, erases visitors inactive
for `visitor_retention_days`, writes the audit log and schedules the next day's run."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from porch.conversations.tables import conversations, messages
from porch.jobs.tables import jobs
from porch.privacy import retention
from porch.privacy.tables import audit_log
from porch.tickets.tables import tickets
from porch.visitors.tables import page_views, visitors
from tests.analytics.conftest import Desk

DAY = timedelta(days=1)


async def _count(desk: Desk, table: sa.Table) -> int:
    async with desk.services.db.connect() as conn:
        return int(await conn.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def _old_chat_with_ticket(desk: Desk) -> int:
    conversation_id = await desk.chat("Old question")
    await desk.reply(desk.olivia, conversation_id, timedelta(minutes=1))
    await desk.tickets.create_from_conversation(
        conversation_id, desk.operator(desk.olivia), "Old question", "low"
    )
    return conversation_id


async def test_a_daily_job_deletes_what_is_older_than_the_sites_retention(desk: Desk) -> None:
    await desk.services.sites.update_settings(desk.site.id, retention_days=30)
    await _old_chat_with_ticket(desk)
    await retention.schedule(desk.services, desk.clock.now())
    await desk.run_due()  # day 0: nothing is old yet
    assert await _count(desk, conversations) == 1

    desk.clock.advance(31 * DAY)
    recent = await desk.chat("A new question")
    async with desk.services.db.begin() as conn:  # chats carry the wall clock: this one is new
        await conn.execute(
            conversations.update()
            .where(conversations.c.id == recent)
            .values(last_activity_at=desk.clock.now())
        )
    await desk.run_due()  # not the next run's time yet
    desk.clock.advance(DAY)  # the next day's run is due; the chat is older than 30 days
    await desk.run_due()

    async with desk.services.db.connect() as conn:
        left = list(await conn.scalars(sa.select(conversations.c.id)))
        logged = (await conn.execute(sa.select(audit_log.c.action, audit_log.c.detail))).all()
        scheduled = list(
            await conn.scalars(sa.select(jobs.c.run_at).where(jobs.c.kind == retention.SWEEP))
        )
    assert left == [recent]
    assert await _count(desk, tickets) == 0
    assert await _count(desk, messages) == 1  # the new chat's message only
    swept = [detail for action, detail in logged if action == "retention.sweep"]
    assert len(swept) == 1  # the first day's run removed nothing: no entry
    assert swept[0]["conversations"] == 1 and swept[0]["tickets"] == 1
    assert [at.date() for at in scheduled] == [(desk.clock.now() + DAY).date()]


async def test_inactive_visitors_are_erased_and_zero_keeps_everything(desk: Desk) -> None:
    await _old_chat_with_ticket(desk)
    desk.clock.advance(400 * DAY)
    await retention.sweep(desk.services)  # no retention set: nothing goes
    assert await _count(desk, visitors) == 1

    await desk.services.sites.update_settings(desk.site.id, visitor_retention_days=365)
    removed = await retention.sweep(desk.services)
    assert removed[desk.site.id]["visitors"] == 1
    for table in (visitors, conversations, messages, tickets, page_views):
        assert await _count(desk, table) == 0
