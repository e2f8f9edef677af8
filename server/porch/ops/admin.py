"""The admin listener (`--admin-listen HOST:PORT`): a second HTTP listener in the same
process that serves only `/metrics` (no token), `/healthz` and `/readyz`.

Bind it to a private address (127.0.0.1, or an internal network that Prometheus reaches)
and leave the public listener to the balancer. It is a small uvicorn server in the same
event loop, started with the other features' start-up hooks and stopped after them, so it
answers for the whole life of the process, `porch worker` included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator
from contextvars import ContextVar

import uvicorn
from starlette.types import ASGIApp

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
_ADMIN: ContextVar[bool] = ContextVar("porch_admin_listener", default=False)
"""True in the admin listener's tasks: its routine uvicorn lines are left out of the log."""


class _QuietAdmin(logging.Filter):
    """Drops uvicorn's info lines (start, stop, one access line a scrape) written by the
    admin listener; its warnings and errors stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not _ADMIN.get()


class _Embedded(uvicorn.Server):
    """A uvicorn server that leaves signals to the process's main server (or worker)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class AdminListener:
    def __init__(self, app: ASGIApp, address: tuple[str, int], log_level: str) -> None:
        self.app = app
        self.address = address
        self.log_level = log_level
        self._server: _Embedded | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    async def start(self) -> None:
        try:
            sock = _bind(*self.address)
        except OSError as exc:
            raise RuntimeError(f"cannot listen on the admin address {self.url}: {exc}") from exc
        config = uvicorn.Config(self.app, lifespan="off", log_config=None, log_level=self.log_level)
        self._server = server = _Embedded(config)
        _quiet_admin_lines()
        token = _ADMIN.set(True)  # copied into the task's context (and the connections')
        try:
            self._task = task = asyncio.create_task(server.serve([sock]), name="porch-admin")
        finally:
            _ADMIN.reset(token)
        async with asyncio.timeout(START_TIMEOUT):
            while not server.started and not task.done():
                await asyncio.sleep(0.01)
        if task.done():
            task.result()  # raises what stopped it
            raise RuntimeError(f"the admin listener on {self.url} stopped at start")
        log.info("admin listener (metrics, health) on %s", self.url)

    async def stop(self) -> None:
        server, task = self._server, self._task
        self._server = self._task = None
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(task, STOP_TIMEOUT)
        except TimeoutError:
            log.warning("the admin listener did not stop within %g s", STOP_TIMEOUT)


def _quiet_admin_lines() -> None:
    for name in ("uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietAdmin) for f in logger.filters):
            logger.addFilter(_QuietAdmin())


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
