"""The HTTP edges: uploads (visitors by their widget token, operators by session and CSRF)
and the signed download URL.

Uploads are the raw file as the request body (`?name=` carries the file name): one file
per request, read with a hard size limit, no multipart spooling to disk. Downloads never
let the browser guess or run anything: the type is the one the content showed, anything
but a raster image is a download, `nosniff`, and a CSP with no script at all.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from porch.attachments import signing
from porch.attachments.models import INLINE_TYPES, Attachment, Uploader
from porch.attachments.service import AttachmentService, max_bytes
from porch.bodies import BodyTooLarge, read_limited
from porch.errors import DomainError, NotFound
from porch.panel import csrf
from porch.panel.auth import signed_in
from porch.ratelimit import retry_after_header
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.tokens import read_visitor_token

VISITOR_PATH = "/widget/v1/attachments"
OPERATOR_PATH = "/panel/attachments"
CSRF_HEADER = "x-csrf-token"
DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def routes(services: Services, service: AttachmentService) -> list[BaseRoute]:
    async def visitor_upload(request: Request) -> Response:
        return await _visitor_upload(services, service, request)

    async def operator_upload(request: Request) -> Response:
        return await _operator_upload(services, service, request)

    async def download(request: Request) -> Response:
        return await _download(services, service, request)

    return [
        Route(VISITOR_PATH, visitor_upload, methods=["POST"]),
        Route(OPERATOR_PATH, operator_upload, methods=["POST"]),
        Route(signing.PATH + "/{attachment_id}/{variant}", download, methods=["GET"]),
    ]


async def _visitor_upload(
    services: Services, service: AttachmentService, request: Request
) -> Response:
    auth = request.headers.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else None
    claim = read_visitor_token(services.config.secret_key, token)
    visitor = await services.visitors.get(claim.visitor_id) if claim else None
    if claim is None or visitor is None or visitor.site_id != claim.site_id:
        return _error(401, "unauthorized", "a valid visitor token is needed")
    site = await services.sites.get(claim.site_id)
    if site is None:
        return _error(401, "unauthorized", "a valid visitor token is needed")
    return await _upload(services, service, request, site, Uploader("visitor", visitor.id))


async def _operator_upload(
    services: Services, service: AttachmentService, request: Request
) -> Response:
    who = await signed_in(request, services)
    if who is None:
        return _error(401, "unauthorized", "sign in first")
    try:
        sent = {csrf.FIELD_NAME: request.headers.get(CSRF_HEADER, "")}
        csrf.check_session_form(request, sent, who.session, services.config)
    except csrf.CsrfError:
        return _error(403, "forbidden", "the upload did not come from the panel")
    raw = request.query_params.get("conversation_id", "")
    if not raw.isdigit() or len(raw) > 18:
        return _error(422, "invalid", "conversation_id is needed")
    try:
        summary = await services.conversations.summary(int(raw))
    except NotFound:
        return _error(404, "not_found", "no such conversation")
    site = await services.sites.get(summary.conversation.site_id)
    if site is None:
        return _error(404, "not_found", "no such conversation")
    uploader = Uploader("operator", who.operator.id)
    return await _upload(services, service, request, site, uploader, int(raw))


async def _upload(
    services: Services,
    service: AttachmentService,
    request: Request,
    site: Site,
    uploader: Uploader,
    conversation_id: int | None = None,
) -> Response:
    key = f"{uploader.kind}:{uploader.id}"
    if not await services.limiter.allow("upload", key):
        wait = retry_after_header(await services.limiter.retry_after("upload", key))
        return _error(429, "rate_limited", "too many uploads, slow down", wait)
    limit = max_bytes(site)
    try:
        data = await read_limited(request, limit)
    except BodyTooLarge:
        return _error(413, "too_large", f"files are at most {limit // (1024 * 1024)} MB here")
    name = request.query_params.get("name", "")[:1000]
    try:
        attachment = await service.upload(site, uploader, name, data, conversation_id)
    except DomainError as exc:
        return _error(422 if exc.code != "too_large" else 413, exc.code, str(exc))
    return JSONResponse({"ok": True, "attachment": links(services, attachment)})


def links(services: Services, attachment: Attachment) -> dict[str, Any]:
    """The attachment's part plus fresh signed URLs for whoever is allowed to see it."""
    now, secret = services.clock.now(), services.config.secret_key
    shape = attachment.part()
    shape["url"] = signing.signed_url(secret, attachment.id, "file", now)
    if attachment.thumbnail_key:
        shape["thumbnail_url"] = signing.signed_url(secret, attachment.id, "thumb", now)
    return shape


async def _download(services: Services, service: AttachmentService, request: Request) -> Response:
    attachment_id = request.path_params["attachment_id"]
    variant = request.path_params["variant"]
    expires, signature = request.query_params.get("e", ""), request.query_params.get("s", "")
    secret, now = services.config.secret_key, services.clock.now()
    if not signing.valid(secret, attachment_id, variant, expires, signature, now):
        return _error(403, "forbidden", "this link is not valid or has expired")
    try:
        attachment = await service.get(attachment_id)
        data = await service.read(attachment, variant)
    except NotFound:
        return _error(404, "not_found", "no such file")
    content_type = "image/webp" if variant == "thumb" else attachment.content_type
    inline = content_type in INLINE_TYPES
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": f"private, max-age={int(signing.LIFETIME.total_seconds())}",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
    }
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return Response(data, media_type=content_type, headers=headers)


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    error = {"code": code, "message": message, "event": "upload"}
    return JSONResponse({"ok": False, "error": error}, status_code=status, headers=headers)
