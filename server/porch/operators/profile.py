"""An operator's own profile page (`/panel/profile`, every signed-in operator): their
avatar, uploaded as a plain multipart form (one file, read with a size limit, CSRF
checked) or removed; and the avatars themselves, served by digest to the panel and the
widget frame (`/avatars/<digest>.webp`, cacheable for a year: a new avatar is a new URL).
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from porch.bodies import BodyTooLarge, read_limited
from porch.operators.avatars import CONTENT_TYPE, MAX_UPLOAD, PATH, Avatars
from porch.operators.service import OperatorError
from porch.panel import csrf
from porch.panel.auth import SignedIn, redirect_to_login, signed_in
from porch.panel.headers import secured_route
from porch.panel.pages import form_post, operators_only, page_html
from porch.panel.render import error_page, form_expired_page
from porch.services import Services

PROFILE_PATH = "/panel/profile"
_DIGEST = re.compile(r"^([0-9a-f]{64})\.webp$")
_FLASHES = {"saved": "Your avatar is saved.", "removed": "Your avatar is removed."}
# Named by content: the bytes behind a URL never change, so browsers keep them a year.
AVATAR_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def routes(services: Services) -> list[Route]:
    avatars = Avatars(services.db)

    def show(who: SignedIn, flash: str = "", error: str = "", status: int = 200) -> Response:
        html = page_html(
            services,
            who,
            "operators/profile.html",
            "profile",
            flash=flash,
            error=error,
            max_mb=MAX_UPLOAD // (1024 * 1024),
        )
        headers = {"Cache-Control": "no-store"}
        return Response(html, status, headers=headers, media_type="text/html")

    async def page(request: Request, who: SignedIn) -> Response:
        flash = next((m for k, m in _FLASHES.items() if k in request.query_params), "")
        return show(who, flash=flash)

    async def upload(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return redirect_to_login(request, back_to=PROFILE_PATH)
        try:
            form_token, data = await _read_upload(request)
            csrf.check_session_form(
                request, {csrf.FIELD_NAME: form_token}, who.session, services.config
            )
            await avatars.set(who.operator.id, data)
        except BodyTooLarge:
            limit = MAX_UPLOAD // (1024 * 1024)
            return show(who, error=f"An avatar is at most {limit} MB.", status=413)
        except csrf.CsrfError:
            return form_expired_page(services, "Your avatar was not changed.")
        except OperatorError as exc:
            return show(who, error=str(exc), status=422)
        return RedirectResponse(f"{PROFILE_PATH}?saved=1", status_code=303)

    async def remove(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await avatars.remove(who.operator.id)
        return RedirectResponse(f"{PROFILE_PATH}?removed=1", status_code=303)

    async def image(request: Request) -> Response:
        found = _DIGEST.match(request.path_params["name"])
        data = await avatars.image(found.group(1)) if found else None
        if data is None:
            return error_page(services, 404, "Not found", "No such avatar.")
        return Response(data, media_type=CONTENT_TYPE, headers=AVATAR_HEADERS)

    return [
        secured_route(PROFILE_PATH, operators_only(services, page), "GET"),
        secured_route(f"{PROFILE_PATH}/avatar", upload, "POST"),
        secured_route(
            f"{PROFILE_PATH}/avatar/remove", form_post(services, PROFILE_PATH, remove), "POST"
        ),
        Route(f"{PATH}/{{name}}", image, methods=["GET"]),
    ]


async def _read_upload(request: Request) -> tuple[str, bytes]:
    """(the form's CSRF token, the file's bytes) from a multipart form with one file;
    OperatorError for anything else, BodyTooLarge past the limit (with room for the form)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise OperatorError("Choose an image file to upload.")
    body = await read_limited(request, MAX_UPLOAD + 64 * 1024)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        request.headers, stream(), max_files=1, max_fields=4, max_part_size=64 * 1024
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise OperatorError("The upload could not be read: choose one image file.") from exc
    token, upload = form.get(csrf.FIELD_NAME), form.get("avatar")
    if not isinstance(token, str):
        raise csrf.CsrfError
    if not isinstance(upload, UploadFile):
        raise OperatorError("Choose an image file to upload.")
    data = await upload.read()
    await form.close()
    if not data:
        raise OperatorError("Choose an image file to upload.")
    return token, data
