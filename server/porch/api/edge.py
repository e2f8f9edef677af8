"""The API's edge: every operation is declared once (`Operation`) with its scope, query,
body and reply types; `routes` turns them into Starlette routes that authenticate the key,
count it against its rate limit, check its scope, validate input, honour
`Idempotency-Key` on POST and shape every error the same way. The OpenAPI document is
built from the same declarations (`porch.api.openapi`)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from porch.actors import Actor
from porch.api.errors import ApiError, from_domain, from_validation
from porch.api.keys import ApiKey, KeyService
from porch.api.limits import ApiLimiter
from porch.api.tables import api_idempotency
from porch.bodies import BodyTooLarge, read_limited
from porch.db.upsert import insert_ignore
from porch.errors import DomainError
from porch.services import Services

log = logging.getLogger(__name__)

BASE = "/api/v1"
MAX_BODY = 1024 * 1024
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL
MAX_IDEMPOTENCY_KEY = 200
IDEMPOTENCY_KEPT = timedelta(hours=24)
"""How long a reply is remembered for its `Idempotency-Key` (older ones are dropped as
the key stores new ones)."""
Method = Literal["GET", "POST", "PATCH", "PUT", "DELETE"]
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
"""Every route takes every method, so an unsupported one gets the API's JSON 405."""


@dataclass
class Call:
    """One authenticated request, its validated input and the parts to serve it."""

    request: Request
    services: Services
    key: ApiKey
    ids: dict[str, int]
    query: Any
    body: Any

    @property
    def site_id(self) -> int:
        return self.key.site_id

    @property
    def actor(self) -> Actor:
        """Changes made through the API are the system's, named after the key."""
        return Actor.system(f"api: {self.key.name}")


Reply = dict[str, Any] | list[Any] | None
Handler = Callable[[Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Operation:
    method: Method
    path: str
    """Under /api/v1, with `{name}` for integer ids."""
    handler: Handler
    summary: str
    tag: str
    scope: Literal["read", "write"] = "read"
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: Any = None
    """The reply's type (a TypedDict or model) for the document; None: no body."""
    paged: bool = False
    """The reply is `{"data": [response...], "meta": {"next_cursor"}}`."""
    status: int = 200
    errors: tuple[int, ...] = field(default=())


@dataclass
class Api:
    services: Services
    keys: KeyService
    limiter: ApiLimiter
    operations: list[Operation] = field(default_factory=list)

    def add(self, *operations: Operation) -> None:
        self.operations.extend(operations)

    def routes(self) -> list[Route]:
        by_path: dict[str, dict[str, Operation]] = defaultdict(dict)
        for op in self.operations:
            by_path[op.path][op.method] = op
        # Fixed paths first: `/tickets/bulk` before `/tickets/{ticket_id}` would take it.
        ordered = sorted(by_path.items(), key=lambda item: item[0].count("{"))
        routes = [
            Route(BASE + path, self._endpoint(methods), methods=ANY_METHOD)
            for path, methods in ordered
        ]
        routes.append(Route(BASE + "/{rest:path}", _unknown, methods=ANY_METHOD))
        return routes

    def _endpoint(self, methods: dict[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                op = methods.get(request.method)
                if op is None:
                    allow = ", ".join(sorted(methods))
                    raise ApiError(405, f"use {allow}", headers={"Allow": allow})
                return await self._serve(op, request)
            except ApiError as exc:
                return exc.response()

        return endpoint

    async def _serve(self, op: Operation, request: Request) -> Response:
        key = await self._authenticate(request)
        verdict = await self.limiter.hit(key.id)
        if not verdict.allowed:
            message = "too many requests for this key: wait Retry-After seconds"
            raise ApiError(429, message, headers=verdict.headers)
        try:
            if op.scope == "write" and not key.can_write:
                raise ApiError(403, "this key may only read: make a write key to change things")
            response = await self._run(op, request, key)
        except ApiError as exc:
            exc.headers.update(verdict.headers)
            raise
        response.headers.update(verdict.headers)
        return response

    async def _authenticate(self, request: Request) -> ApiKey:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="porch"'}
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "send Authorization: Bearer porch_…", headers=challenge)
        key = await self.keys.authenticate(token.strip())
        if key is None:
            raise ApiError(401, "unknown or revoked API key", headers=challenge)
        return key

    async def _run(self, op: Operation, request: Request, key: ApiKey) -> Response:
        ids = _ids(request)
        query = _parse(op.query, dict(request.query_params), "query")
        raw = await _read(request) if op.method in ("POST", "PATCH", "PUT") else b""
        body = _parse(op.body, _json(raw), "body") if op.body else None
        call = Call(request, self.services, key, ids, query, body)
        idempotency = request.headers.get("idempotency-key")
        if op.method == "POST" and idempotency is not None:
            return await self._idempotent(op, call, idempotency, raw)
        status, content = await _call(op, call)
        return _respond(status, content)

    async def _idempotent(self, op: Operation, call: Call, idem: str, raw: bytes) -> Response:
        """The first reply to this key's `Idempotency-Key` again, for a retried request;
        409 when the key comes back with another request."""
        if not 0 < len(idem) <= MAX_IDEMPOTENCY_KEY or not idem.isascii():
            raise ApiError(400, "Idempotency-Key is 1 to 200 ASCII characters")
        digest = hashlib.sha256(f"{op.method} {call.request.url.path}\n".encode() + raw)
        request_hash = digest.hexdigest()
        where = (api_idempotency.c.key_id == call.key.id, api_idempotency.c.idempotency_key == idem)
        async with self.services.db.connect() as conn:
            stored = (await conn.execute(sa.select(api_idempotency).where(*where))).first()
        if stored is not None:
            if stored.request_hash != request_hash:
                raise ApiError(409, "this Idempotency-Key was used for another request")
            return _respond(stored.status, stored.body, {"Idempotent-Replayed": "true"})
        status, content = await _call(op, call)
        now = self.services.clock.now()
        values = {
            "key_id": call.key.id,
            "idempotency_key": idem,
            "request_hash": request_hash,
            "status": status,
            "body": content,
            "created_at": now,
        }
        expired = api_idempotency.c.created_at < now - IDEMPOTENCY_KEPT
        async with self.services.db.begin() as conn:
            await conn.execute(
                api_idempotency.delete().where(api_idempotency.c.key_id == call.key.id, expired)
            )
            await insert_ignore(conn, api_idempotency, values, ["key_id", "idempotency_key"])
        return _respond(status, content)


async def _call(op: Operation, call: Call) -> tuple[int, Reply]:
    try:
        return op.status, await op.handler(call)
    except DomainError as exc:
        raise from_domain(exc) from exc
    except ValidationError as exc:
        raise from_validation(exc, "body") from exc


def _respond(status: int, content: Reply, headers: dict[str, str] | None = None) -> Response:
    if content is None:
        return Response(status_code=204 if status == 200 else status, headers=headers)
    return JSONResponse(content, status, headers=headers)


def _ids(request: Request) -> dict[str, int]:
    """The path's ids; 404 (like any unknown record) for one that is not an id."""
    values = request.path_params.values()
    if not all(v.isascii() and v.isdigit() and 0 < len(v) <= 10 for v in values):
        raise ApiError(404, "no such record")
    ids = {name: int(value) for name, value in request.path_params.items()}
    if any(not 0 < value <= MAX_ID for value in ids.values()):
        raise ApiError(404, "no such record")
    return ids


def _parse(model: type[BaseModel] | None, data: Any, where: str) -> Any:
    if model is None:
        if where == "query" and data:
            raise ApiError(422, f"no query parameter {next(iter(data))!r}", field="query")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, where) from exc


async def _read(request: Request) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        raw = await read_limited(request, MAX_BODY)
    except BodyTooLarge:
        raise ApiError(413, f"a request body is at most {MAX_BODY} bytes") from None
    if raw and content_type != "application/json":
        raise ApiError(415, "send JSON with Content-Type: application/json")
    return raw


def _json(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "the body is not valid JSON") from None


async def _unknown(request: Request) -> Response:
    return ApiError(404, "no such endpoint: see /api/v1/openapi.json").response()
