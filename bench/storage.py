"""Persisted visitor messages per second and write latency, on SQLite and on PostgreSQL.

Calls `ConversationService.send_visitor_message` (the store step of the message path: find or
reopen the conversation, insert idempotently, touch the visitor, and every installed
feature's job filters in the same transaction) from --writers concurrent
visitors, in process, no sockets. Each backend runs until --messages are stored or
--seconds pass. PostgreSQL uses a fresh database on 127.0.0.1:5432 (user postgres,
`PORCH_TEST_PG` to point elsewhere) and is reported as skipped when unreachable.

    .venv/bin/python -m bench.storage --writers 50 --messages 5000 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tests.support.databases import (
    drop_postgres_database,
    postgres_database,
    postgres_unavailable_reason,
)

from bench.harness import emit_result, note, percentile, rounded
from bench.seed import bench_config, seed
from porch.app import FEATURES, build_services
from porch.db.engine import Database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50, help="concurrent visitors")
    parser.add_argument("--messages", type=int, default=5000, help="per backend, at most")
    parser.add_argument("--seconds", type=float, default=20, help="per backend, at most")
    return parser.parse_args()


async def write_load(
    database_url: str | None, data: Path, args: argparse.Namespace
) -> dict[str, Any]:
    config = await asyncio.to_thread(bench_config, data, database_url)
    visitor_ids = (await seed(config, args.writers)).visitor_ids
    note(f"{config.database_url.split(':', 1)[0]}: {args.writers} writers")
    services = build_services(config)
    for install in FEATURES:  # every feature's reactions, as in `porch serve`
        install(services)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + args.seconds

    budget = [args.messages]  # messages not yet claimed by a writer

    async def writer(visitor_id: int) -> None:
        while budget[0] > 0 and time.monotonic() < deadline:
            budget[0] -= 1
            started = time.perf_counter()
            try:
                await services.conversations.send_visitor_message(
                    visitor_id, uuid.uuid4().hex, "hello"
                )
            except Exception as exc:  # e.g. "database is locked": counted, not fatal
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    statements = count_statements(services.db)
    started = time.perf_counter()
    try:
        await asyncio.gather(*(writer(v) for v in visitor_ids))
    finally:
        await services.db.dispose()
    elapsed = time.perf_counter() - started
    per_message = {verb: round(n / max(len(latencies), 1), 2) for verb, n in statements.items()}
    return {
        "messages": len(latencies),
        "statements_per_message": dict(sorted(per_message.items())),
        "errors": errors,
        "msgs_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": rounded(percentile(latencies, 0.50)),
        "p99_ms": rounded(percentile(latencies, 0.99)),
    }


def count_statements(db: Database) -> collections.Counter[str]:
    """SQL statements run from now on, by verb (SELECT, INSERT…), on every engine the
    message path uses (SQLite's writer thread has its own)."""
    counts: collections.Counter[str] = collections.Counter()

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counts[statement.lstrip().split(None, 1)[0].upper()] += 1

    for engine in [db.engine.sync_engine, *([db.writer.engine] if db.writer else [])]:
        sa.event.listen(engine, "before_cursor_execute", seen)
    return counts


def postgresql(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    reason = postgres_unavailable_reason()
    if reason:
        return {"skipped": reason}
    url, name = postgres_database(migrated=False)  # bench_config migrates it
    try:
        return asyncio.run(write_load(url, tmp / "pg", args))
    finally:
        drop_postgres_database(name)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        sqlite = asyncio.run(write_load(None, Path(tmp, "sqlite"), args))
        pg = postgresql(Path(tmp), args)
    emit_result(
        {
            "benchmark": "storage",
            "writers": args.writers,
            "sqlite_msgs_per_s": sqlite["msgs_per_s"],
            "sqlite_p99_ms": sqlite["p99_ms"],
            "postgresql_msgs_per_s": pg.get("msgs_per_s"),
            "postgresql_p99_ms": pg.get("p99_ms"),
            "sqlite_statements_per_message": sqlite["statements_per_message"],
            "sqlite": sqlite,
            "postgresql": pg,
        }
    )


if __name__ == "__main__":
    main()
