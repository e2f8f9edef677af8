"""The jobs package's own kind: a harmless probe that shows workers are running.

`porch jobs probe` queues one and waits for a worker to run it; tests queue many (with a
short pause each) to kill a worker mid-batch. Running it twice is harmless, as every
handler must be.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import sqlalchemy as sa

from porch.db.engine import Database
from porch.jobs.queue import enqueue
from porch.jobs.tables import jobs

PROBE = "jobs.probe"
MAX_PAUSE_MS = 5000


async def probe(payload: dict[str, Any]) -> None:
    """Pause for `payload["pause_ms"]` (at most 5 s), then succeed."""
    pause_ms = payload.get("pause_ms", 0)
    if isinstance(pause_ms, int | float) and pause_ms > 0:
        await asyncio.sleep(min(pause_ms, MAX_PAUSE_MS) / 1000)


async def round_trip(db: Database, timeout: float, poll: float = 0.02) -> float | None:
    """Queue a probe and wait for a worker (any process) to run it: seconds until it was
    done (seen every `poll` seconds), or None when no worker ran it within `timeout` (then
    the probe is taken back)."""
    key = f"{PROBE}:{uuid.uuid4().hex}"
    async with db.begin() as conn:
        await enqueue(conn, PROBE, {}, key=key)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        async with db.connect() as conn:
            left = await conn.scalar(sa.select(sa.func.count()).where(jobs.c.key == key))
        if not left:
            return time.monotonic() - started
        await asyncio.sleep(poll)
    async with db.begin() as conn:
        await conn.execute(jobs.delete().where(jobs.c.key == key, jobs.c.status != "running"))
    return None
