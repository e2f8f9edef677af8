"""Ticket views and SLA timers at help-desk scale, on SQLite and on PostgreSQL.

Seeds --tickets tickets (default 100,000) with --messages messages (default 1,000,000)
in their conversations, straight through SQLAlchemy Core in batches (the service would
take hours; the rows are the ones it writes, deadlines and 80% marks included), then:

- p95 of each built-in view (`TicketService.list` and the counts the page shows with it)
  and of a saved view with four filters (status, priority, tag, custom field), over
  --samples runs each;
- the CPU a minute of SLA timers costs with --open open tickets (default 10,000) whose
  deadlines are spread over the next eight hours: the server's clock (a ManualClock) moves
  a minute at a time and the due timer jobs run; process CPU seconds per minute and jobs
  per minute are reported.

PostgreSQL uses a fresh database on 127.0.0.1:5432 (user postgres, `PORCH_TEST_PG` to point
elsewhere) and is reported as skipped when unreachable.

    .venv/bin/python -m bench.tickets --tickets 5000 --messages 20000 --open 500
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.support.databases import (
    drop_postgres_database,
    postgres_database,
    postgres_unavailable_reason,
)

from bench.harness import emit_result, note, percentile, rounded
from bench.seed import bench_config
from porch import realtime, tickets
from porch.app import build_services
from porch.clock import ManualClock
from porch.conversations.tables import conversations, messages
from porch.services import Services
from porch.tickets import sla, timers
from porch.tickets.models import VIEWS
from porch.tickets.queries import ticket_from_row
from porch.tickets.service import TicketService
from porch.tickets.tables import ticket_field_values
from porch.tickets.tables import tickets as tickets_table
from porch.visitors.tables import visitors

BATCH = 5_000
TAGS = ["refund", "shipping", "vip", "bug", "billing", "wholesale"]
STATUSES = ["open"] * 10 + ["pending"] * 5 + ["resolved"] * 20 + ["closed"] * 65
PRIORITIES = ["critical"] + ["high"] * 3 + ["medium"] * 10 + ["low"] * 6
FOUR_FILTERS = {
    "status": ["open"],
    "priority": ["high", "critical"],
    "tag": "refund",
    "field": {"field_id": 0, "value": "1042"},  # the field's id is filled in
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000, help="open tickets for the timers")
    parser.add_argument("--minutes", type=int, default=10, help="minutes of timers to run")
    parser.add_argument("--samples", type=int, default=50, help="runs of each view")
    parser.add_argument("--operators", type=int, default=5)
    parser.add_argument("--skip-postgres", action="store_true")
    return parser.parse_args()


async def _rows(services: Services, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        async with services.db.begin() as conn:
            await conn.execute(table.insert(), rows[start : start + BATCH])


async def _ids(services: Services, column: sa.Column[Any], where: Any = None) -> list[int]:
    query = sa.select(column).order_by(column)
    if where is not None:
        query = query.where(where)
    async with services.db.connect() as conn:
        return [int(row[0]) for row in await conn.execute(query)]


async def seed(services: Services, desk: TicketService, args: argparse.Namespace) -> dict[str, Any]:
    """A site, operators, requesters, tickets with conversations and messages."""
    rng = random.Random(42)
    now = services.clock.now()
    site = await services.sites.create("Bench desk", ["https://desk.example"])
    operator_ids = [
        (await services.operators.create(f"op{n}@desk.example", f"Op {n}", "bench-pw-1")).id
        for n in range(args.operators)
    ]
    order = await desk.catalog.add_field(site.id, "Order number", "text")
    requesters = max(1, args.tickets // 10)
    await _rows(services, visitors, [
        {"site_id": site.id, "name": f"Customer {n}", "attributes": {},
         "first_seen_at": now, "last_seen_at": now}
        for n in range(requesters)
    ])  # fmt: skip
    visitor_ids = await _ids(services, visitors.c.id, visitors.c.site_id == site.id)
    await _rows(services, conversations, [
        {"site_id": site.id, "visitor_id": visitor_ids[n % len(visitor_ids)], "status": "closed",
         "created_at": now, "last_activity_at": now, "closed_at": now}
        for n in range(args.tickets)
    ])  # fmt: skip
    conversation_ids = await _ids(services, conversations.c.id)
    per = max(1, args.messages // max(1, len(conversation_ids)))
    await _rows(services, messages, [
        {"conversation_id": conversation_ids[n // per % len(conversation_ids)],
         "client_id": f"m{n}", "author": "visitor" if n % 2 == 0 else "operator",
         "body": "Hello, about my order", "internal": False, "created_at": now}
        for n in range(args.messages)
    ])  # fmt: skip
    rows = [_ticket(rng, n, site.id, visitor_ids, conversation_ids[n], operator_ids, now)
            for n in range(args.tickets)]  # fmt: skip
    await _rows(services, tickets_table, rows)
    ticket_ids = await _ids(services, tickets_table.c.id)
    await _rows(services, ticket_field_values, [
        {"ticket_id": ticket_id, "field_id": order.id,
         "value": "1042" if n % 5 == 0 else str(10_000 + n)}
        for n, ticket_id in enumerate(ticket_ids) if n % 2 == 0
    ])  # fmt: skip
    if services.db.dialect == "postgresql":  # as autovacuum soon would; Porch never
        async with services.db.begin() as conn:  # analyzes SQLite, so neither does this
            await conn.execute(sa.text("ANALYZE"))
    return {"site_id": site.id, "operator_id": operator_ids[0], "field_id": order.id,
            "visitor_ids": visitor_ids}  # fmt: skip


def _ticket(
    rng: random.Random,
    n: int,
    site_id: int,
    visitor_ids: list[int],
    conversation_id: int | None,
    operator_ids: list[int],
    now: Any,
) -> dict[str, Any]:
    status = rng.choice(STATUSES)
    priority = rng.choice(PRIORITIES)
    created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 180))
    goal = sla.DEFAULT_TARGETS[priority]
    active = status in ("open", "pending")
    due = created + goal.resolution if active else None
    return {
        "site_id": site_id,
        "reference": 1001 + n,
        "subject": f"Request {n}",
        "description": "",
        "requester_id": visitor_ids[n % len(visitor_ids)],
        "conversation_id": conversation_id,
        "priority": priority,
        "status": status,
        "assignee_id": rng.choice([None, *operator_ids]),
        "tags": rng.sample(TAGS, rng.randint(0, 2)),
        "created_at": created,
        "updated_at": created + timedelta(minutes=rng.randint(0, 600)),
        "resolved_at": created + timedelta(hours=5) if status in ("resolved", "closed") else None,
        "resolution_due_at": due,
        "sla_due_at": due if status == "open" else None,
        "sla_warn_at": created + goal.resolution * sla.WARN_AT if status == "open" else None,
        "sla_paused_at": now if status == "pending" else None,
    }


async def timed(samples: int, work: Any) -> float | None:
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        await work()
        latencies.append((time.perf_counter() - started) * 1000)
    return rounded(percentile(latencies, 0.95))


async def views(desk: TicketService, seeded: dict[str, Any], samples: int) -> dict[str, Any]:
    operator_id = seeded["operator_id"]
    figures: dict[str, Any] = {}
    for name in VIEWS:
        figures[f"{name}_p95_ms"] = await timed(samples, lambda n=name: desk.list(n, operator_id))
    figures["counts_p95_ms"] = await timed(samples, lambda: desk.counts(operator_id))
    four = {**FOUR_FILTERS, "field": {"field_id": seeded["field_id"], "value": "1042"}}
    view = await desk.views.save(operator_id, "Four filters", four, "priority")
    figures["saved_view_4_filters_p95_ms"] = await timed(
        samples, lambda: desk.views.tickets(operator_id, view)
    )
    figures["saved_view_count_p95_ms"] = await timed(
        samples, lambda: desk.views.counts(operator_id, [view])
    )
    figures["saved_view_rows"] = len(await desk.views.tickets(operator_id, view))
    # Full-text search over subjects, messages and notes: the search feature adds its
    # figure here (search_p95_ms).
    return figures


async def sla_minute(
    services: Services, clock: ManualClock, seeded: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    """--open open tickets whose SLA timers fall over the next eight hours; CPU per minute
    of the server's clock while their timers come due."""
    rng = random.Random(7)
    now = clock.now()
    rows = []
    for n in range(args.open):
        row = _ticket(rng, 10_000_000 + n, seeded["site_id"], seeded["visitor_ids"], None, [],
                      now)  # fmt: skip
        priority = row["priority"]
        goal = sla.DEFAULT_TARGETS[priority]
        # Answered already (no first-response clock); the resolution's 80% instant falls
        # in the next eight hours, its breach after.
        created = now - goal.resolution * sla.WARN_AT + timedelta(minutes=rng.uniform(1, 480))
        row |= {"status": "open", "created_at": created, "updated_at": created,
                "resolved_at": None, "sla_paused_at": None, "first_responded_at": created,
                "resolution_due_at": created + goal.resolution}  # fmt: skip
        rows.append(row)
    await _rows(services, tickets_table, rows)
    settings: dict[str, Any] = {}
    async with services.db.begin() as conn:
        open_rows = await conn.execute(
            sa.select(tickets_table).where(tickets_table.c.reference >= 10_000_000 + 1001)
        )
        for row in open_rows.all():
            await timers.schedule_sla(conn, ticket_from_row(row), settings, now)
    await services.jobs.run_due()  # the timers already due at the start (past 80% marks)
    cpu, ran = 0.0, 0
    for _ in range(args.minutes):
        clock.advance(minutes=1)
        started = time.process_time()
        ran += await services.jobs.run_due()
        cpu += time.process_time() - started
    idle_started = time.process_time()
    for _ in range(10):
        await services.jobs.run_due()  # nothing due: one indexed look, no ticket scan
    idle = (time.process_time() - idle_started) / 10
    return {
        "open_tickets": args.open,
        "minutes": args.minutes,
        "timer_jobs_per_min": round(ran / args.minutes, 1),
        "cpu_s_per_min": round(cpu / args.minutes, 3),
        "cpu_ms_per_idle_poll": round(idle * 1000, 2),
    }


async def run(database_url: str | None, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    config = await asyncio.to_thread(bench_config, data, database_url)
    clock = ManualClock()
    services = build_services(config, clock=clock)
    realtime.install(services)
    desk = tickets.setup(services)
    backend = config.database_url.split(":", 1)[0]
    try:
        started = time.perf_counter()
        seeded = await seed(services, desk, args)
        note(f"{backend}: seeded {args.tickets} tickets, {args.messages} messages in "
             f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        figures = await views(desk, seeded, args.samples)
        note(f"{backend}: views {figures}")
        figures["sla_timers"] = await sla_minute(services, clock, seeded, args)
        note(f"{backend}: timers {figures['sla_timers']}")
        return figures
    finally:
        await services.db.dispose()


def postgresql(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    reason = postgres_unavailable_reason()
    if reason or args.skip_postgres:
        return {"skipped": reason or "--skip-postgres"}
    url, name = postgres_database(migrated=False)  # bench_config migrates it
    try:
        return asyncio.run(run(url, tmp / "pg", args))
    finally:
        drop_postgres_database(name)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        sqlite = asyncio.run(run(None, Path(tmp, "sqlite"), args))
        pg = postgresql(Path(tmp), args)
    emit_result(
        {
            "benchmark": "tickets",
            "tickets": args.tickets,
            "messages": args.messages,
            "sqlite": sqlite,
            "postgresql": pg,
        }
    )


if __name__ == "__main__":
    main()
