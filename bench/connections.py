"""Idle visitor connections held by one Porch server process.

Seeds N visitors through the service API, starts `porch serve`, opens N WebSocket
connections to `/visitor` (each a real widget connection: token checked, hello sent,
operators told) from load processes, then holds them for --hold seconds answering the
server's Engine.IO pings. Reports how many were held to the end, the server's resident
memory per connection (RSS growth over the idle server, divided by N), and whether every
connection answered pings through the hold without being dropped.

    .venv/bin/python -m bench.connections --connections 10000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from tests.support.live_server import free_port

from bench.harness import (
    emit_result,
    load_process,
    load_results,
    note,
    porch_server,
    raise_file_limit,
)
from bench.seed import bench_config, seed
from bench.sio_client import SioSocket

CONNECT_CONCURRENCY = 50
PING_INTERVAL_S = 25  # python-socketio's default: a hold of 60 s sees two pings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--hold", type=float, default=60, help="seconds to hold them idle")
    parser.add_argument("--client-procs", type=int, default=2, help="load generator processes")
    parser.add_argument("--connect-timeout", type=float, default=600, help="give up after")
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    return parser.parse_args()


async def hold(url: str, tokens: list[str], args: dict[str, float], barrier: Any) -> dict:
    """Connect every token, wait for the others, hold, report (one load process)."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []

    async def connect(http: aiohttp.ClientSession, token: str) -> SioSocket | None:
        async with gate:
            try:
                return await SioSocket.connect(http, url, "/visitor", auth={"token": token})
            except Exception as exc:  # a refused or failed connection is a figure
                failures.append(f"{type(exc).__name__}: {exc}"[:200])
                return None

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        opened = await asyncio.wait_for(
            asyncio.gather(*(connect(http, t) for t in tokens)), args["connect_timeout"]
        )
        sockets = [s for s in opened if s is not None]
        await asyncio.to_thread(barrier.wait, args["connect_timeout"])  # all processes up
        await asyncio.to_thread(barrier.wait, args["hold"] + 120)  # parent measured memory
        await asyncio.sleep(args["hold"])
        held = [s for s in sockets if not s.closed.is_set()]
        pinged = sum(1 for s in held if s.pings >= int(args["hold"] // PING_INTERVAL_S))
        await asyncio.to_thread(barrier.wait, 120)
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "opened": len(sockets),
        "held": len(held),
        "pinged": pinged,
        "failures": failures[:5],
    }


def run(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    config = bench_config(data, args.database_url)
    seeded = asyncio.run(seed(config, args.connections))
    note(f"seeded {args.connections} visitors; connecting")
    ctx = multiprocessing.get_context("spawn")
    procs = max(1, args.client_procs)
    barrier, queue = ctx.Barrier(procs + 1), ctx.Queue()
    limits = {"hold": args.hold, "connect_timeout": args.connect_timeout}
    with porch_server(data, config.database_url, free_port()) as server:
        time.sleep(1)  # let start-up allocations settle before the idle reading
        idle_kb = server.rss_kb()
        workers = [
            ctx.Process(
                target=load_process,
                args=(hold, barrier, queue, server.url, seeded.tokens[n::procs], limits),
            )
            for n in range(procs)
        ]
        for worker in workers:
            worker.start()
        started = time.monotonic()
        try:
            barrier.wait(timeout=args.connect_timeout + 60)
            connect_s = time.monotonic() - started
            note(f"connected in {connect_s:.0f} s; holding for {args.hold:.0f} s")
            time.sleep(2)  # the last greetings and operator updates
            loaded_kb = server.rss_kb()
            barrier.wait(timeout=60)
            barrier.wait(timeout=args.hold + 120)
            final_kb = server.rss_kb()
        finally:
            replies = [queue.get(timeout=args.hold + 180) for _ in workers]
            for worker in workers:
                worker.join(timeout=30)
    parts = load_results(replies)
    opened = sum(p["opened"] for p in parts)
    held = sum(p["held"] for p in parts)
    return {
        "benchmark": "connections",
        "connections": args.connections,
        "hold_s": args.hold,
        "connect_s": round(connect_s, 1),
        "connections_opened": opened,
        "connections_held": held,
        "all_alive_after_hold": held == args.connections
        and sum(p["pinged"] for p in parts) == held,
        "server_rss_mb": {
            "idle": idle_kb // 1024,
            "connected": loaded_kb // 1024,
            "after_hold": final_kb // 1024,
        },
        "rss_per_connection_kb": round((loaded_kb - idle_kb) / max(1, opened), 1),
        "connect_failures": [f for p in parts for f in p["failures"]][:5],
    }


def main() -> None:
    args = parse_args()
    raise_file_limit(args.connections + 1024)
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        emit_result(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
