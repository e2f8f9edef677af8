"""Visitor messages through Porch's full path, against a bare python-socketio echo server.

N visitors (each in their own conversation, seeded through the service API) are connected
to `/visitor`; operators signed in on `/operator` watch every conversation. Each visitor
sends `message.send` (validated, rate-limited, stored, fanned out; acked once stored) and
the watching operator receives the `message` event. Two phases of S seconds each:
saturation (each visitor sends again as soon as its previous message is acked), then paced
(RATE messages/s in total, spread over the visitors). The same load then runs against
`bench/echo_server.py`. Latency is visitor send to operator receipt.

With `--processes N` (N > 1, or any N with `--balancer`) the Porch side is N `porch serve`
processes on one PostgreSQL database (a fresh one unless `--database-url` names one) and
Redis, behind nginx running the documented site file (`bench/balanced.py`); visitors and
operators connect through nginx. Server CPU is then the sum over the N processes; nginx's,
Redis's and the whole machine's CPU per phase are reported beside it (`other_cpu_s`).

    .venv/bin/python -m bench.messages --connections 1000 --seconds 10
    .venv/bin/python -m bench.messages --connections 1000 --seconds 10 --processes 2
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from tests.support.databases import drop_postgres_database, postgres_database
from tests.support.live_server import free_port

from bench import load
from bench.balanced import balanced, machine_parts
from bench.harness import (
    ServerProcess,
    emit_result,
    load_process,
    load_results,
    note,
    percentile,
    porch_server,
    raise_file_limit,
    rounded,
    serving,
)
from bench.load import PHASES, WorkerSpec
from bench.seed import Seeded, bench_config, seed
from porch.ratelimit import LIMITS


class Server(Protocol):
    """What a run reads from the server side: one process (`ServerProcess`) or several
    behind nginx (`bench.balanced.Balanced`)."""

    url: str

    def cpu_seconds(self) -> float: ...

    def rss_kb(self) -> int: ...


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000, help="visitor connections")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--rate", type=float, default=1000, help="paced phase, messages/s")
    parser.add_argument("--operators", type=int, default=4, help="operators watching")
    parser.add_argument("--client-procs", type=int, default=1, help="load generator processes")
    parser.add_argument(
        "--database-url",
        help="default: SQLite in a temporary directory (behind the balancer: a fresh "
        "PostgreSQL database, dropped afterwards)",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="Porch processes (more than 1: behind nginx)"
    )
    parser.add_argument(
        "--balancer", action="store_true", help="nginx and Redis even with one process"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="with --processes")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the echo server (no `ratio`)"
    )
    args = parser.parse_args()
    args.balancer = args.balancer or args.processes > 1
    if args.balancer and args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("several processes share PostgreSQL: --database-url postgresql+asyncpg://…")
    args.operators = max(args.operators, args.client_procs)
    # Each visitor may send this many messages a second, sustained: more would be refused.
    args.rate = min(args.rate, args.connections * LIMITS["message"].per_second)
    return args


def worker_specs(url: str, seeded: Seeded, args: argparse.Namespace) -> list[WorkerSpec]:
    rate = args.rate
    procs = args.client_procs
    return [
        WorkerSpec(
            url=url,
            tokens=seeded.tokens[n::procs],
            conversation_ids=seeded.conversation_ids[n::procs],
            operator_cookies=seeded.operator_cookies[n::procs],
            interval=args.connections / rate,
            seconds=args.seconds,
            barrier_timeout=args.seconds + 300,
        )
        for n in range(procs)
    ]


def drive(server: Server, specs: list[WorkerSpec]) -> dict[str, Any]:
    """Run the load processes against `server`; per phase: merged results and CPU seconds."""
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(len(specs) + 1), ctx.Queue()
    workers = [
        ctx.Process(target=load_process, args=(load.run, barrier, queue, spec)) for spec in specs
    ]
    for worker in workers:
        worker.start()
    cpu: list[float] = []
    parts: list[dict[str, float]] = []
    cpu_parts = getattr(server, "cpu_parts", machine_parts)
    broken = False
    try:
        for n in range(len(PHASES) + 1):  # connected, then the end of each phase
            barrier.wait(timeout=specs[0].barrier_timeout)
            cpu.append(server.cpu_seconds())
            parts.append(cpu_parts())
            note(f"{PHASES[n]} phase begins" if n < len(PHASES) else "phases done")
    except threading.BrokenBarrierError:
        broken = True
    finally:
        replies = [queue.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
    results = load_results(replies)  # raises with what a failed load process said
    if broken:
        raise RuntimeError("a load process stopped before the end")
    merged = {name: merge([result[name] for result in results]) for name in PHASES}
    for n, name in enumerate(PHASES):
        merged[name]["cpu_s"] = cpu[n + 1] - cpu[n]
        merged[name]["other_cpu_s"] = {
            key: round(parts[n + 1][key] - parts[n][key], 2) for key in parts[n]
        }
    return merged


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"latencies_ms": [], "refused": {}}
    for part in parts:
        for key in ("sent", "acked", "skipped", "delivered_in_window", "client_cpu_s"):
            total[key] = total.get(key, 0) + part[key]
        total["latencies_ms"] += part["latencies_ms"]
        for code, count in part["refused"].items():
            total["refused"][code] = total["refused"].get(code, 0) + count
    return total


def figures(phase: dict[str, Any], seconds: float) -> dict[str, Any]:
    latencies = phase["latencies_ms"]
    extra = {"other_cpu_s": phase["other_cpu_s"]} if phase["other_cpu_s"] else {}
    return {
        **extra,
        "delivered_per_s": round(phase["delivered_in_window"] / seconds, 1),
        "sent": phase["sent"],
        "delivered": len(latencies),
        "refused": phase["refused"],
        "skipped": phase["skipped"],
        "server_cpu_s": round(phase["cpu_s"], 2),
        "server_cpu_ms_per_msg": round(1000 * phase["cpu_s"] / len(latencies), 2)
        if latencies
        else None,
        "delivered_per_server_cpu_s": round(len(latencies) / phase["cpu_s"], 1)
        if phase["cpu_s"]
        else None,
        "client_cpu_s": round(phase["client_cpu_s"], 2),
        "p50_ms": rounded(percentile(latencies, 0.50)),
        "p95_ms": rounded(percentile(latencies, 0.95)),
        "p99_ms": rounded(percentile(latencies, 0.99)),
    }


def measure(
    start: Callable[[int], AbstractContextManager[Server]],
    seeded: Seeded,
    args: argparse.Namespace,
) -> dict[str, dict[str, Any]]:
    port = free_port()
    with start(port) as server:
        rss_before = server.rss_kb()
        result = drive(server, worker_specs(server.url, seeded, args))
        rss_after = server.rss_kb()
    out = {name: figures(result[name], args.seconds) for name in PHASES}
    out["server_rss_mb"] = {"idle": rss_before // 1024, "after": rss_after // 1024}
    return out


def echo_seed(connections: int, operators: int) -> Seeded:
    """The echo server takes any token: each visitor's is its conversation number."""
    ids = list(range(1, connections + 1))
    return Seeded(
        visitor_ids=ids,
        tokens=[str(i) for i in ids],
        conversation_ids=ids,
        operator_cookies=[""] * operators,
    )


def echo_server(port: int) -> AbstractContextManager[ServerProcess]:
    args = ["-m", "bench.echo_server", "--port", str(port)]
    return serving(args, port, "/")


def run(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    fresh_database = ""
    if args.balancer and not args.database_url:
        args.database_url, fresh_database = postgres_database(migrated=False)
    try:
        return run_on(args, data)
    finally:
        if fresh_database:
            drop_postgres_database(fresh_database)


def run_on(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    config = bench_config(data, args.database_url)
    started = time.monotonic()
    seeded = asyncio.run(
        seed(config, args.connections, operators=args.operators, conversations=True)
    )
    seed_s = time.monotonic() - started
    note(f"seeded {args.connections} visitors in {seed_s:.0f} s; Porch under load")
    if args.balancer:
        porch = measure(
            lambda _port: balanced(
                data,
                config.database_url,
                config.secret_key,
                args.processes,
                args.redis_url,
                args.connections + args.operators,
            ),
            seeded,
            args,
        )
    else:
        porch = measure(lambda port: porch_server(data, config.database_url, port), seeded, args)
    baseline: dict[str, Any] = {}
    if not args.no_baseline:
        note("the bare echo server under the same load")
        baseline = measure(echo_server, echo_seed(args.connections, args.operators), args)
    rt = porch["saturation"]["delivered_per_s"]
    base_rt = baseline["saturation"]["delivered_per_s"] if baseline else None
    return {
        "benchmark": "messages",
        "processes": args.processes,
        "balancer": args.balancer,
        "delivered_per_server_cpu_s": porch["saturation"]["delivered_per_server_cpu_s"],
        "server_cpu_ms_per_msg_paced": porch["paced"]["server_cpu_ms_per_msg"],
        "connections": args.connections,
        "operators": args.operators,
        "seconds": args.seconds,
        "rate": args.rate,
        "database": config.database_url.split(":", 1)[0],
        "seed_s": round(seed_s, 1),
        "rt_per_s": rt,
        "baseline_rt_per_s": base_rt,
        "ratio": round(rt / base_rt, 3) if base_rt else None,
        "p99_ms_at_1k": porch["paced"]["p99_ms"],
        "porch": porch,
        "baseline": baseline,
    }


def main() -> None:
    args = parse_args()
    raise_file_limit(2 * args.connections + 1024)
    with tempfile.TemporaryDirectory(prefix="porch-bench-") as tmp:
        emit_result(run(args, Path(tmp)))


if __name__ == "__main__":
    main()
