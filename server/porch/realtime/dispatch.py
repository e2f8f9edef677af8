"""The shared shape of our Socket.IO namespaces: every inbound event is rate-limited,
validated by its pydantic model, then handed to one method; every failure becomes an
`error` event (and an error ack when the client asked for one), never a crash."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

import socketio
from pydantic import ValidationError
from socketio.exceptions import ConnectionRefusedError as Refused

__all__ = [
    "Ack",
    "EventNamespace",
    "Refused",
    "RequestError",
    "Routed",
    "handles",
    "when_connected",
]

from porch.errors import DomainError
from porch.ops.logs import socket_event
from porch.ratelimit import RateLimiter
from porch.realtime.schemas import Payload
from porch.services import Services

log = logging.getLogger(__name__)

Ack = dict[str, Any] | None
H = TypeVar("H", bound=Callable[..., Awaitable[Ack]])


class RequestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Route:
    method: str
    schema: type[Payload]
    limit: str


def handles(event: str, schema: type[Payload], limit: str) -> Callable[[H], H]:
    """Mark a namespace method as the handler of `event`, fed a validated `schema`."""

    def mark(method: H) -> H:
        method.__porch_route__ = (event, schema, limit)  # type: ignore[attr-defined]
        return method

    return mark


def describe(error: ValidationError) -> str:
    """A short human sentence from pydantic's errors, e.g. `body: String should have…`."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "payload"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


async def when_connected(server: socketio.AsyncServer, sid: str, namespace: str) -> None:
    """Wait until the client has its CONNECT packet: anything emitted from inside the
    connect handler would otherwise reach it first."""
    for _ in range(500):
        if not server.manager.is_pre_connected(sid, namespace):
            return
        await asyncio.sleep(0.01)


class Routed:
    """A class whose `@handles` methods are socket events: collected into `routes`."""

    routes: ClassVar[dict[str, Route]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.routes = {}
        for name, member in vars(cls).items():
            if hasattr(member, "__porch_route__"):
                event, schema, limit = member.__porch_route__
                cls.routes[event] = Route(name, schema, limit)


class EventNamespace(Routed, socketio.AsyncNamespace):
    def __init__(self, namespace: str, services: Services, limiter: RateLimiter) -> None:
        super().__init__(namespace)
        self.services = services
        self.limiter = limiter
        self._extensions: dict[str, tuple[Route, Routed]] = {}

    def extend(self, handlers: Routed) -> None:
        """Serve another feature's `@handles` events on this namespace (tickets on
        `/operator`): validated, rate-limited and failed exactly like its own."""
        for event, route in type(handlers).routes.items():
            if event in self.routes or event in self._extensions:
                raise ValueError(f"{self.namespace} already handles {event!r}")
            self._extensions[event] = (route, handlers)

    async def rate_key(self, sid: str) -> str:
        """Whose budget an event spends (a person, not a socket)."""
        raise NotImplementedError

    async def trigger_event(self, event: str, *args: Any) -> Any:
        sid = str(args[0]) if args else ""
        with socket_event(event, self.namespace, sid):  # in every log line meanwhile
            return await self._trigger(event, *args)

    async def _trigger(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await self._lifecycle(event, *args)
        sid, data = args[0], args[1:]
        try:
            return await self._dispatch(event, sid, data)
        except RequestError as exc:
            return await self.fail(sid, event, exc.code, exc.message)
        except DomainError as exc:
            return await self.fail(sid, event, exc.code, str(exc))
        except Exception:
            log.exception("%s %s failed", self.namespace, event)
            return await self.fail(sid, event, "internal", "something went wrong on our side")

    async def _lifecycle(self, event: str, *args: Any) -> Any:
        try:
            return await super().trigger_event(event, *args)
        except (ConnectionRefusedError, Refused):
            raise
        except Exception:
            log.exception("%s %s failed", self.namespace, event)
            if event == "connect":
                raise Refused("internal error") from None
            return None

    async def _dispatch(self, event: str, sid: str, data: tuple[Any, ...]) -> Ack:
        route, owner = self.routes.get(event), cast(Routed, self)
        if route is None and event in self._extensions:
            route, owner = self._extensions[event]
        if route is None:
            raise RequestError("invalid", f"unknown event {event!r}")
        if len(data) > 1:
            raise RequestError("invalid", "send one payload object")
        if not await self.limiter.allow(route.limit, await self.rate_key(sid)):
            raise RequestError("rate_limited", "too many requests, slow down")
        try:
            payload = route.schema.model_validate(data[0] if data else {})
        except ValidationError as exc:
            raise RequestError("invalid", describe(exc)) from None
        handler: Callable[[str, Payload], Awaitable[Ack]] = getattr(owner, route.method)
        return await handler(sid, payload)

    async def fail(self, sid: str, event: str, code: str, message: str) -> Ack:
        error = {"code": code, "message": message, "event": event}
        await self.emit("error", error, to=sid)
        return {"ok": False, "error": error}
