"""The Socket.IO ASGI app, with a guard in front of Engine.IO for what it handles badly:

- a polling POST over the buffer size (`max_http_buffer_size`) got no answer (engineio
  waits for the session's next poll before replying): it gets 413 at once;
- Engine.IO framing errors (an empty frame, an unknown packet type, a binary frame, a
  polling body that is not UTF-8) raised deep in engineio and logged a traceback: the
  client is dropped with one log line.

Socket.IO-level errors (bad JSON, an event without a name) are `JsonPacket`'s and
`SocketServer`'s. A text frame that is not UTF-8 is refused by uvicorn before it reaches
us; `quiet_invalid_utf8` keeps that to uvicorn's one line too.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs

import socketio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porch.realtime.server import drop

log = logging.getLogger(__name__)

PATH = "/socket.io/"
# What a client may send: CLOSE, PING (the upgrade probe), PONG, MESSAGE, UPGRADE, NOOP.
WEBSOCKET_TYPES = frozenset("123456")
# Over polling engineio takes only CLOSE, PONG and MESSAGE (others stall the request).
POLLING_TYPES = frozenset("134")
MAX_POLLING_PACKETS = 16  # engineio's Payload.max_decode_packets
DRAIN_BYTES = 16 * 1024 * 1024  # what we read of a body too large, to answer it cleanly


class ClientGone(Exception):
    """The client disconnected before its request body was complete."""


class SocketApp(socketio.ASGIApp):
    """`socketio.ASGIApp` at `/socket.io/`, everything else to `other_asgi_app`."""

    def __init__(self, server: socketio.AsyncServer, other_asgi_app: ASGIApp) -> None:
        super().__init__(server, other_asgi_app=other_asgi_app, socketio_path=PATH)
        self.server = server
        quiet_invalid_utf8()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ours = (scope.get("path", "") + "/").startswith(PATH)
        if ours and scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif ours and scope["type"] == "http" and scope["method"] == "POST":
            await self._polling_post(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _polling_post(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.server.eio.max_http_buffer_size
        sid = _query_sid(scope)
        declared = _content_length(scope)
        body: bytes | None = None
        if declared is None or declared <= DRAIN_BYTES:
            try:
                body = await _read_body(receive, limit)
            except ClientGone:
                return
        if body is None:
            await self._refuse(send, sid, 413, f"polling body over {limit} bytes")
        elif problem := _polling_problem(body):
            await self._refuse(send, sid, 400, problem)
        else:
            await super().__call__(_with_length(scope, len(body)), _replay(body, receive), send)

    async def _refuse(self, send: Send, sid: str | None, status: int, why: str) -> None:
        if sid is not None and sid in self.server.eio.sockets:
            await drop(self.server, sid, why)
        else:
            log.warning("refused a Socket.IO polling request: %s", why)
        body = why.encode()
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        closed = False

        async def checked_receive() -> Message:
            nonlocal closed
            if closed:
                return {"type": "websocket.disconnect", "code": 1008}
            message = await receive()
            problem = _frame_problem(message) if message["type"] == "websocket.receive" else ""
            if not problem:
                return message
            closed = True
            log.warning("dropped Socket.IO client %s: %s", _client(scope), problem)
            await send({"type": "websocket.close", "code": 1008})
            # engineio takes this as the client leaving: its usual clean-up follows.
            return {"type": "websocket.disconnect", "code": 1008}

        async def checked_send(message: Message) -> None:
            if not closed:  # engineio's writer may still be sending to the closed socket
                await send(message)

        await super().__call__(scope, checked_receive, checked_send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when it is over `limit`. The rest of a body too large is
    read and dropped (up to DRAIN_BYTES): clients send it all before they read the answer,
    and closing on unread data resets the connection, answer included."""
    body = bytearray()
    seen, more = 0, True
    while more and seen <= DRAIN_BYTES:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen <= limit:
            body += chunk
        more = message.get("more_body", False)
    return bytes(body) if seen <= limit else None


def _frame_problem(message: Message) -> str:
    text = message.get("text")
    if text is None:
        return "binary frame (Porch speaks JSON text only)"
    if not text or text[0] not in WEBSOCKET_TYPES:
        return f"not an Engine.IO packet: {text[:20]!r}"
    return ""


def _polling_problem(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "polling body is not UTF-8"
    packets = text.split("\x1e")
    if len(packets) > MAX_POLLING_PACKETS:
        return f"more than {MAX_POLLING_PACKETS} packets in one polling body"
    for packet in packets:
        if not packet or packet[0] not in POLLING_TYPES:
            return f"not an Engine.IO packet: {packet[:20]!r}"
    return ""


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body we already read, as one message; then the real channel (disconnects)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _with_length(scope: Scope, length: int) -> Scope:
    # engineio reads Content-Length bytes: a chunked body (no header) would read as empty.
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn refuses a malformed length before we get here
    return None


def _query_sid(scope: Scope) -> str | None:
    sids = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("sid")
    return sids[0] if sids else None


def _client(scope: Scope) -> str:
    client: Any = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "(unknown address)"


class _OneLine(logging.Filter):
    """uvicorn logs a client's invalid UTF-8 with a traceback of its own decoding."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Invalid UTF-8 sequence received from client.":
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_invalid_utf8() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _OneLine) for f in logger.filters):
        logger.addFilter(_OneLine())
