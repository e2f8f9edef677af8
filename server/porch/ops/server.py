"""Running the app under uvicorn, as `porch serve` and `porch demo` do: our logs, and a
graceful shutdown on SIGTERM (or Ctrl+C), in the order `porch.ops.shutdown` describes.

`PorchServer` changes three things about `uvicorn.Server`:

- the first signal only begins the shutdown: readiness goes down and the server keeps
  serving for the drain delay, then stops (a second signal cuts the delay short; a second
  Ctrl+C also skips waiting, as in uvicorn);
- before uvicorn closes connections, it stops listening and runs the drain (Socket.IO
  sessions closed, job workers stopped), and gives in-flight requests only what is left
  of the shutdown timeout;
- it does not re-raise the signal once done (uvicorn does, which made the process end
  "killed by SIGTERM"): a graceful stop exits 0.
"""

from __future__ import annotations

import logging
import math
import signal
import socket
import sys
import time
from types import FrameType
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from porch.config import Config, OpsConfig
from porch.ops.shutdown import Shutdown

log = logging.getLogger("porch.ops.server")

HTTP_GRACE_MIN = 1
"""In-flight requests always get at least this long (seconds) once the drain is done."""


class PorchServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, shutdown: Shutdown | None, ops: OpsConfig) -> None:
        super().__init__(config)
        self.porch_shutdown = shutdown
        self.ops = ops
        self._signalled_at: float | None = None
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A signal handler: set flags only (the loop acts on them in `on_tick`).
        if self._signalled_at is not None:  # a second signal: stop waiting
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True
            return
        self._signalled_at = time.monotonic()
        if self.porch_shutdown is not None:
            self.porch_shutdown.begin()
        if self.ops.drain_delay <= 0:
            self.should_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self._signalled_at is not None and not self._announced:
            self._announced = True
            log.info(
                "shutting down: /readyz answers 503; closing in %g s (timeout %g s)",
                self.ops.drain_delay,
                self.ops.shutdown_timeout,
            )
        if (
            self._signalled_at is not None
            and time.monotonic() - self._signalled_at >= self.ops.drain_delay
        ):
            self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.porch_shutdown is not None and not self.force_exit:
            deadline = time.monotonic() + self.ops.shutdown_timeout
            for server in getattr(self, "servers", []):
                server.close()  # no new connections: the balancer sends them elsewhere
            try:
                await self.porch_shutdown.drain(deadline)
            except Exception:
                log.exception("draining before shutdown failed; shutting down anyway")
            left = math.ceil(deadline - time.monotonic())  # uvicorn takes whole seconds
            self.config.timeout_graceful_shutdown = max(HTTP_GRACE_MIN, left)
        await super().shutdown(sockets)


def uvicorn_config(app: ASGIApp, config: Config, **overrides: Any) -> uvicorn.Config:
    """uvicorn's settings for Porch: logging left to `porch.ops.logs` (no handlers of its
    own), the shutdown timeout for in-flight requests."""
    settings: dict[str, Any] = {
        "host": config.host,
        "port": config.port,
        "log_config": None,
        "log_level": config.ops.log_level,
        "timeout_graceful_shutdown": config.ops.shutdown_timeout,
        **overrides,
    }
    return uvicorn.Config(app, **settings)


def serve(app: ASGIApp, config: Config) -> None:
    """Serve until SIGTERM or Ctrl+C, then shut down gracefully (exit 0)."""
    shutdown = getattr(app, "porch_shutdown", None)
    server = PorchServer(
        uvicorn_config(app, config),
        shutdown if isinstance(shutdown, Shutdown) else None,
        config.ops,
    )
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
