"""Logs: one JSON object a line for machines, or plain text for a console, each line
carrying the request or socket event it belongs to.

The context travels in `contextvars`: the request middleware sets `request_id` for every
HTTP request and WebSocket (from a well-formed `X-Request-Id`, else a new one, echoed in
the response), and the Socket.IO dispatcher sets the event, namespace and sid while it
handles an event. Tasks started meanwhile inherit both (asyncio copies the context), so a
socket event's lines also carry the id of the connection that brought it.

Standard `logging` only, with a small formatter of our own rather than python-json-logger:
the fields are few and fixed, and uvicorn's access lines are unpacked into fields of their
own (`method`, `path`, `status`, `client`), which a generic formatter would not do.
This module imports nothing of Porch: any module may import it (the dispatcher does).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

REQUEST_ID: ContextVar[str | None] = ContextVar("porch_request_id", default=None)


@dataclass(frozen=True)
class SocketEvent:
    event: str
    namespace: str
    sid: str


SOCKET_EVENT: ContextVar[SocketEvent | None] = ContextVar("porch_socket_event", default=None)

_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,127}")
"""What we accept from `X-Request-Id` (nginx's `$request_id`, UUIDs, ULIDs…): nothing that
could break a log line or a header."""

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
SOCKETIO_LOGGERS = ("socketio.server", "engineio.server")
"""python-socketio and python-engineio give these a plain handler of their own unless a
level is set first: we set one (their errors only), so that their lines are ours too."""
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_NOT_EXTRA = _STANDARD | {"color_message", "request_id", "socket_event"}


def request_id_from(header: str | None) -> str:
    """The caller's id when it is well-formed, else a new one (32 hex digits)."""
    if header and _WELL_FORMED.fullmatch(header):
        return header
    return uuid.uuid4().hex


@contextmanager
def socket_event(event: str, namespace: str, sid: str) -> Iterator[None]:
    """While a Socket.IO event is handled, log lines name it."""
    token = SOCKET_EVENT.set(SocketEvent(event, namespace, sid))
    try:
        yield
    finally:
        SOCKET_EVENT.reset(token)


class ContextFilter(logging.Filter):
    """Copies the current request id and socket event onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get()
        if not hasattr(record, "socket_event"):
            record.socket_event = SOCKET_EVENT.get()
        return True


def _context(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request_id = getattr(record, "request_id", None)
    if request_id:
        fields["request_id"] = request_id
    event = getattr(record, "socket_event", None)
    if isinstance(event, SocketEvent):
        fields.update(event=event.event, namespace=event.namespace, sid=event.sid)
    return fields


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "pid", request_id?, event?, namespace?, sid?,
    exc?, …}`, one object a line; `extra=` fields are kept; uvicorn's access lines also get
    `client`, `method`, `path`, `http_version` and `status`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        line.update(_context(record))
        if record.name == "uvicorn.access":
            line.update(_access_fields(record.args))
        for key, value in vars(record).items():
            if key not in _NOT_EXTRA and not key.startswith("_") and key not in line:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _access_fields(args: Any) -> dict[str, Any]:
    """uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path, version, status)."""
    if not isinstance(args, tuple) or len(args) != 5:
        return {}
    client, method, path, version, status = args
    return {
        "client": client,
        "method": method,
        "path": path,
        "http_version": version,
        "status": status,
    }


class TextFormatter(logging.Formatter):
    """`2025-01-01 12:00:00,123 INFO porch.x: message [request_id=… event=…]`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = _context(record)
        if not context:
            return text
        tail = " ".join(f"{key}={value}" for key, value in context.items())
        first, newline, rest = text.partition("\n")  # before a traceback, if any
        return f"{first} [{tail}]{newline}{rest}"


def resolve_format(log_format: str, stream: IO[str]) -> str:
    """`auto`: text on a terminal (a person reads it), JSON otherwise (a collector does)."""
    if log_format != "auto":
        return log_format
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def configure_logging(log_format: str, level: str, stream: IO[str] | None = None) -> str:
    """Send every log record (ours, uvicorn's, libraries') through one handler on stderr
    with the chosen formatter; the format used (`json` or `text`)."""
    stream = stream or sys.stderr
    chosen = resolve_format(log_format, stream)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    handler.set_name("porch")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "porch"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in UVICORN_LOGGERS:  # uvicorn's loggers: ours, not its own handlers
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    for name in SOCKETIO_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)
    return chosen
