"""Engine.IO long-polling POSTs: one over the buffer size gets 413 at once (engineio alone
left it unanswered), a body that is not Engine.IO gets 400, and both drop the session."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from porch.realtime.asgi import MAX_POLLING_PACKETS
from tests.support.chat_clients import TIMEOUT, open_session, seed
from tests.support.live_server import LiveServer

LIMIT = 1_000_000  # engineio's max_http_buffer_size, which Porch keeps


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as client:
        yield client


async def polling_session(http: httpx.AsyncClient) -> str:
    """A new Engine.IO session over polling: its sid."""
    reply = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert reply.status_code == 200 and reply.text.startswith("0{"), reply.text
    return json.loads(reply.text[1:])["sid"]


async def post(
    http: httpx.AsyncClient, sid: str, body: bytes | AsyncIterator[bytes]
) -> httpx.Response:
    params = {"EIO": "4", "transport": "polling", "sid": sid}
    return await http.post("/socket.io/", params=params, content=body)


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """A body sent chunked, without Content-Length."""
    yield b"4"
    sent = 1
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


async def assert_session_gone(http: httpx.AsyncClient, sid: str) -> None:
    reply = await poll(http, sid)
    assert reply.status_code == 400, reply.text


async def test_a_body_over_the_limit_gets_413_at_once(http: httpx.AsyncClient) -> None:
    sid = await polling_session(http)
    reply = await post(http, sid, b"4" + b"x" * LIMIT)
    assert reply.status_code == 413
    await assert_session_gone(http, sid)


async def test_a_chunked_body_over_the_limit_gets_413(http: httpx.AsyncClient) -> None:
    sid = await polling_session(http)
    reply = await post(http, sid, chunks(LIMIT + 1))
    assert reply.status_code == 413
    await assert_session_gone(http, sid)


async def test_bodies_up_to_the_limit_still_work(
    server: LiveServer, http: httpx.AsyncClient
) -> None:
    token = (await open_session(server, seed(server).site.key))["visitor_token"]
    sid = await polling_session(http)
    reply = await post(http, sid, ("40/visitor," + json.dumps({"token": token})).encode())
    assert (reply.status_code, reply.text) == (200, "OK")
    # Chunked (no Content-Length) and near the limit: read in full, handled, acked.
    send = '42/visitor,1["message.send",{"client_id":"c-1","body":"big"}' + " " * (LIMIT // 2)
    reply = await post(http, sid, chunks_of((send + "]").encode()))
    assert (reply.status_code, reply.text) == (200, "OK")
    received = ""
    for _ in range(10):  # the ack is in one of the next polls, after `hello` and co.
        received += (await poll(http, sid)).text
        if "43/visitor,1" in received:
            break
    assert '43/visitor,1[{"ok":true' in received, received


async def poll(http: httpx.AsyncClient, sid: str) -> httpx.Response:
    return await http.get("/socket.io/", params={"EIO": "4", "transport": "polling", "sid": sid})


async def chunks_of(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe",
        b"",
        b"9hello",
        b"b" + b"AAEC",  # a base64 binary packet
        b"4x\x1e",  # an empty packet after the separator
        b"\x1e".join([b"3"] * (MAX_POLLING_PACKETS + 1)),
    ],
)
async def test_a_body_that_is_not_engine_io_gets_400(http: httpx.AsyncClient, body: bytes) -> None:
    sid = await polling_session(http)
    reply = await post(http, sid, body)
    assert reply.status_code == 400
    await assert_session_gone(http, sid)
