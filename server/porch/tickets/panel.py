"""The panel's Tickets page: a server-rendered shell (views, list, detail) whose data comes
over the operator socket (`porch.tickets.sockets`), so it stays live."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.panel.auth import SignedIn
from porch.panel.headers import secured_route
from porch.panel.pages import operators_only, page_html
from porch.services import Services
from porch.tickets.models import VIEWS

TICKETS_PATH = "/panel/tickets"


def routes(services: Services) -> list[Route]:
    def page(who: SignedIn, ticket_id: int | None) -> Response:
        html = page_html(
            services,
            who,
            "tickets/tickets.html",
            "tickets",
            views=VIEWS,
            ticket_id=ticket_id,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def tickets_page(request: Request, who: SignedIn) -> Response:
        return page(who, None)

    async def ticket_page(request: Request, who: SignedIn) -> Response:
        return page(who, request.path_params["ticket_id"])

    return [
        secured_route(TICKETS_PATH, operators_only(services, tickets_page), "GET"),
        secured_route(
            f"{TICKETS_PATH}/{{ticket_id:int}}", operators_only(services, ticket_page), "GET"
        ),
    ]
