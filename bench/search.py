"""p95 of a full-text search (porch.search) over many tickets and messages, on SQLite
(FTS5) and PostgreSQL (tsvector + GIN).

Seeds --tickets tickets (each with its conversation) and --messages messages spread over
those conversations, with words drawn from a Zipf-like vocabulary plus a few help-desk
words, straight into the tables (the FTS5 triggers and GIN indexes do their work as in
production). Then runs each query of a mix (common word, rare word, two words, a prefix,
a contact's name) --rounds times through `SearchService.search` and reports p50/p95 in ms.
The issue's target is p95 ≤ 300 ms at 100,000 tickets and 1,000,000 messages:

    .venv/bin/python -m bench.search                                  # full size
    .venv/bin/python -m bench.search --tickets 10000 --messages 100000  # while developing
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
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
from porch.conversations.tables import conversations, messages
from porch.db.engine import Database
from porch.search.models import Filters
from porch.search.service import SearchService
from porch.sites.tables import sites
from porch.tickets.tables import tickets
from porch.visitors.tables import visitors

BATCH = 5000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
DESK_WORDS = ["refund", "parcel", "invoice", "order", "broken", "delivery", "voucher", "size"]
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "do", "fa", "gu", "po", "sa"]
QUERIES = ["refund", "parcel broken", "invoice", "deliv", "{rare}", "{name}", "order voucher"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20, help="runs of each query")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    return parser.parse_args()


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return sorted(words)


class Writer:
    def __init__(self, rng: random.Random, words: list[str]) -> None:
        self.rng = rng
        self.words = words
        self.weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like

    def sentence(self, n: int) -> str:
        picked = self.rng.choices(self.words, self.weights, k=n)
        if self.rng.random() < 0.3:
            picked[self.rng.randrange(n)] = self.rng.choice(DESK_WORDS)
        return " ".join(picked).capitalize()


async def insert_batches(db: Database, table: Any, rows: Any, total: int, what: str) -> None:
    done, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            async with db.begin() as conn:
                await conn.execute(table.insert(), batch)
            done += len(batch)
            batch = []
            if done % (BATCH * 20) == 0:
                note(f"  {what}: {done:,}/{total:,}")
    if batch:
        async with db.begin() as conn:
            await conn.execute(table.insert(), batch)


async def seed(db: Database, args: argparse.Namespace, rng: random.Random) -> dict[str, str]:
    writer = Writer(rng, vocabulary(rng))
    people = max(1, args.tickets // 5)
    async with db.begin() as conn:
        await conn.execute(
            sites.insert().values(
                id=1,
                key="bench",
                name="Bench",
                allowed_origins=[],
                settings={},
                identity_secret="s",
                created_at=T0,
            )
        )
    at = [T0 + timedelta(minutes=i) for i in range(1440)]
    tail = writer.words[len(writer.words) // 2 :]  # names are rarer than everyday words
    names = [f"{rng.choice(tail)} {rng.choice(tail)}".title() for _ in range(people)]
    await insert_batches(
        db,
        visitors,
        (
            {
                "id": i + 1,
                "site_id": 1,
                "name": names[i],
                "email": f"p{i}@mail.example",
                "attributes": {},
                "first_seen_at": T0,
                "last_seen_at": rng.choice(at),
            }
            for i in range(people)
        ),
        people,
        "visitors",
    )
    await insert_batches(
        db,
        conversations,
        (
            {
                "id": i + 1,
                "site_id": 1,
                "visitor_id": i % people + 1,
                "status": "open" if i % people == i else "closed",
                "created_at": T0,
                "last_activity_at": rng.choice(at),
            }
            for i in range(args.tickets)
        ),
        args.tickets,
        "conversations",
    )
    await insert_batches(
        db,
        tickets,
        (
            {
                "id": i + 1,
                "site_id": 1,
                "reference": 1001 + i,
                "subject": writer.sentence(5),
                "description": writer.sentence(20),
                "requester_id": i % people + 1,
                "conversation_id": i + 1,
                "priority": rng.choice(["high", "medium", "low"]),
                "status": rng.choice(["open", "pending", "resolved", "closed"]),
                "tags": [],
                "created_at": T0,
                "updated_at": rng.choice(at),
            }
            for i in range(args.tickets)
        ),
        args.tickets,
        "tickets",
    )
    await insert_batches(
        db,
        messages,
        (
            {
                "conversation_id": i % args.tickets + 1,
                "client_id": f"m{i}",
                "author": rng.choice(["visitor", "operator"]),
                "body": writer.sentence(12),
                "internal": False,
                "created_at": rng.choice(at),
            }
            for i in range(args.messages)
        ),
        args.messages,
        "messages",
    )
    return {"rare": writer.words[-1], "name": names[0].split()[0].lower()}


async def measure(url: str | None, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    config = await asyncio.to_thread(bench_config, data, url)
    db = Database(config.database_url)
    try:
        started = time.perf_counter()
        words = await seed(db, args, random.Random(42))
        seeded_s = time.perf_counter() - started
        async with db.begin() as conn:  # table statistics, as autovacuum / a deploy keeps them
            await conn.execute(sa.text("ANALYZE"))
        note(f"seeded in {seeded_s:.0f} s; searching")
        search = SearchService(db)
        timings: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for query in QUERIES:
                text = query.format(**words)
                for label, filters in (("all", Filters()), ("tickets", Filters(kinds=("ticket",)))):
                    t = time.perf_counter()
                    await search.search(text, filters)
                    timings.setdefault(label, []).append((time.perf_counter() - t) * 1000)
                    timings.setdefault(f"{label}:{query}", []).append(timings[label][-1])
    finally:
        await db.dispose()
    return {
        "seed_s": round(seeded_s),
        "p50_ms": rounded(percentile(timings["all"], 0.5)),
        "p95_ms": rounded(percentile(timings["all"], 0.95)),
        "tickets_only_p95_ms": rounded(percentile(timings["tickets"], 0.95)),
        "per_query_p95_ms": {
            k.split(":", 1)[1]: rounded(percentile(v, 0.95))
            for k, v in timings.items()
            if k.startswith("all:")
        },
    }


def postgresql(tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    reason = postgres_unavailable_reason()
    if reason:
        return {"skipped": reason}
    url, name = postgres_database(migrated=False)
    try:
        return asyncio.run(measure(url, tmp / "pg", args))
    finally:
        drop_postgres_database(name)


def main() -> None:
    args = parse_args()
    figures: dict[str, Any] = {"benchmark": "search", "tickets": args.tickets}
    figures["messages"] = args.messages
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        if args.backend in ("sqlite", "both"):
            note("sqlite")
            figures["sqlite"] = asyncio.run(measure(None, Path(tmp, "sqlite"), args))
        if args.backend in ("postgres", "both"):
            note("postgresql")
            figures["postgresql"] = postgresql(Path(tmp), args)
    emit_result(figures)


if __name__ == "__main__":
    main()
