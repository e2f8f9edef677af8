"""What the Socket.IO Redis backplane costs each process as processes are added.

K subscriber processes each hold fake sockets in their share of R visitor rooms (room i
in process i mod K, as a load balancer spreads visitors); one publisher process emits N
messages round the rooms through the same manager class, then one namespace-wide `end`.
Each subscriber reports the CPU it spent from ready to `end`, how many emits its manager
received (decoded) and how many it delivered to its sockets. Run for:

- `stock`: python-socketio's `AsyncRedisManager`: one channel, every process decodes
  every emit;
- `routed`: Porch's `porch.realtime.managers.RedisManager`: a channel per room, a process
  hears only the rooms its sockets are in.

    .venv/bin/python -m bench.scaleout --emits 20000 --rooms 300 --processes 1 2 3 --repeat 3

Figures: per manager and K, `cpu_us_per_emit` (mean over processes of CPU per emit
published), `cluster_cpu_us_per_emit` (sum over processes), `received_per_process`,
`delivered` (total deliveries: must equal N, K times nothing). Needs Redis at
127.0.0.1:6379 (`PORCH_TEST_REDIS` to point elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

import socketio

from bench.harness import emit_result, note
from porch.realtime.managers import RedisManager
from porch.realtime.packets import JsonPacket

REDIS_URL = os.environ.get("PORCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
NAMESPACE = "/visitor"
PAYLOAD = {
    "id": 123456,
    "conversation_id": 4242,
    "client_id": "c-2b7f0e6c-3f4e-4d8a-9a57-1f0f2e5b9c11",
    "author": "operator",
    "author_name": "Olivia",
    "body": "Thanks for waiting! Your order #1042 left our warehouse this morning.",
    "internal": False,
    "created_at": "2026-11-28T10:15:30.123456+00:00",
}


def make_manager(kind: str, prefix: str, write_only: bool = False) -> Any:
    if kind == "stock":
        return socketio.AsyncRedisManager(
            REDIS_URL, channel=prefix + "socketio", write_only=write_only
        )
    return RedisManager(REDIS_URL, prefix, write_only=write_only)


def room(i: int) -> str:
    return f"visitor:{i}"


def subscriber(
    kind: str, prefix: str, index: int, count: int, rooms: int, ready: Any, results: Any
) -> None:
    try:
        results.put(("ok", asyncio.run(_subscribe(kind, prefix, index, count, rooms, ready))))
    except BaseException as exc:
        results.put(("error", repr(exc)))


async def _subscribe(
    kind: str, prefix: str, index: int, count: int, rooms: int, ready: Any
) -> dict[str, Any]:
    manager = make_manager(kind, prefix)
    server = socketio.AsyncServer(async_mode="asgi", client_manager=manager, serializer=JsonPacket)
    delivered = 0
    received = 0
    ended = asyncio.Event()

    async def send(_eio_sid: str, packet: Any) -> None:
        nonlocal delivered
        if '["end"' in packet.data:
            ended.set()
        else:
            delivered += 1

    server._send_eio_packet = send
    handle_emit = manager._handle_emit

    async def counted(message: Any) -> None:
        nonlocal received
        received += 1
        await handle_emit(message)

    manager._handle_emit = counted
    manager.initialize()
    for i in range(index, rooms, count):
        sid = await manager.connect(f"eio-{i}", NAMESPACE)
        await manager.enter_room(sid, NAMESPACE, room(i))
    if rooms <= index:  # no room here: one socket, so the namespace exists for `end`
        await manager.connect("eio-idle", NAMESPACE)
    await asyncio.sleep(0.5)  # the listener is subscribed
    ready.set()
    started = time.process_time()
    await asyncio.wait_for(ended.wait(), timeout=600)
    cpu = time.process_time() - started
    if hasattr(manager, "close"):
        await manager.close()
    return {"cpu_s": cpu, "received": received - 1, "delivered": delivered}


async def publish(kind: str, prefix: str, emits: int, rooms: int) -> float:
    manager = make_manager(kind, prefix, write_only=True)
    socketio.AsyncServer(async_mode="asgi", client_manager=manager, serializer=JsonPacket)
    started = time.process_time()
    for n in range(emits):
        await manager.emit("message", PAYLOAD, room=room(n % rooms), namespace=NAMESPACE)
    cpu = time.process_time() - started
    await manager.emit("end", {}, namespace=NAMESPACE)
    if hasattr(manager, "close"):
        await manager.close()
    return cpu


def run(kind: str, count: int, emits: int, rooms: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    prefix = f"porch-bench:{uuid.uuid4().hex[:8]}:"
    results = context.Queue()
    readies = [context.Event() for _ in range(count)]
    procs = [
        context.Process(
            target=subscriber, args=(kind, prefix, i, count, rooms, readies[i], results)
        )
        for i in range(count)
    ]
    for proc in procs:
        proc.start()
    for ready in readies:
        if not ready.wait(timeout=60):
            raise RuntimeError("a subscriber did not get ready")
    publisher_cpu = asyncio.run(publish(kind, prefix, emits, rooms))
    replies = [results.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    failed = [r for status, r in replies if status != "ok"]
    if failed:
        raise RuntimeError(f"subscribers failed: {failed}")
    figures = [r for _status, r in replies]
    per_emit = [f["cpu_s"] / emits * 1e6 for f in figures]
    return {
        "processes": count,
        "cpu_us_per_emit": round(sum(per_emit) / count, 2),
        "cpu_us_per_emit_each": [round(x, 2) for x in per_emit],
        "received_each": [f["received"] for f in figures],
        "cluster_cpu_us_per_emit": round(sum(per_emit), 2),
        "received_per_process": round(sum(f["received"] for f in figures) / count),
        "delivered": sum(f["delivered"] for f in figures),
        "publisher_cpu_us_per_emit": round(publisher_cpu / emits * 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emits", type=int, default=20000)
    parser.add_argument("--rooms", type=int, default=300)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--managers", nargs="+", default=["stock", "routed"])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each; the one with least CPU is kept"
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {"emits": args.emits, "rooms": args.rooms}
    for kind in args.managers:
        figures[kind] = []
    for count in args.processes:  # both managers side by side: neighbours' load is shared
        for kind in args.managers:
            runs = []
            for _ in range(args.repeat):
                note(f"{kind}: {count} process(es), {args.emits} emits over {args.rooms} rooms")
                runs.append(run(kind, count, args.emits, args.rooms))
                note(f"  {runs[-1]}")
            figures[kind].append(min(runs, key=lambda r: r["cluster_cpu_us_per_emit"]))
    emit_result(figures)


if __name__ == "__main__":
    main()
