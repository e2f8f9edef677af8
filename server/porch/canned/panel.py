"""Settings → Canned replies (`/panel/settings/canned`): plain server-rendered forms (POST,
then redirect), like the rest of Settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.canned.models import MAX_BODY, MAX_TITLE, PLACEHOLDERS
from porch.canned.service import CannedReplies
from porch.errors import DomainError
from porch.panel.auth import SignedIn
from porch.panel.forms import FormError, field
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, form_post, operators_only, page_html
from porch.services import Services

CANNED_PATH = "/panel/settings/canned"


def routes(services: Services, canned: CannedReplies) -> list[Route]:
    async def show(
        who: SignedIn, values: dict[str, str] | None = None, problem: str = "", flash: str = ""
    ) -> Response:
        sites = await services.sites.all()
        rows = [(site, await canned.replies(site.id, who.operator.id)) for site in sites]
        html = page_html(
            services,
            who,
            "canned/canned.html",
            "settings",
            sites=rows,
            values=values or {},
            problem=problem,
            flash=flash,
            placeholders=PLACEHOLDERS,
            max_title=MAX_TITLE,
            max_body=MAX_BODY,
        )
        return HTMLResponse(
            html, status_code=422 if problem else 200, headers={"Cache-Control": "no-store"}
        )

    async def page(request: Request, who: SignedIn) -> Response:
        flash = {"added": "Canned reply added.", "removed": "Canned reply removed."}
        return await show(who, flash=flash.get(request.query_params.get("done", ""), ""))

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        return form_post(services, CANNED_PATH, handler)

    async def add(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        values = {
            "site_id": field(form, "site_id", 12),
            "shortcut": field(form, "shortcut", 40),
            "title": field(form, "title", MAX_TITLE),
            "body": field(form, "body", MAX_BODY),
            "scope": field(form, "scope", 10),
        }
        owner = who.operator.id if values["scope"] == "personal" else None
        try:
            if not values["site_id"].isdigit():
                raise FormError(422, "Pick a site.")
            await canned.add(
                int(values["site_id"]),
                values["shortcut"],
                values["title"],
                values["body"],
                owner,
            )
        except DomainError as exc:
            return await show(who, values, str(exc))
        return RedirectResponse(f"{CANNED_PATH}?done=added", status_code=303)

    async def remove(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        try:
            await canned.remove(int(request.path_params["reply_id"]), who.operator.id)
        except DomainError as exc:
            return await show(who, problem=str(exc))
        return RedirectResponse(f"{CANNED_PATH}?done=removed", status_code=303)

    return [
        secured_route(CANNED_PATH, operators_only(services, page), "GET"),
        secured_route(CANNED_PATH, posted(add), "POST"),
        secured_route(f"{CANNED_PATH}/{{reply_id:int}}/delete", posted(remove), "POST"),
    ]
