"""The signed-in pages: server-rendered shells whose live data comes over the socket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from porch.panel import csrf
from porch.panel.auth import SignedIn, redirect_to_login, signed_in
from porch.panel.forms import FormError, read_form
from porch.panel.headers import secured_route
from porch.panel.render import error_page, form_expired_page, render
from porch.services import Services

Page = Callable[[Request, SignedIn], Awaitable[Response]]
Posted = Callable[[Request, SignedIn, dict[str, str]], Awaitable[Response]]
Refused = Callable[[Request, SignedIn, Exception], Awaitable[Response]]


def operators_only(services: Services, handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Only for signed-in operators; everyone else goes to the login page."""

    async def endpoint(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return redirect_to_login(request)
        await services.assets.ready("brython", "panel")  # app.html links their ?v= URLs
        return await handler(request, who)

    return endpoint


ADMINS_ONLY = "Only admins can open this page: ask an admin of your team."


def admins_only(services: Services, handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Only for signed-in admins (the role is read with the session, on every request):
    an agent gets 403, whatever the page or form."""

    async def page(request: Request, who: SignedIn) -> Response:
        if not who.operator.is_admin:
            return error_page(services, 403, "Admins only", ADMINS_ONLY)
        return await handler(request, who)

    return operators_only(services, page)


def form_post(
    services: Services,
    back_to: str,
    handler: Posted,
    *,
    admins: bool = False,
    refused: tuple[Refused, tuple[type[Exception], ...]] | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """A signed-in operator's form (an admin's, with `admins`: agents get 403) with a valid
    CSRF token, else nothing changes. `refused` = (show, errors): the errors the handler
    may raise for a refused change, shown on the form's page by `show`."""

    async def endpoint(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return redirect_to_login(request, back_to=back_to)
        if admins and not who.operator.is_admin:
            return error_page(services, 403, "Not saved", ADMINS_ONLY)
        try:
            form = await read_form(request)
            csrf.check_session_form(request, form, who.session, services.config)
            return await handler(request, who, form)
        except FormError as exc:
            return error_page(services, exc.status_code, "Not saved", exc.message)
        except csrf.CsrfError:
            return form_expired_page(services, "Nothing was saved.")
        except Exception as exc:
            if refused is None or not isinstance(exc, refused[1]):
                raise
            return await refused[0](request, who, exc)

    return endpoint


def page_html(
    services: Services, who: SignedIn, template: str, view: str, **context: object
) -> str:
    """A feature's signed-in page (`feature/name.html`, extending the panel's `app.html`),
    with what every such page needs: the nav's current `view`, the operator and the CSRF
    token for its forms."""
    page = services.templates.get_template(template)
    return page.render(
        view=view, operator=who.operator, csrf_token=who.session.csrf_token, **context
    )


def render_view(
    services: Services, who: SignedIn, view: str, status_code: int = 200, **context: object
) -> Response:
    """A page of the signed-in app (`<view>.html`, extending `app.html`)."""
    signed = {"view": view, "operator": who.operator, "csrf_token": who.session.csrf_token}
    return render(services, f"{view}.html", status_code, None, **signed, **context)


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
