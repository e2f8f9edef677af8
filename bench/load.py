"""The load generator of bench/messages.py, run in its own process(es) so it does not share
an event loop with the server: visitors send, operators watching their conversations
receive, and every delivery's latency is measured from the visitor's send to the
operator's receipt (CLOCK_MONOTONIC is one clock for every process on the machine).

Phases run in lockstep with the parent through a barrier, so it can read the server's CPU
time at each phase boundary: connect and watch, then saturation (every visitor sends again
as soon as its previous message is acknowledged), then paced (a set total rate).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from bench.sio_client import SioSocket, SocketClosed

PHASES = ("saturation", "paced")
"""Saturation first: it is closed-loop, so it leaves no backlog behind for the paced phase."""
MAX_IN_FLIGHT = 10
"""Per visitor in the paced phase: beyond it the server is not keeping up; sends are skipped
(and counted) rather than queued without bound."""
DRAIN_SECONDS = 10.0
CONNECT_CONCURRENCY = 100
REFUSED_PAUSE = 1.0
"""Seconds a visitor waits after a refused send (the rate limit refills one a second)."""


@dataclass
class WorkerSpec:
    url: str
    tokens: list[str]
    conversation_ids: list[int]
    operator_cookies: list[str]
    interval: float
    """Seconds between one visitor's sends in the paced phase."""
    seconds: float
    barrier_timeout: float


@dataclass
class PhaseResult:
    sent: int = 0
    acked: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    delivered_in_window: int = 0
    client_cpu_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)


class Phase:
    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.result = PhaseResult()
        self.started_ns = time.monotonic_ns()
        self.ends_ns = self.started_ns + int(seconds * 1e9)

    def body(self) -> str:
        return f"{self.name} {time.monotonic_ns()}"

    def delivered(self, sent_ns: int) -> None:
        now = time.monotonic_ns()
        self.result.latencies_ms.append((now - sent_ns) / 1e6)
        if now <= self.ends_ns:
            self.result.delivered_in_window += 1


class Load:
    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.phases: dict[str, Phase] = {}
        self.visitors: list[SioSocket] = []
        self.operators: list[SioSocket] = []

    def on_operator_event(self, text: str) -> None:
        if not text.startswith('["message",'):
            return  # inbox and presence updates: received, not timed
        name, _, sent = json.loads(text)[1]["body"].partition(" ")
        phase = self.phases.get(name)
        if phase is not None:
            phase.delivered(int(sent))

    async def connect(self, http: aiohttp.ClientSession) -> None:
        spec = self.spec
        for cookie in spec.operator_cookies:
            sock = await SioSocket.connect(http, spec.url, "/operator", headers={"Cookie": cookie})
            sock.on_event = self.on_operator_event
            self.operators.append(sock)
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def visitor(token: str) -> SioSocket:
            async with gate:
                return await SioSocket.connect(http, spec.url, "/visitor", auth={"token": token})

        self.visitors = list(await asyncio.gather(*(visitor(t) for t in spec.tokens)))
        count = len(self.operators)
        slices = [spec.conversation_ids[n::count] for n in range(count)]
        await asyncio.gather(
            *(watch(op, ids) for op, ids in zip(self.operators, slices, strict=True))
        )

    async def send(self, phase: Phase, sock: SioSocket) -> bool:
        result = phase.result
        result.sent += 1
        try:
            payload = {"client_id": uuid.uuid4().hex, "body": phase.body()}
            ack = await sock.call("message.send", payload, timeout=30)
        except (TimeoutError, SocketClosed) as exc:
            ack = {"ok": False, "error": {"code": type(exc).__name__}}
        if ack.get("ok"):
            result.acked += 1
            return True
        code = ack.get("error", {}).get("code", "unknown")
        result.refused[code] = result.refused.get(code, 0) + 1
        return False

    async def paced(self, phase: Phase, sock: SioSocket) -> None:
        loop, interval = asyncio.get_running_loop(), self.spec.interval
        await asyncio.sleep(random.uniform(0, interval))  # spread visitors over the period
        tasks: set[asyncio.Task[None]] = set()
        next_at = loop.time()
        while time.monotonic_ns() < phase.ends_ns:
            if len(tasks) < MAX_IN_FLIGHT:
                task = asyncio.create_task(self.send(phase, sock))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            else:
                phase.result.skipped += 1
            next_at += interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))
        if tasks:
            await asyncio.wait(set(tasks), timeout=DRAIN_SECONDS)

    async def saturate(self, phase: Phase, sock: SioSocket) -> None:
        while time.monotonic_ns() < phase.ends_ns:
            if not await self.send(phase, sock):
                await asyncio.sleep(REFUSED_PAUSE)  # as the widget would, not a hot loop

    async def run_phase(self, name: str) -> None:
        phase = self.phases[name] = Phase(name, self.spec.seconds)
        cpu = time.process_time()
        if name == "paced":
            runs = [self.paced(phase, v) for v in self.visitors]
        else:
            runs = [self.saturate(phase, v) for v in self.visitors]
        await asyncio.gather(*runs)
        deadline = time.monotonic() + DRAIN_SECONDS  # the last deliveries to operators
        while len(phase.result.latencies_ms) < phase.result.acked and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        phase.result.client_cpu_s = time.process_time() - cpu

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.visitors + self.operators))


async def watch(operator: SioSocket, conversation_ids: list[int]) -> None:
    """Open each conversation as the panel does, waiting out the operator rate limit."""
    for conversation_id in conversation_ids:
        for _ in range(600):
            ack = await operator.call("conversation.watch", {"conversation_id": conversation_id})
            if ack.get("ok"):
                break
            if ack.get("error", {}).get("code") != "rate_limited":
                raise RuntimeError(f"watch failed: {ack}")
            await asyncio.sleep(0.5)
        else:
            raise RuntimeError("watch kept being rate limited")


async def run(spec: WorkerSpec, barrier: Any) -> dict[str, Any]:
    load = Load(spec)
    sync = lambda: asyncio.to_thread(barrier.wait, spec.barrier_timeout)  # noqa: E731
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        await load.connect(http)
        await sync()
        for name in PHASES:
            await load.run_phase(name)
            await sync()
        await load.close()
    return {name: asdict(phase.result) for name, phase in load.phases.items()}
