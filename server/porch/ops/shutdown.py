"""Graceful shutdown: how a process leaves a balanced pool without dropping work.

On SIGTERM (see `porch.ops.server`, which drives this):

1. `begin()`: `/readyz` answers 503 at once; the process keeps serving for the drain delay
   (`--drain-delay`, 0 by default) so that a balancer polling `/readyz` moves traffic away.
2. The listening socket closes: new connections go to the other processes.
3. `drain()`: every Socket.IO client's Engine.IO session is closed by ending its transport
   (the WebSocket closes, a pending long poll ends), without a Socket.IO DISCONNECT or an
   Engine.IO CLOSE packet: clients take it as a lost connection and reconnect, through
   the balancer, to another process (python-socketio's client would take a CLOSE packet
   as final; browsers reconnect either way). Then the job workers stop: running handlers get the
   shutdown timeout to finish, the rest are cancelled and their jobs returned to the
   queue (that try not counted) for another process.
4. uvicorn lets in-flight HTTP requests finish within what is left of the shutdown
   timeout, then the features' shutdown hooks run and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from porch.services import Services

log = logging.getLogger(__name__)

SOCKETS_TIMEOUT = 5.0
"""At most this long (and never past the deadline) to tell every Socket.IO client to go."""


class Shutdown:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.draining = False
        """Set once shutdown begins: /readyz answers 503 from then on."""

    def begin(self) -> None:
        """Readiness goes down (safe to call from a signal handler: it only sets a flag)."""
        self.draining = True

    async def drain(self, deadline: float) -> None:
        """Close every Socket.IO session, then stop this process's job workers; `deadline`
        is a `time.monotonic()` value the caller will not wait past."""
        self.begin()
        budget = max(0.1, min(SOCKETS_TIMEOUT, deadline - time.monotonic()))
        closed = await close_sockets(self.services.sio, budget)
        if closed:
            log.info("told %d Socket.IO clients to reconnect elsewhere", closed)
        await self.services.jobs.stop()  # running jobs: finished, or returned to the queue


async def close_sockets(sio: Any, timeout: float) -> int:
    """End every Engine.IO session of this process: its disconnect handlers run, then its
    transport closes as if the connection dropped, so the client reconnects; how many were
    open."""
    eio = sio.eio
    sockets = [socket for socket in list(eio.sockets.values()) if not socket.closed]

    async def close(socket: Any) -> None:
        await socket.close(wait=False, abort=True, reason=eio.reason.SERVER_DISCONNECT)
        await socket.queue.put(None)  # ends a WebSocket's writer, and a pending poll

    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(close(socket) for socket in sockets), return_exceptions=True),
            timeout,
        )
    except TimeoutError:
        log.warning("closing %d Socket.IO sessions took over %.1f s", len(sockets), timeout)
        return len(sockets)
    for result in results:
        if isinstance(result, Exception):
            log.warning("closing a Socket.IO session failed: %s", result)
    return len(sockets)
