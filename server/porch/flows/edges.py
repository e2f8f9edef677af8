"""The loader's flow edges (docs/protocol.md): what to watch for, added to the session
reply; `POST /widget/v1/flows/fire` when a watcher fires; `POST /widget/v1/ping`, the
loader's presence beacon, which keeps a visitor online without the widget (Brython) at
idle. All cross-origin like the session endpoint: the token names the visitor, the
origin must be one of its site's."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from porch import wire
from porch.bodies import BodyTooLarge, read_limited
from porch.errors import DomainError
from porch.realtime.dispatch import describe
from porch.realtime.schemas import Id, PageView, VisitorUpdate
from porch.sites.origins import is_own_origin, origin_allowed
from porch.text import TextOnly
from porch.visitors.models import Page, Visitor
from porch.visitors.tokens import read_visitor_token

if TYPE_CHECKING:
    from porch.flows.engine import FlowEngine
    from porch.services import Services

log = logging.getLogger(__name__)

FIRE_PATH = "/widget/v1/flows/fire"
PING_PATH = "/widget/v1/ping"
MAX_BODY_BYTES = 16 * 1024
PING_SECONDS = 60
"""How often the loader pings while its page is visible: under the presence window (2
minutes), so a visitor on a page stays online."""
DISPLAYS = ("teaser", "open")

Token = Annotated[str, StringConstraints(min_length=1, max_length=512), TextOnly]


class Cart(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Annotated[float, Field(ge=0, le=1e12)] = 0
    items: Annotated[int, Field(ge=0, le=100_000)] = 0


class FireRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    visitor_token: Token
    on: Literal["now", "timer", "scroll", "exit", "click", "form", "cart_add", "cart", "event"]
    flows: Annotated[list[Id], Field(min_length=1, max_length=50)]
    page: PageView
    cart: Cart | None = None
    event: Annotated[str, StringConstraints(max_length=100), TextOnly] | None = None


class PingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    visitor_token: Token
    page: PageView | None = None
    """Sent when the page changed (History API navigation) since the last request."""
    visitor: VisitorUpdate | None = None
    """`Porch.setVisitor({name, email, …})` while the widget is not loaded."""


def attach(services: Services, engine: FlowEngine) -> None:
    async def fire(request: Request) -> Response:
        return await _answer(services, request, FireRequest, engine, _fire)

    async def ping(request: Request) -> Response:
        return await _answer(services, request, PingRequest, engine, _ping)

    async def watch(visitor: Visitor, page: Page, request: Request) -> dict[str, Any]:
        return {"watch": await watch_reply(services, engine, visitor, page, request)}

    services.routes += [
        Route(FIRE_PATH, fire, methods=["POST"]),
        Route(PING_PATH, ping, methods=["POST"]),
    ]
    services.session_extras.append(watch)


async def watch_reply(
    services: Services, engine: FlowEngine, visitor: Visitor, page: Page, request: Request
) -> dict[str, Any]:
    """The session reply's `watch`: the loader arms these watchers and, seeing the key,
    loads the widget only on intent (hover, focus, click, an unread reply, a flow)."""
    context = _browser(request) | {"url": page.url, "referrer": page.referrer}
    site = await services.sites.get(visitor.site_id)
    display = site.settings.get("flows_display", "teaser") if site else "teaser"
    return {
        "triggers": await engine.watchers(visitor.id, context),
        "display": display if display in DISPLAYS else "teaser",
        "ping_seconds": PING_SECONDS,
    }


def _browser(request: Request) -> dict[str, str]:
    return {
        "user_agent": request.headers.get("user-agent", "")[:500],
        "language": request.headers.get("accept-language", "").split(",")[0][:35],
    }


async def _answer(
    services: Services, request: Request, model: type[Any], engine: FlowEngine, handle: Any
) -> Response:
    origin = request.headers.get("origin")
    try:
        body = model.model_validate_json(await read_limited(request, MAX_BODY_BYTES))
    except BodyTooLarge:
        return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes", origin)
    except ValidationError as exc:
        return _error(422, describe(exc), origin)
    claim = read_visitor_token(services.config.secret_key, body.visitor_token)
    visitor = await services.visitors.get(claim.visitor_id) if claim else None
    if visitor is None or claim is None or visitor.site_id != claim.site_id:
        return _error(403, "unknown visitor", origin, "forbidden")
    site = await services.sites.get(visitor.site_id)
    if site is None:
        return _error(404, "unknown site", origin, "not_found")
    if origin is not None:
        host = request.headers.get("host", "")
        own = is_own_origin(origin, services.config.base_url, request.url.scheme, host)
        if not (own or origin_allowed(origin, site.allowed_origins)):
            return _error(403, f"origin {origin} may not use this site", origin, "forbidden")
    limit_key = f"visitor:{visitor.id}"
    if not await services.limiter.allow("page_view", limit_key):
        return _error(429, "too many requests, slow down", origin, "rate_limited")
    try:
        reply = await handle(services, engine, visitor, body, request)
    except DomainError as exc:
        return _error(422, str(exc), origin, exc.code)
    response = JSONResponse(reply)
    if origin:
        response.headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    return response


async def _fire(
    services: Services, engine: FlowEngine, visitor: Visitor, body: FireRequest, request: Request
) -> dict[str, Any]:
    context: dict[str, Any] = _browser(request) | {
        "url": body.page.url,
        "referrer": body.page.referrer,
    }
    if body.cart is not None:
        context["cart"] = body.cart.model_dump()
    started = await engine.fire(visitor.id, body.on, list(body.flows), context, body.event)
    if started is None:
        return {"started": None, "messages": [], "open": False}
    return {
        "started": started.run.flow_id,
        "messages": [wire.message(m) for m in started.messages],
        "open": started.open_widget,
    }


async def _ping(
    services: Services, engine: FlowEngine, visitor: Visitor, body: PingRequest, request: Request
) -> dict[str, Any]:
    if body.page is not None:
        page = Page(body.page.url, body.page.title, body.page.referrer)
        await services.visitors.record_page_view(visitor.id, page)  # also "seen"
    else:
        await services.presence.visitor_pinged(visitor.id)
    if body.visitor is not None:
        update = body.visitor
        await services.visitors.update(
            visitor.id, name=update.name, email=update.email, attributes=update.attributes
        )
    reply: dict[str, Any] = {"unread": await services.conversations.visitor_unread(visitor.id)}
    if body.page is not None:
        page = Page(body.page.url, body.page.title, body.page.referrer)
        reply["watch"] = await watch_reply(services, engine, visitor, page, request)
    return reply


def _error(status: int, message: str, origin: str | None, code: str = "invalid") -> Response:
    response = JSONResponse(
        {"error": {"code": code, "message": message, "event": "flows"}}, status_code=status
    )
    if origin:
        response.headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    return response
