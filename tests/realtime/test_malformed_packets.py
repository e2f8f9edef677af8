"""A client that breaks Engine.IO or Socket.IO is dropped with one log line (no library
traceback), and the server goes on serving everyone else.

Each bad packet is sent over a raw WebSocket (the `websockets` client, which sends what
it is given) after a proper handshake on `/visitor`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest
import websockets

from tests.support.chat_clients import TIMEOUT, Client, open_session, seed, visitor_client
from tests.support.live_server import LiveServer

DEEP = 100_000

BAD_PACKETS: dict[str, str | bytes] = {
    "invalid UTF-8": b'42/visitor,["typing",{"draft":"\xff\xfe"}]',
    "truncated JSON": '42/visitor,["message.send",{"client_id":"c-9","body":"hi',
    "unknown Engine.IO type (digit)": "9hello",
    "unknown Engine.IO type (letter)": "xhello",
    "unknown Socket.IO type": '49/visitor,["typing",{"draft":""}]',
    "CONNECT_ERROR from a client": '44/visitor,{"message":"no"}',
    "binary event": '451-/visitor,["typing",{"_placeholder":true,"num":0}]',
    "empty event": "42/visitor,[]",
    "event name not a string": '42/visitor,[1,{"draft":""}]',
    "event not a list": '42/visitor,{"draft":""}',
    "empty Socket.IO packet": "4",
    "empty frame": "",
    "binary frame": b"\x00\x01\x02",
    "deeply nested JSON": '42/visitor,["typing",' + "[" * DEEP + "]" * DEEP + "]",
}


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[Records]:
    """Warnings and errors from anywhere in the server (uvicorn's logger does not propagate)."""
    handler = Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
async def token(server: LiveServer) -> str:
    return (await open_session(server, seed(server).site.key))["visitor_token"]


@pytest.fixture
async def neighbour(server: LiveServer, token: str) -> AsyncIterator[Client]:
    """A well-behaved visitor on the same server."""
    client = await visitor_client(server, token)
    yield client
    await client.close()


async def raw_visitor(server: LiveServer, token: str) -> websockets.ClientConnection:
    url = server.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    ws = await websockets.connect(url)
    assert str(await ws.recv()).startswith("0{")  # Engine.IO OPEN
    await ws.send("40/visitor," + json.dumps({"token": token}))
    assert str(await ws.recv()).startswith("40/visitor,")  # Socket.IO CONNECT
    return ws


async def until_closed(ws: websockets.ClientConnection) -> None:
    """Read (and ignore) whatever the server still sends until it closes the connection."""

    async def drain() -> None:
        try:
            async for _frame in ws:
                pass
        except websockets.ConnectionClosed:
            pass  # closed with an error code (1007, 1008…): closed all the same

    await asyncio.wait_for(drain(), TIMEOUT)


def describe(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name} {r.levelname} {r.getMessage()}" for r in records]


@pytest.mark.parametrize("name", BAD_PACKETS)
async def test_bad_packet_drops_only_that_client_with_one_log_line(
    server: LiveServer, token: str, neighbour: Client, server_log: Records, name: str
) -> None:
    bad = BAD_PACKETS[name]
    ws = await raw_visitor(server, token)
    server_log.records.clear()

    # str goes as a text frame, bytes as a binary one; `text=True` sends bytes as a text
    # frame unchecked (the invalid UTF-8 case).
    await ws.send(bad, text=True if name == "invalid UTF-8" else None)
    await until_closed(ws)

    # The server still serves the well-behaved visitor (a full round trip).
    ack = await neighbour.call("message.send", {"client_id": "c-1", "body": "still here"})
    assert ack["ok"] is True, ack
    assert len(server_log.records) == 1, describe(server_log.records)
    record = server_log.records[0]
    assert record.exc_info is None and record.exc_text is None, describe(server_log.records)
    message = record.getMessage()
    assert "\n" not in message
    # uvicorn refuses invalid UTF-8 itself (and says so); the rest is ours.
    assert message.startswith("dropped Socket.IO client") or name == "invalid UTF-8", message


async def test_a_good_client_is_not_dropped(
    server: LiveServer, token: str, server_log: Records
) -> None:
    """The control: the same raw client, sending a proper event, stays connected."""
    ws = await raw_visitor(server, token)
    await ws.send('42/visitor,1["message.send",{"client_id":"c-2","body":"hi"}]')
    while not str(frame := await asyncio.wait_for(ws.recv(), TIMEOUT)).startswith("43/visitor,1"):
        pass
    assert json.loads(str(frame)[len("43/visitor,1") :])[0]["ok"] is True
    await ws.close()
    assert server_log.records == []
