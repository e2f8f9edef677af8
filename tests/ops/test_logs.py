"""Structured logs: JSON lines from a real `porch serve`, each with the request id it
belongs to (echoed to the client), and the socket event in lines written while one is
handled."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from porch.app import create_app
from porch.config import Config
from porch.ops.logs import (
    REQUEST_ID,
    SOCKET_EVENT,
    ContextFilter,
    JsonFormatter,
    SocketEvent,
    TextFormatter,
    configure_logging,
    request_id_from,
    resolve_format,
    socket_event,
)
from tests.ops.conftest import WAIT, porch_serve
from tests.support.chat_clients import open_session, seed, visitor_client
from tests.support.live_server import LiveServer, serve_in_thread

HEX32 = re.compile(r"[0-9a-f]{32}")


async def test_porch_serve_writes_json_lines_with_request_ids(
    tmp_path: Path, sqlite_url: str
) -> None:
    with porch_serve(tmp_path, sqlite_url, "--log-format", "json") as served:
        async with httpx.AsyncClient(base_url=served.url) as http:
            kept = await http.get("/healthz", headers={"X-Request-Id": "edge-42.a"})
            spaced = await http.get("/readyz", headers={"X-Request-Id": "not an id"})
            long = await http.get("/readyz", headers={"X-Request-Id": "x" * 200})
            made = await http.get("/panel/login")
        ws_url = served.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
        async with connect(ws_url, additional_headers={"X-Request-Id": "ws-7"}) as ws:
            await ws.recv()  # Engine.IO's OPEN
            await ws.send(b"\x00binary")  # not our protocol: dropped, with a log line
            await ws.wait_closed()
        served.sigterm()
        assert served.proc.wait(WAIT) == 0, served.output()

    assert kept.headers["x-request-id"] == "edge-42.a"
    for reply in (spaced, long, made):
        assert HEX32.fullmatch(reply.headers["x-request-id"]), reply.headers
    lines = served.log_lines()  # every line is one JSON object
    assert all({"time", "level", "logger", "message", "pid"} <= line.keys() for line in lines)
    assert all(line["time"].endswith("+00:00") for line in lines)

    def access(path: str) -> list[dict[str, Any]]:
        return [
            line for line in lines if line["logger"] == "uvicorn.access" and line["path"] == path
        ]

    (healthz,) = [line for line in access("/healthz") if line["request_id"] == "edge-42.a"]
    assert (healthz["method"], healthz["status"], healthz["level"]) == ("GET", 200, "info")
    assert {line["request_id"] for line in access("/readyz")} == {
        spaced.headers["x-request-id"],
        long.headers["x-request-id"],
    }
    (login,) = access("/panel/login")
    assert login["request_id"] == made.headers["x-request-id"]
    (dropped,) = [line for line in lines if "binary frame" in line["message"]]
    assert dropped["request_id"] == "ws-7" and dropped["level"] == "warning"


async def test_socket_events_run_with_their_event_sid_and_connection_id(
    tmp_path: Path, config: Config
) -> None:
    app = create_app(config)
    services = app.porch_shutdown.services  # type: ignore[attr-defined]
    seen: list[tuple[SocketEvent | None, str | None]] = []

    async def failing_send(*_args: Any, **_kwargs: Any) -> Any:
        seen.append((SOCKET_EVENT.get(), REQUEST_ID.get()))
        raise RuntimeError("boom")

    services.conversations.send_visitor_message = failing_send
    server = LiveServer(config, serve_in_thread(app, config.port))
    try:
        session = await open_session(server, seed(server).site.key)
        widget = await visitor_client(server, session["visitor_token"])
        try:
            ack = await widget.call("message.send", {"client_id": "c-1", "body": "Hi"})
            sid = widget.sio.get_sid("/visitor")
        finally:
            await widget.close()
    finally:
        server.stop()
    assert ack["error"]["code"] == "internal"
    ((event, request_id),) = seen
    assert event == SocketEvent("message.send", "/visitor", sid)
    assert request_id is not None and HEX32.fullmatch(request_id)  # the connection's


def _record(message: str, **extra: Any) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "porch.test", "levelname": "WARNING", "msg": message})
    record.__dict__.update(extra)
    ContextFilter().filter(record)
    return record


def test_json_lines_carry_the_context_extras_and_tracebacks() -> None:
    token = REQUEST_ID.set("req-1")
    try:
        with socket_event("typing", "/operator", "sid-9"):
            record = _record("line one\nline two", site_id=3)
    finally:
        REQUEST_ID.reset(token)
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "line one\nline two"  # still one line: JSON escapes it
    assert (line["request_id"], line["event"], line["namespace"], line["sid"]) == (
        "req-1",
        "typing",
        "/operator",
        "sid-9",
    )
    assert line["site_id"] == 3 and line["level"] == "warning"
    assert "ValueError: bad" in line["exc"]
    assert "\n" not in JsonFormatter().format(record)


def test_text_lines_name_the_context_after_the_message() -> None:
    with socket_event("message.send", "/visitor", "abc"):
        text = TextFormatter().format(_record("hello"))
    assert text.endswith(
        "WARNING porch.test: hello [event=message.send namespace=/visitor sid=abc]"
    )
    assert TextFormatter().format(_record("plain")).endswith("porch.test: plain")


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("abc", True),
        ("0f7a1c2e-8d4b-4c7e-9a51-3b2f6d1e0a9c", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("two words", False),
        ("-leading-dash", False),
        ('quote"', False),
    ],
)
def test_request_ids_are_kept_only_when_well_formed(header: str, kept: bool) -> None:
    given = request_id_from(header)
    assert (given == header) is kept
    if not kept:
        assert HEX32.fullmatch(given)


def test_auto_is_text_on_a_terminal_and_json_otherwise() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert resolve_format("auto", Terminal()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", Terminal()) == "json"


def test_configure_logging_sends_every_logger_through_one_formatter() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    assert configure_logging("auto", "warning", stream=out) == "json"
    try:
        token = REQUEST_ID.set("r-9")
        try:
            logging.getLogger("uvicorn.error").warning("from uvicorn")
            logging.getLogger("porch.anything").error("from porch", extra={"job_id": 7})
            logging.getLogger("porch.anything").info("below the level")
        finally:
            REQUEST_ID.reset(token)
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "porch"]:
            root.removeHandler(handler)
        root.setLevel(level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("uvicorn.error", "from uvicorn"),
        ("porch.anything", "from porch"),
    ]
    assert all(line["request_id"] == "r-9" for line in lines)
    assert lines[1]["job_id"] == 7
