"""`/healthz` and `/readyz`, for load balancers and process supervisors.

- `/healthz`: the process is up and its event loop answers. No I/O, always 200 while it
  runs: restart the process when this fails.
- `/readyz`: this process can do its work: the database answers `SELECT 1`, Redis answers
  `PING` (when configured), and this process's job workers are running. 503 otherwise,
  naming the failed checks; and 503 as soon as a graceful shutdown begins, so a balancer
  stops sending new traffic here first. Send traffic only while this is 200.

Both answer JSON. Checks run concurrently, each bounded by `CHECK_TIMEOUT`; concurrent
`/readyz` requests share one run of the checks. A failed check answers with the error's
class only (`failed: OperationalError`): the full error, which may name hosts, goes to the
log, once each time a check's result changes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from porch.ops.shutdown import Shutdown
    from porch.services import Services

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0
"""Seconds each readiness check may take before it counts as failed."""
OK = "ok"
NOT_CONFIGURED = "not configured"
NO_STORE = {"Cache-Control": "no-store"}


class Readiness:
    def __init__(self, services: Services, shutdown: Shutdown) -> None:
        self.services = services
        self.shutdown = shutdown
        self._running: asyncio.Task[dict[str, str]] | None = None
        self._last: dict[str, str] = {}

    async def checks(self) -> dict[str, str]:
        """Each check's result: `ok`, `not configured`, or why it failed."""
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._run())
        return await asyncio.shield(self._running)

    async def _run(self) -> dict[str, str]:
        names = ("database", "redis", "jobs")
        results = await asyncio.gather(
            _bounded(self._database()), _bounded(self._redis()), _bounded(self._jobs())
        )
        found: dict[str, str] = {}
        for name, (public, detail) in zip(names, results, strict=True):
            found[name] = public
            previous = self._last.get(name)
            passes = public in (OK, NOT_CONFIGURED)
            if previous != detail and not passes:
                log.warning("readiness: the %s check failed: %s", name, detail)
            elif previous != detail and previous is not None:
                log.info("readiness: the %s check passes again", name)
            self._last[name] = detail
        return found

    async def _database(self) -> str:
        async with self.services.db.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        return OK

    async def _redis(self) -> str:
        backplane = self.services.backplane  # the process's Redis client (`--redis-url`)
        if backplane is None:
            return NOT_CONFIGURED
        await backplane.redis.ping()
        return OK

    async def _jobs(self) -> str:
        return OK if self.services.jobs.running else "failed: job workers are not running"


async def _bounded(check: Any) -> tuple[str, str]:
    """A check's result for the response, and for the log."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            result: str = await check
            return result, result
    except TimeoutError:
        return "failed: timeout", f"no answer within {CHECK_TIMEOUT:g} s"
    except Exception as exc:
        return f"failed: {type(exc).__name__}", f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    """An error's first line: database errors carry SQL and hints on the next ones."""
    return (str(exc).strip().splitlines() or [""])[0][:200]


def routes(readiness: Readiness) -> list[BaseRoute]:
    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    async def readyz(_request: Request) -> JSONResponse:
        if readiness.shutdown.draining:
            return JSONResponse(
                {"status": "draining", "failed": ["shutdown"]}, 503, headers=NO_STORE
            )
        checks = await readiness.checks()
        failed = [name for name, result in checks.items() if result not in (OK, NOT_CONFIGURED)]
        body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks}
        return JSONResponse(body, 503 if failed else 200, headers=NO_STORE)

    return [
        Route("/healthz", healthz, methods=["GET"], name="ops-healthz"),
        Route("/readyz", readyz, methods=["GET"], name="ops-readyz"),
    ]
