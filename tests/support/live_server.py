"""A real Porch server (uvicorn) on 127.0.0.1 in a background thread, for protocol and e2e tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from porch.app import build_services, create_app
from porch.clock import Clock, SystemClock
from porch.config import Config
from porch.services import Services

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ThreadedServer:
    """Any ASGI app served by uvicorn on 127.0.0.1 from a daemon thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve_in_thread(app: ASGIApp, port: int | None = None) -> ThreadedServer:
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"test server on port {port} did not start")
        time.sleep(0.02)
    return ThreadedServer(f"http://127.0.0.1:{port}", server, thread)


@dataclass
class LiveServer:
    config: Config
    running: ThreadedServer
    clock: Clock = field(default_factory=SystemClock)
    """The time the server reads: a test that passed a `ManualClock` moves it (and the
    server's job workers find the timers due on their next look)."""

    @property
    def url(self) -> str:
        return self.config.base_url

    def call(self, fn: Callable[[Services], Awaitable[T]]) -> T:
        """Run `fn(services)` on a separate set of services (own engine), e.g. to seed data."""

        async def run() -> T:
            services = build_services(self.config, self.clock)
            try:
                return await fn(services)
            finally:
                await services.db.dispose()

        result: list[T] = []
        worker = threading.Thread(target=lambda: result.append(asyncio.run(run())))
        worker.start()
        worker.join()
        if not result:
            raise RuntimeError("live server call failed; see the traceback above")
        return result[0]

    def stop(self) -> None:
        self.running.stop()


def start_live_server(config: Config, clock: Clock | None = None) -> LiveServer:
    clock = clock or SystemClock()
    return LiveServer(config, serve_in_thread(create_app(config, clock), config.port), clock)
