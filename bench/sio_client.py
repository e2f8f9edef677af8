"""A minimal Socket.IO client (Engine.IO v4 over one WebSocket, one namespace) for load.

python-socketio's client costs about as much CPU per message as the server, so it would
measure itself; this one does only what a benchmark needs: connect to a namespace, answer
pings, send events with or without an ack, and hand received events to a callback as raw
text (callers parse only what they use). Packets follow the Engine.IO v4 and Socket.IO v5
protocols, e.g. `42/visitor,7["message.send",{...}]` for an event with ack id 7.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp

OnEvent = Callable[[str], None]
"""Called with each server event packet's JSON array text, e.g. `["message",{...}]`."""


class SocketClosed(Exception):
    pass


class SioSocket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, namespace: str) -> None:
        self.ws = ws
        self.namespace = namespace
        self._prefix = f"{namespace},"
        self._acks: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 0
        self.on_event: OnEvent | None = None
        self.pings = 0
        self.closed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._replies: set[asyncio.Task[None]] = set()  # pongs in flight (keep a reference)

    @classmethod
    async def connect(
        cls,
        http: aiohttp.ClientSession,
        base_url: str,
        namespace: str,
        auth: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> SioSocket:
        url = base_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        ws = await http.ws_connect(url, headers=headers, autoping=True, timeout=timeout)
        try:
            opened = await asyncio.wait_for(ws.receive_str(), timeout)
            if not opened.startswith("0"):
                raise SocketClosed(f"unexpected open packet {opened[:80]!r}")
            payload = json.dumps(auth) if auth is not None else ""
            await ws.send_str(f"40{namespace},{payload}")
            reply = await asyncio.wait_for(ws.receive_str(), timeout)
            # With several processes an event broadcast to the namespace (operators' presence,
            # through Redis) can reach the socket before its connect reply; socket.io-client
            # buffers such events, this client (which times only later events) skips them.
            while reply == "2" or reply.startswith(f"42{namespace},"):
                if reply == "2":
                    await ws.send_str("3")
                reply = await asyncio.wait_for(ws.receive_str(), timeout)
        except BaseException:
            await ws.close()
            raise
        if not reply.startswith(f"40{namespace},"):
            await ws.close()
            raise SocketClosed(f"connect refused: {reply[:200]}")
        sock = cls(ws, namespace)
        sock._reader = asyncio.create_task(sock._read())
        return sock

    async def call(self, event: str, data: Any, timeout: float = 30) -> Any:
        """Emit with an ack id and wait for the server's ack payload."""
        self._next_id += 1
        ack_id = self._next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        try:
            await self.ws.send_str(f"42{self._prefix}{ack_id}{json.dumps([event, data])}")
            return await asyncio.wait_for(future, timeout)
        finally:
            self._acks.pop(ack_id, None)

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                self._packet(msg.data)
        finally:
            self.closed.set()
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(SocketClosed("socket closed"))

    def _packet(self, text: str) -> None:
        if text == "2":  # Engine.IO ping: answer or the server drops us
            self.pings += 1
            self._later(self.ws.send_str("3"))
            return
        if not text.startswith("4"):
            return
        kind, body = text[1], text[2:]
        if body.startswith(self._prefix):
            body = body[len(self._prefix) :]
        if kind == "2" and self.on_event is not None:
            self.on_event(body)
        elif kind == "3":
            digits = len(body) - len(body.lstrip("0123456789"))
            future = self._acks.get(int(body[:digits])) if digits else None
            if future is not None and not future.done():
                future.set_result(json.loads(body[digits:])[0])
        elif kind == "1":
            self._later(self.ws.close())

    def _later(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def close(self) -> None:
        await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
