"""What a routing decision costs, on SQLite and PostgreSQL: the time from a routing job's
start to the chat's assignment committed (lock the site's round-robin cursor, read the
active operators and their open load, pick, assign, record the fact), in process, with
--online of --operators operators online and --chats chats routed one after another
(each decision sees every earlier assignment in the operators' load).

    .venv/bin/python -m bench.routing --operators 50 --online 10 --chats 500
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.databases import (
    drop_postgres_database,
    postgres_database,
    postgres_unavailable_reason,
)

from bench.harness import emit_result, note, percentile, rounded
from bench.seed import bench_config
from porch import realtime, routing, tickets
from porch.app import build_services
from porch.config import Config
from porch.routing.service import Router
from porch.visitors.models import Page

PAGE = Page("https://shop.example/", "Home", "")


async def run(config: Config, args: argparse.Namespace) -> dict[str, Any]:
    services = build_services(config)
    realtime.install(services)
    tickets.setup(services)
    routing.install(services)
    try:
        site = await services.sites.create("Shop", ["https://shop.example"])
        people = [
            await services.operators.create(f"op{n}@shop.example", f"Op {n}", "pw-123456")
            for n in range(args.operators)
        ]
        for person in people[: args.online]:
            await services.operators.set_capacity(person.id, args.chats, None)
            await services.presence.operator_connected(person, f"sid-{person.id}")
        chats = []
        for n in range(args.chats):  # routing off while seeding: no jobs
            visitor = await services.visitors.open_session(site, None, PAGE)
            chats.append(
                (
                    await services.conversations.send_visitor_message(visitor.id, f"m{n}", "Hi")
                ).conversation_id
            )
        await services.sites.update_settings(site.id, routing={"chats": True})
        router = Router(services)
        took: list[float] = []
        started = time.perf_counter()
        for chat in chats:
            begin = time.perf_counter()
            assert await router.route("chat", chat) is not None
            took.append((time.perf_counter() - begin) * 1000)
        elapsed = time.perf_counter() - started
        return {
            "decisions_per_s": rounded(len(chats) / elapsed),
            "p50_ms": rounded(percentile(took, 0.5)),
            "p95_ms": rounded(percentile(took, 0.95)),
        }
    finally:
        await services.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--online", type=int, default=10)
    parser.add_argument("--chats", type=int, default=500)
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        note("SQLite")
        figures["sqlite"] = asyncio.run(run(bench_config(Path(tmp, "sqlite")), args))
        reason = postgres_unavailable_reason()
        if reason:
            figures["postgresql"] = {"skipped": reason}
        else:
            url, name = postgres_database(migrated=False)
            try:
                note("PostgreSQL")
                figures["postgresql"] = asyncio.run(run(bench_config(Path(tmp, "pg"), url), args))
            finally:
                drop_postgres_database(name)
    emit_result(figures)


if __name__ == "__main__":
    main()
