"""A flow run survives the process that ran it: every step after the trigger is a job
written with its cause, so a worker that dies mid-run (its lease runs out) or an older
Porch that walked steps in memory leaves nothing "running" for good. The clock moves;
nothing sleeps."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from porch.db import claims
from porch.flows import runs
from porch.flows.models import Flow, Run
from porch.flows.tables import flow_runs
from porch.jobs.tables import jobs
from tests.flows.conftest import Shop

LEASE = 30  # seconds: the job workers' default lease


def three_messages() -> dict[str, Any]:
    return {
        "format": 1,
        "name": "Tour",
        "trigger": {"type": "first_visit"},
        "start": "one",
        "nodes": {
            "one": {"type": "message", "text": "One", "next": "pause"},
            "pause": {"type": "delay", "seconds": 60, "next": "two"},
            "two": {"type": "message", "text": "Two", "next": "three"},
            "three": {"type": "message", "text": "Three"},
        },
    }


async def a_worker_takes_the_due_jobs_and_dies(shop: Shop) -> int:
    """What a worker does before running anything: claim (lease) the due jobs. It then
    dies, so they stay "running" until the lease runs out."""
    now = shop.clock.now()
    statement = claims.claim_statement(shop.services.db.dialect, jobs)
    params = {"now": now, "locked_until": now + shop.services.jobs.settings.lease, "limit": 10}
    async with shop.services.db.begin() as conn:
        return len((await conn.execute(statement, params)).all())


async def the_run(shop: Shop, flow: Flow) -> Run:
    async with shop.services.db.connect() as conn:
        row = (await conn.execute(flow_runs.select().where(flow_runs.c.flow_id == flow.id))).one()
    return Run(**row._mapping)


async def test_a_run_whose_worker_died_between_steps_is_finished_by_another(shop: Shop) -> None:
    flow = await shop.add(three_messages())
    await shop.fire("now", flow)
    assert await shop.bodies() == [("bot", "One")]
    shop.clock.advance(seconds=61)  # the pause is over…
    assert await a_worker_takes_the_due_jobs_and_dies(shop) == 1  # …and its worker died
    await shop.settle()
    assert await shop.bodies() == [("bot", "One")]  # the lease still holds the step
    await shop.later(seconds=LEASE + 1)
    assert await shop.bodies() == [("bot", "One"), ("bot", "Two"), ("bot", "Three")]
    assert (await the_run(shop, flow)).status == "done"


async def test_a_step_begun_by_a_process_that_died_is_done_once(shop: Shop) -> None:
    flow = await shop.add(three_messages())
    await shop.fire("now", flow)
    shop.clock.advance(seconds=61)
    await a_worker_takes_the_due_jobs_and_dies(shop)
    async with shop.services.db.begin() as conn:  # it had taken the step "two" as well
        assert await runs.claim(conn, await the_run(shop, flow), "two", shop.clock.now())
    assert (await the_run(shop, flow)).status == "running"
    await shop.later(seconds=LEASE + 1)
    assert await shop.bodies() == [("bot", "One"), ("bot", "Two"), ("bot", "Three")]
    assert (await the_run(shop, flow)).status == "done"


async def test_runs_an_older_porch_left_running_are_finished_at_start_up(shop: Shop) -> None:
    flow = await shop.add(three_messages())
    facts = await shop.engine.facts(shop.visitor.id, shop.context())
    async with shop.services.db.begin() as conn:  # the step "two", walked in memory, then a crash
        run = await runs.insert(conn, flow, shop.visitor.id, facts.context(), shop.clock.now())
        assert await runs.claim(conn, run, "two", shop.clock.now())
    assert await shop.engine.recover() == 0  # a minute's grace: it may still be walking
    await shop.later(minutes=2)
    assert await shop.engine.recover() == 1
    await shop.settle()
    assert await shop.bodies() == [("bot", "Two"), ("bot", "Three")]
    assert (await the_run(shop, flow)).status == "done"
    assert await shop.engine.recover() == 0


async def test_a_run_whose_step_failed_for_good_is_stopped_at_start_up(shop: Shop) -> None:
    flow = await shop.add(three_messages())
    await shop.fire("now", flow)
    shop.clock.advance(seconds=61)
    await a_worker_takes_the_due_jobs_and_dies(shop)
    async with shop.services.db.begin() as conn:
        await runs.claim(conn, await the_run(shop, flow), "two", shop.clock.now())
        await conn.execute(jobs.update().values(status="dead"))  # its last try failed
    await shop.later(minutes=2)
    assert await shop.engine.recover() == 1
    assert (await the_run(shop, flow)).status == "stopped"
    remaining = (
        sa.select(sa.func.count()).select_from(flow_runs).where(flow_runs.c.status == "running")
    )
    async with shop.services.db.connect() as conn:
        assert await conn.scalar(remaining) == 0
