"""Inbound mail: mails/s taken to stored tickets, and the latency from SMTP `DATA`
accepted to the ticket appearing in an open panel, on SQLite and PostgreSQL.

A real `porch serve --smtp-listen` process; one operator signed in on `/operator` (as the
panel's Tickets page is) notes each `ticket.updated` event for a new ticket. Mails come
from distinct senders (one sender's mails are taken one at a time by design). Phases:

- paced: --rate mails/s for --count mails (the issue's target: p99 ≤ 1 s at 20 mails/s);
- saturation: --burst mails over --clients concurrent SMTP sessions, as fast as they go;
  mails/s counts from the first send until the last ticket reaches the panel.

    .venv/bin/python -m bench.email --rate 20 --count 200 --burst 400
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib
from aiosmtpd.controller import Controller
from tests.support.databases import (
    drop_postgres_database,
    postgres_database,
    postgres_unavailable_reason,
)
from tests.support.live_server import free_port

from bench.harness import emit_result, note, percentile, rounded, serving
from bench.seed import bench_config, seed
from bench.sio_client import SioSocket
from porch.app import build_services
from porch.config import Config
from porch.sites.settings import SiteSettingsUpdate

SUPPORT = "support@bench.example"


class Panel:
    """When each ticket (by subject) reached the signed-in operator."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.arrived = asyncio.Event()

    def on_event(self, text: str) -> None:
        name, payload = json.loads(text)[:2]
        if name == "ticket.updated" and payload.get("event") == "ticket.created":
            self.seen[payload["ticket"]["subject"]] = time.perf_counter()
            self.arrived.set()

    async def wait_for(self, subjects: list[str], timeout: float = 120) -> None:
        deadline = time.perf_counter() + timeout
        while not all(s in self.seen for s in subjects) and time.perf_counter() < deadline:
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):  # look again at least every second
                await asyncio.wait_for(self.arrived.wait(), 1)


def mail(subject: str, n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Customer {n} <customer{n}@example.com>"
    message["To"] = SUPPORT
    message["Subject"] = subject
    message.set_content(f"Hello, this is mail {n} about my order.\n\nThanks")
    return message


async def deliver(port: int, message: EmailMessage) -> float:
    """Send one mail; when its DATA was accepted."""
    await aiosmtplib.send(message, hostname="127.0.0.1", port=port)
    return time.perf_counter()


async def paced(port: int, panel: Panel, rate: float, count: int) -> dict[str, Any]:
    accepted: dict[str, float] = {}
    tasks = []

    async def one(n: int) -> None:
        subject = f"paced {n}"
        accepted[subject] = await deliver(port, mail(subject, n))

    start = time.perf_counter()
    for n in range(count):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)
    await panel.wait_for(list(accepted))
    latencies = [(panel.seen[s] - at) * 1000 for s, at in accepted.items() if s in panel.seen]
    return {
        "rate": rate,
        "mails": count,
        "reached_panel": len(latencies),
        "p50_ms": rounded(percentile(latencies, 0.5)),
        "p99_ms": rounded(percentile(latencies, 0.99)),
        "max_ms": rounded(max(latencies) if latencies else None),
    }


async def burst(port: int, panel: Panel, count: int, clients: int) -> dict[str, Any]:
    queue = list(range(count))
    subjects = [f"burst {n}" for n in range(count)]

    async def client() -> None:
        while queue:
            n = queue.pop()
            await deliver(port, mail(subjects[n], 100_000 + n))

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    accepted_s = time.perf_counter() - start
    await panel.wait_for(subjects)
    last = max(panel.seen.get(s, 0.0) for s in subjects)
    done = sum(s in panel.seen for s in subjects)
    return {
        "mails": count,
        "clients": clients,
        "accepted_per_s": rounded(count / accepted_s),
        "tickets_per_s": rounded(done / (last - start)) if done else None,
        "reached_panel": done,
    }


async def prepare(config: Config) -> str:
    """A site with the support address and one operator; the operator's cookie."""
    seeded = await seed(config, 0, operators=1)
    services = build_services(config)
    try:
        [site] = await services.sites.all()
        await services.sites.update(site.id, settings=SiteSettingsUpdate(support_email=SUPPORT))
    finally:
        await services.db.dispose()
    return seeded.operator_cookies[0]


async def measure(url: str, smtp_port: int, cookie: str, args: argparse.Namespace) -> Any:
    panel = Panel()
    async with aiohttp.ClientSession() as http:
        sock = await SioSocket.connect(http, url, "/operator", headers={"Cookie": cookie})
        sock.on_event = panel.on_event
        try:
            warm = [f"warm {n}" for n in range(5)]
            for n, subject in enumerate(warm):
                await deliver(smtp_port, mail(subject, 900_000 + n))
            await panel.wait_for(warm)
            return {
                "paced": await paced(smtp_port, panel, args.rate, args.count),
                "saturation": await burst(smtp_port, panel, args.burst, args.clients),
            }
        finally:
            await sock.close()


class Relay:
    """The shop's outgoing relay: takes the acknowledgements Porch sends, counts them."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def run_backend(name: str, data: Path, database_url: str | None, args: argparse.Namespace) -> Any:
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    os.environ["PORCH_SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        figures = _run_backend(name, data, database_url, args)
    finally:
        controller.stop()
    figures["acks_sent"] = relay.count
    return figures


def _run_backend(name: str, data: Path, database_url: str | None, args: argparse.Namespace) -> Any:
    config = bench_config(data, database_url)
    cookie = asyncio.run(prepare(config))
    port, smtp_port = free_port(), free_port()
    serve = ["-m", "porch", "serve", "--no-migrate", "--data", str(data)]
    serve += ["--database-url", config.database_url, "--port", str(port)]
    serve += ["--smtp-listen", f"127.0.0.1:{smtp_port}", "--log-level", "warning"]
    note(f"{name}: serving on {port}, SMTP on {smtp_port}")
    with serving(serve, port, "/healthz") as server:
        cpu_before = server.cpu_seconds()
        figures = asyncio.run(measure(server.url, smtp_port, cookie, args))
        figures["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20, help="paced mails per second (20)")
    parser.add_argument("--count", type=int, default=200, help="paced mails (200)")
    parser.add_argument("--burst", type=int, default=400, help="saturation mails (400)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent SMTP sessions (8)")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run_backend("sqlite", Path(tmp, "sqlite"), None, args)
    reason = postgres_unavailable_reason()
    if reason:
        results["postgresql"] = {"skipped": reason}
    else:
        url, name = postgres_database(migrated=False)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                results["postgresql"] = run_backend("postgresql", Path(tmp), url, args)
        finally:
            drop_postgres_database(name)
    emit_result(results)


if __name__ == "__main__":
    main()
