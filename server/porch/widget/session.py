"""`POST /widget/v1/session`: the loader's first call on every page of a host site.

Cross-origin by design (the host page calls the Porch server), so CORS is answered here,
per site: only the site's allowed origins (and Porch's own, for the demo) get a session.
Every reply, refusals included, lets the calling page read it, so the loader can tell
"not allowed here" (stop) from a network failure (retry).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from porch.chat.models import Page, Site
from porch.chat.origins import is_own_origin, origin_allowed
from porch.chat.tokens import issue_visitor_token, read_visitor_token
from porch.ratelimit import RateLimiter, client_ip, retry_after_header
from porch.realtime.dispatch import describe
from porch.realtime.schemas import PageView
from porch.services import Services

PATH = "/widget/v1/session"
MAX_BODY_BYTES = 16 * 1024


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    site_key: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    visitor_token: Annotated[str, StringConstraints(max_length=512)] | None = None
    page: PageView


class BodyTooLarge(Exception):
    pass


def routes(services: Services) -> list[BaseRoute]:
    limiter = RateLimiter()  # per client IP: a script cannot mint visitors without end

    async def create(request: Request) -> Response:
        response = await create_session(services, limiter, request)
        origin = request.headers.get("origin")
        if origin:
            # Refusals are readable too, so the loader stops instead of retrying; what
            # protects a site is the refusal itself, not hiding it.
            response.headers.update(_cors(origin))
        return response

    async def preflight(request: Request) -> Response:
        return await answer_preflight(services, request)

    return [Route(PATH, create, methods=["POST"]), Route(PATH, preflight, methods=["OPTIONS"])]


async def create_session(services: Services, limiter: RateLimiter, request: Request) -> Response:
    ip = client_ip(request)
    if not limiter.allow("session", ip):
        wait = retry_after_header(limiter.retry_after("session", ip))
        return _error(429, "too many new sessions, slow down", "rate_limited", wait)
    origin = request.headers.get("origin")
    try:
        body = SessionRequest.model_validate_json(await _read_body(request))
    except BodyTooLarge:
        return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    except ValidationError as exc:
        return _error(422, describe(exc))
    site = await services.chat.get_site_by_key(body.site_key)
    if site is None:
        return _error(404, "unknown site key", code="not_found")
    if origin is not None and not _allowed(services, request, origin, site.allowed_origins):
        return _error(403, f"origin {origin} may not embed this site's widget", code="forbidden")
    reply = await _open(services, site, body)
    return JSONResponse(reply)


async def _open(services: Services, site: Site, body: SessionRequest) -> dict[str, Any]:
    secret = services.config.secret_key
    claim = read_visitor_token(secret, body.visitor_token)
    # A token from another site (or a forged one) just means a new visitor here.
    known = claim.visitor_id if claim and claim.site_id == site.id else None
    page = Page(url=body.page.url, title=body.page.title, referrer=body.page.referrer)
    visitor = await services.chat.open_session(site, known, page)
    return {
        "visitor_token": issue_visitor_token(secret, site.id, visitor.id),
        "visitor": {"id": visitor.id, "name": visitor.name},
        "site": site.to_widget(),
        "operators_online": services.presence.operators_online(),
        "unread": await services.chat.visitor_unread(visitor.id) if known == visitor.id else 0,
    }


async def answer_preflight(services: Services, request: Request) -> Response:
    """The preflight carries no body, so no site key: allow origins that some site allows;
    the POST itself is then checked against its own site."""
    origin = request.headers.get("origin")
    if not origin:
        return _error(400, "a CORS preflight needs an Origin header")
    sites = await services.chat.list_sites()
    if not any(_allowed(services, request, origin, site.allowed_origins) for site in sites):
        return _error(403, f"origin {origin} may not use Porch", code="forbidden")
    headers = {
        **_cors(origin),
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    return Response(status_code=204, headers=headers)


def _allowed(services: Services, request: Request, origin: str, patterns: list[str]) -> bool:
    host = request.headers.get("host", "")
    own = is_own_origin(origin, services.config.base_url, request.url.scheme, host)
    return own or origin_allowed(origin, patterns)


def _cors(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge
    return body


def _error(
    status: int, message: str, code: str = "invalid", headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"code": code, "message": message, "event": "session"}
    return JSONResponse({"error": error}, status_code=status, headers=headers)
