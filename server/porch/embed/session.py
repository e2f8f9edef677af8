"""`POST /widget/v1/session`: the loader's first call on every page of a host site.

Cross-origin by design (the host page calls the Porch server), so CORS is answered here,
per site: only the site's allowed origins (and Porch's own, for the demo) get a session.
Every reply, refusals included, lets the calling page read it, so the loader can tell
"not allowed here" (stop) from a network failure (retry).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from porch import wire
from porch.bodies import BodyTooLarge, read_limited
from porch.ratelimit import RateLimiter, client_ip, retry_after_header
from porch.realtime.dispatch import describe
from porch.realtime.schemas import IdentityClaim, PageView
from porch.services import Services
from porch.sites.models import Site
from porch.sites.origins import is_own_origin, origin_allowed
from porch.text import TextOnly
from porch.visitors import browser
from porch.visitors.identity import Identity, hash_matches
from porch.visitors.models import Page
from porch.visitors.tokens import issue_visitor_token, read_visitor_token

PATH = "/widget/v1/session"
CHECK_PATH = "/widget/v1/check"
MAX_BODY_BYTES = 16 * 1024


SiteKey = Annotated[str, StringConstraints(min_length=1, max_length=64), TextOnly]


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    site_key: SiteKey
    visitor_token: Annotated[str, StringConstraints(max_length=512), TextOnly] | None = None
    page: PageView
    # Checked on its own: a malformed identity is reported, the session still opens.
    identity: dict[str, Any] | None = None
    # `{"language", "time_zone"}` as the browser says them; kept only if they look right
    # (porch.visitors.browser), never a reason to refuse the session.
    browser: Annotated[dict[str, Any], Field(max_length=4)] | None = None


class CheckRequest(BaseModel):
    """An install's "test connection": would a session open here? Nothing is stored."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    site_key: SiteKey
    # hex HMAC-SHA256 of the site key under the identity secret the install was given
    identity_hash: Annotated[str, StringConstraints(max_length=128), TextOnly] | None = None


R = TypeVar("R", SessionRequest, CheckRequest)


def routes(services: Services) -> list[BaseRoute]:
    limiter = services.limiter  # per client IP: a script cannot mint visitors without end

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

    async def check(request: Request) -> Response:
        return await check_site(services, limiter, request)

    return [
        Route(PATH, create, methods=["POST"]),
        Route(PATH, preflight, methods=["OPTIONS"]),
        Route(CHECK_PATH, check, methods=["POST"]),
    ]


async def create_session(services: Services, limiter: RateLimiter, request: Request) -> Response:
    checked = await _checked_request(services, limiter, request, SessionRequest)
    if isinstance(checked, Response):
        return checked
    site, body = checked
    return JSONResponse(await _open(services, site, body, request))


async def check_site(services: Services, limiter: RateLimiter, request: Request) -> Response:
    """Answers as a session request would (404, 403, 429…) but opens nothing, and says
    whether the install's identity secret is this site's."""
    checked = await _checked_request(services, limiter, request, CheckRequest)
    if isinstance(checked, Response):
        return checked
    site, body = checked
    reply: dict[str, Any] = {"site": {"name": site.name}}
    if body.identity_hash is not None:
        matches = hash_matches(site.identity_secret, site.key, body.identity_hash)
        reply["identity"] = "verified" if matches else "rejected"
    return JSONResponse(reply)


async def _checked_request(
    services: Services, limiter: RateLimiter, request: Request, model: type[R]
) -> tuple[Site, R] | Response:
    """The body and its site, once rate, size, shape, site key and origin have passed."""
    ip = client_ip(request)
    if not await limiter.allow("session", ip):
        wait = retry_after_header(await limiter.retry_after("session", ip))
        return _error(429, "too many new sessions, slow down", "rate_limited", wait)
    origin = request.headers.get("origin")
    try:
        body = model.model_validate_json(await read_limited(request, MAX_BODY_BYTES))
    except BodyTooLarge:
        return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    except ValidationError as exc:
        return _error(422, describe(exc))
    site = await services.sites.by_key(body.site_key)
    if site is None:
        return _error(404, "unknown site key", code="not_found")
    if origin is not None and not _allowed(services, request, origin, site.allowed_origins):
        return _error(403, f"origin {origin} may not embed this site's widget", code="forbidden")
    return site, body


async def _open(
    services: Services, site: Site, body: SessionRequest, request: Request
) -> dict[str, Any]:
    secret = services.config.secret_key
    claim = read_visitor_token(secret, body.visitor_token)
    # A token from another site (or a forged one) just means a new visitor here.
    known = claim.visitor_id if claim and claim.site_id == site.id else None
    page = Page(url=body.page.url, title=body.page.title, referrer=body.page.referrer)
    identity, problem = _verified(site, body.identity)
    said = browser.from_request(
        body.browser,
        request.headers.get("user-agent", ""),
        request.headers.get("accept-language", ""),
    )
    held = [await gate(site, known) for gate in services.page_view_gates]
    visitor = await services.visitors.open_session(
        site, known, page, identity, said, record_page=not any(held)
    )
    reply: dict[str, Any] = {
        "visitor_token": issue_visitor_token(secret, site.id, visitor.id),
        "visitor": {"id": visitor.id, "name": visitor.name, "verified": visitor.verified},
        "site": wire.site_for_widget(site),
        "operators_online": await services.presence.operators_online(),
        "unread": await services.conversations.visitor_unread(visitor.id)
        if known == visitor.id
        else 0,
    }
    for extra in services.session_extras:  # e.g. flows: the triggers to watch for
        reply.update(await extra(visitor, page, request))
    if body.identity is not None:
        # Said plainly so a site owner debugging their integration sees why in the console.
        reply["identity"] = f"rejected: {problem}" if problem else "verified"
    return reply


def _verified(site: Site, raw: dict[str, Any] | None) -> tuple[Identity | None, str]:
    """The identity the site vouched for, or why not (empty when nothing was claimed)."""
    if raw is None:
        return None, ""
    try:
        claim = IdentityClaim.model_validate(raw)
    except ValidationError as exc:
        return None, describe(exc)
    if not hash_matches(site.identity_secret, claim.id, claim.hash):
        return None, "the hash does not match this site's identity secret"
    return Identity(user_id=claim.id, name=claim.name, email=claim.email), ""


async def answer_preflight(services: Services, request: Request) -> Response:
    """The preflight carries no body, so no site key: allow origins that some site allows;
    the POST itself is then checked against its own site."""
    origin = request.headers.get("origin")
    if not origin:
        return _error(400, "a CORS preflight needs an Origin header")
    sites = await services.sites.all()
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


def _error(
    status: int, message: str, code: str = "invalid", headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"code": code, "message": message, "event": "session"}
    return JSONResponse({"error": error}, status_code=status, headers=headers)
