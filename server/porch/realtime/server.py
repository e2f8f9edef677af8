"""python-socketio's server, with one answer to a client that breaks the protocol: a log
line and a closed connection, instead of a library traceback and a socket left open."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from porch.realtime.packets import MalformedPacket

log = logging.getLogger(__name__)


class SocketServer(socketio.AsyncServer):
    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        # The one place python-socketio decodes what a client sent (`JsonPacket.decode`).
        try:
            await super()._handle_eio_message(eio_sid, data)
        except MalformedPacket as exc:
            await drop(self, eio_sid, str(exc))


async def drop(server: socketio.AsyncServer, eio_sid: str, why: str) -> None:
    """Close this Engine.IO session and its transport, with one line in the log."""
    log.warning("dropped Socket.IO client %s: %s", eio_sid, why)
    socket = server.eio.sockets.get(eio_sid)
    if socket is None or socket.closed:
        return
    # Sends CLOSE and runs the disconnect handlers without waiting for a poll that a broken
    # client may never make; the None then ends the transport (a WebSocket's writer closes
    # it, a pending long-poll returns).
    await socket.close(wait=False, reason=server.eio.reason.SERVER_DISCONNECT)
    await socket.queue.put(None)
