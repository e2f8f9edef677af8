"""Analytics figures: the Analytics page's queries over many conversations and reporting
events (see docs/performance.md, "Analytics").

Seeds one site with --conversations conversations spread over --days days and
--events reporting events (first responses, replies, resolutions, reopens…) with
durations, then runs each figure query of the page over the last 30 days --repeat times
and prints p50/p95 in ms. SQLite by default; --database-url for PostgreSQL (an empty
database; it is migrated).

    .venv/bin/python -m bench.analytics --conversations 100000 --events 1000000

Before and after a migration on the same data: seed and measure with the older code
against a kept database (a file URL or an empty PostgreSQL database), then run this
bench's --no-seed against it (it migrates, then measures).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from bench.harness import note
from porch.analytics import drill, figures
from porch.analytics.tables import reporting_events
from porch.app import build_services
from porch.clock import SystemClock
from porch.config import Config
from porch.conversations.tables import conversations
from porch.db.migrate import upgrade_async
from porch.visitors.tables import visitors

CHUNK = 5000
KINDS = ("first_response", "reply", "reply", "resolution", "reopen", "bot_handoff")


async def seed(config: Config, count: int, events: int, days: int) -> None:
    services = build_services(config, SystemClock())
    site = await services.sites.create("Bench", ["https://bench.example"])
    operator = await services.operators.create("bench@bench.example", "Bench", "pw-123456")
    now, rng = datetime.now(UTC), random.Random(7)
    async with services.db.begin() as conn:
        for start in range(0, count, CHUNK):
            n = min(CHUNK, count - start)
            await conn.execute(
                visitors.insert(),
                [
                    {
                        "site_id": site.id,
                        "name": "Visitor",
                        "attributes": {},
                        "first_seen_at": now,
                        "last_seen_at": now,
                    }
                ]
                * n,
            )
        ids = list(await conn.scalars(sa.select(visitors.c.id).order_by(visitors.c.id)))
        for start in range(0, count, CHUNK):
            rows = []
            for vid in ids[start : start + CHUNK]:
                at = now - timedelta(seconds=rng.uniform(0, days * 86400))
                rows.append({"site_id": site.id, "visitor_id": vid, "status": "closed",
                             "created_at": at, "last_activity_at": at})  # fmt: skip
            await conn.execute(conversations.insert(), rows)
        for start in range(0, events, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, events)):
                seconds = rng.expovariate(1 / 600)
                rows.append({
                    "key": f"bench:{i}", "site_id": site.id, "kind": KINDS[i % len(KINDS)],
                    "conversation_id": i % count + 1, "operator_id": operator.id,
                    "at": now - timedelta(seconds=rng.uniform(0, days * 86400)),
                    "seconds": seconds, "business_seconds": seconds * 0.6,
                })  # fmt: skip
            await conn.execute(reporting_events.insert(), rows)
    await services.db.dispose()


async def settle(config: Config) -> None:
    """Statistics and PostgreSQL's visibility map up to date, as autovacuum leaves a live
    database (a bulk load measured at once would read every row's heap page)."""
    services = build_services(config, SystemClock())
    async with services.db.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            await conn.exec_driver_sql("ANALYZE")
            await conn.commit()
    await services.db.dispose()


async def measure(config: Config, repeat: int) -> dict[str, tuple[float, float]]:
    services = build_services(config, SystemClock())
    now = datetime.now(UTC)
    span = figures.Span(now - timedelta(days=30), now)
    queries: dict[str, Callable[[Any], Awaitable[object]]] = {
        "volume by day": lambda c: figures.volume(c, span),
        "first response p50/p90": lambda c: figures.durations(c, span, "first_response"),
        "resolution p50/p90": lambda c: figures.durations(c, span, "resolution"),
        "whole page report": lambda c: figures.report(c, span),
        "SLA by priority": lambda c: figures.sla_by_priority(c, span),
        "workload": lambda c: figures.workload(c, span),
        "flows triggered/completed": lambda c: figures.flows(c, span),
        "drill-down (resolutions)": lambda c: drill.behind(c, span, "resolution"),
        "per-conversation CSV": lambda c: drill.per_conversation(c, span),
    }
    found = {}
    async with services.db.connect() as conn:
        for name, query in queries.items():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                await query(conn)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            found[name] = (times[len(times) // 2], p95)
    await services.db.dispose()
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10000)
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="measure the database at --database-url as it is (seeded by an earlier run), "
        "after migrating it: before/after a migration on the same data",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        config = Config(data_dir=Path(tmp), database_url=url, secret_key="bench-analytics")
        started = time.perf_counter()
        await upgrade_async(url)
        note(f"migrated in {time.perf_counter() - started:.1f}s")
        if not args.no_seed:
            started = time.perf_counter()
            await seed(config, args.conversations, args.events, args.days)
            note(f"seeded {args.conversations} conversations, {args.events} events "
                  f"in {time.perf_counter() - started:.1f}s ({url.split(':')[0]})")  # fmt: skip
        await settle(config)
        for name, (p50, p95) in (await measure(config, args.repeat)).items():
            print(f"{name:28} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
        print("(the whole page report runs every query above together)")


if __name__ == "__main__":
    asyncio.run(main())
