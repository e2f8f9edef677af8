"""The signed-in pages: server-rendered shells whose live data comes over the socket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from porch.panel.auth import SignedIn, redirect_to_login, signed_in
from porch.panel.headers import secured_route
from porch.panel.render import render
from porch.services import Services

Page = Callable[[Request, SignedIn], Awaitable[Response]]


def operators_only(services: Services, handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Only for signed-in operators; everyone else goes to the login page."""

    async def endpoint(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return redirect_to_login(request)
        await services.assets.ready("brython", "panel")  # app.html links their ?v= URLs
        return await handler(request, who)

    return endpoint


def render_view(
    services: Services, who: SignedIn, view: str, status_code: int = 200, **context: object
) -> Response:
    """A page of the signed-in app (`<view>.html`, extending `app.html`)."""
    return render(
        services,
        f"{view}.html",
        status_code=status_code,
        view=view,
        operator=who.operator,
        csrf_token=who.session.csrf_token,
        **context,
    )


def routes(services: Services) -> list[Route]:
    def page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
        return operators_only(services, handler)

    def shell(who: SignedIn, view: str, conversation_id: int | None = None) -> Response:
        return render_view(services, who, view, conversation_id=conversation_id)

    async def inbox(request: Request, who: SignedIn) -> Response:
        selected = request.query_params.get("c", "")
        return shell(who, "inbox", int(selected) if _is_id(selected) else None)

    async def conversation(request: Request, who: SignedIn) -> Response:
        return shell(who, "inbox", request.path_params["conversation_id"])

    async def visitors(request: Request, who: SignedIn) -> Response:
        return shell(who, "visitors")

    async def trailing_slash(request: Request) -> Response:
        return RedirectResponse("/panel", status_code=308)

    return [
        secured_route("/panel", page(inbox), "GET"),
        secured_route("/panel/", trailing_slash, "GET"),
        secured_route("/panel/conversations/{conversation_id:int}", page(conversation), "GET"),
        secured_route("/panel/visitors", page(visitors), "GET"),
    ]


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < len(value) <= 18
