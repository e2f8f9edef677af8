"""The outermost ASGI middleware: a request id for every HTTP request and WebSocket, and
the request-latency histogram.

- Request id: a well-formed incoming `X-Request-Id` (from nginx's `$request_id`, say) is
  kept, else one is made; it is in every log line written while the request is handled
  (`porch.ops.logs`) and echoed in the response's `X-Request-Id` header.
- Latency: `porch_http_request_duration_seconds{method, route, status}`, labelled with
  the route's path template (`/panel/conversations/{id}`, never the raw path) or
  `unmatched`. Socket.IO (long polls, WebSockets) is left out, and so is `/metrics`:
  Socket.IO has its own gauges and counters.

Once a graceful shutdown has begun (`porch.ops.shutdown`), it refuses new Socket.IO
sessions (503: the client retries, and the balancer sends it elsewhere) and asks HTTP
clients to close their connections after each response (`Connection: close`), so that a
balancer's kept-alive upstream connections move to the other processes too. It carries
the process's `Shutdown` (`porch_shutdown`) for `porch.ops.server`.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porch.ops.logs import REQUEST_ID, request_id_from

if TYPE_CHECKING:
    from porch.ops.metrics import Metrics
    from porch.ops.shutdown import Shutdown

HEADER = b"x-request-id"
NOT_MEASURED = ("/socket.io/", "/metrics")


class RequestMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, shutdown: Shutdown | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.porch_shutdown = shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, HEADER))
        token = REQUEST_ID.set(request_id)
        draining = self.porch_shutdown is not None and self.porch_shutdown.draining
        added = [(HEADER, request_id.encode())]
        if draining and scope["type"] == "http":
            added.append((b"connection", b"close"))
        status = 500  # unless the app answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            elif message["type"] == "websocket.accept":
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        app = _refuse_new_sessions if draining and _new_socket_session(scope) else self.app
        started = time.perf_counter()
        try:
            await app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
            if scope["type"] == "http" and not _skipped(scope.get("path", "")):
                elapsed = time.perf_counter() - started
                self.metrics.request_served(scope["method"], route_template(scope), status, elapsed)


def _new_socket_session(scope: Scope) -> bool:
    """An Engine.IO handshake: a Socket.IO request that names no session yet."""
    path = str(scope.get("path", "")) + "/"
    query = scope.get("query_string", b"")
    return path.startswith(NOT_MEASURED[0]) and not re.search(rb"(?:^|&)sid=", query)


async def _refuse_new_sessions(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1013})  # "try again later"
        return
    body = b"shutting down: connect again"
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _skipped(path: str) -> bool:
    return path == NOT_MEASURED[1] or (path + "/").startswith(NOT_MEASURED[0])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def route_template(scope: Scope) -> str:
    """The path template of the route Starlette matched (it leaves the route in the
    scope), under the mounts it went through; `unmatched` for a 404."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    root = str(scope.get("root_path", ""))
    prefix = root[len(str(scope.get("app_root_path", ""))) :] if root else ""
    if isinstance(route, Mount):  # a mounted app (static files): the mount is the route
        return f"{prefix or path}/{{path}}"
    return prefix + path
