"""Message round trips through a real Porch server: SQLite and PostgreSQL side by side.

Starts `porch serve` on 127.0.0.1, adds a site, then VISITORS visitors each open a session,
connect to `/visitor` over WebSocket and send MESSAGES messages one after another, waiting
for each ack (the server stores a message before it acks). Prints throughput and ack
latency per backend and the PostgreSQL/SQLite ratio. Bounded by count and by --seconds.

    .venv/bin/python -m bench.message_throughput [--visitors 40] [--messages 8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import socketio

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Result:
    backend: str
    messages: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def porch(*args: str) -> str:
    cmd = [sys.executable, "-m", "porch", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def open_session(base: str, site_key: str) -> str:
    body = json.dumps(
        {
            "site_key": site_key,
            "visitor_token": None,
            "page": {"url": base, "title": "", "referrer": ""},
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/widget/v1/session",
        data=body,
        headers={"Content-Type": "application/json", "Origin": base},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["visitor_token"]


async def visitor(base: str, token: str, messages: int, latencies: list[float]) -> None:
    client = socketio.AsyncClient()
    await client.connect(
        base, namespaces=["/visitor"], auth={"token": token}, transports=["websocket"]
    )
    try:
        for i in range(messages):
            started = time.perf_counter()
            ack = await client.call(
                "message.send",
                {"client_id": uuid.uuid4().hex, "body": f"message {i}"},
                namespace="/visitor",
                timeout=30,
            )
            if not ack.get("ok"):
                raise RuntimeError(f"send failed: {ack}")
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await client.disconnect()


async def drive(
    base: str, site_key: str, visitors: int, messages: int, seconds: float
) -> tuple[float, list[float]]:
    tokens = [open_session(base, site_key) for _ in range(visitors)]
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(visitor(base, t, messages, latencies) for t in tokens)), timeout=seconds
    )
    return time.perf_counter() - started, latencies


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/widget/porch.js", timeout=2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_backend(backend: str, database_url: str, data: Path, args: argparse.Namespace) -> Result:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    storage = ["--data", str(data), "--database-url", database_url]
    porch("migrate", *storage)
    out = porch("site", "add", "Bench", "--origin", base, *storage, "--port", str(port))
    site_key = re.search(r"Site key: (\S+)", out).group(1)
    server = subprocess.Popen(
        [sys.executable, "-m", "porch", "serve", *storage, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base)
        elapsed, latencies = asyncio.run(
            drive(base, site_key, args.visitors, args.messages, args.seconds)
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    return Result(backend, len(latencies), elapsed, latencies)


async def pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument(
        "--messages", type=int, default=8, help="per visitor (rate limit allows 10 in a burst)"
    )
    parser.add_argument(
        "--seconds", type=float, default=120, help="give up after this long per backend"
    )
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            run_backend("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", Path(tmp, "s"), args)
        )
        name = f"porch_bench_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(pg_admin(f"CREATE DATABASE {name}"))
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"PostgreSQL skipped: {exc}")
        else:
            try:
                url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
                results.append(run_backend("postgresql", url, Path(tmp, "p"), args))
            finally:
                asyncio.run(pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    print(f"{args.visitors} visitors x {args.messages} messages, each send waits for its ack")
    columns = ("msgs", "msgs/s", "p50 ms", "p95 ms", "p99 ms", "mean ms")
    print(f"{'backend':<12}" + "".join(f"{c:>9}" for c in columns))
    for r in results:
        print(
            f"{r.backend:<12}{r.messages:>9}{r.per_second:>9.0f}{r.percentile(0.5):>9.1f}"
            f"{r.percentile(0.95):>9.1f}{r.percentile(0.99):>9.1f}{statistics.mean(r.latencies_ms):>9.1f}"
        )
    if len(results) == 2:
        base, other = results
        print(f"postgresql / sqlite throughput ratio: {other.per_second / base.per_second:.2f}")


if __name__ == "__main__":
    main()
