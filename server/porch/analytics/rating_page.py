"""The rating page a ticket's requester reaches from the mail's links (`/rate/<token>`):
the token is checked (genuine, unexpired, its ticket still there and resolved); the page
shows the scores with the clicked one chosen and an optional comment, and the rating is
stored when the form is sent. Opening the link stores nothing: mail scanners that open
every link in a mail must not rate for the customer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.analytics import rating_links
from porch.analytics.ratings import Comment, Score, key_of, rate_ticket
from porch.analytics.tables import reporting_events
from porch.errors import DomainError
from porch.panel.forms import FormError, read_form
from porch.panel.headers import secured_route
from porch.services import Services


class RatingForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    score: Score
    comment: Comment = ""


def routes(services: Services) -> list[Route]:
    def render(status: int, **context: Any) -> Response:
        defaults = {"ticket": None, "token": "", "chosen": 0, "done": False, "problem": ""}
        html = services.templates.get_template("analytics/rate.html").render(
            {**defaults, **context}
        )
        return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})

    async def ticket_for(token: str) -> Any | None:
        ticket_id = rating_links.ticket_of(services.config.secret_key, token, services.clock.now())
        if ticket_id is None:
            return None
        from porch.tickets.tables import tickets

        async with services.db.connect() as conn:
            return (await conn.execute(sa.select(tickets).where(tickets.c.id == ticket_id))).first()

    async def rated(ticket: Any) -> bool:
        async with services.db.connect() as conn:
            key = key_of(int(ticket.conversation_id or 0), int(ticket.id))
            found = await conn.scalar(
                sa.select(reporting_events.c.id).where(reporting_events.c.key == key)
            )
        return found is not None

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        ticket = await ticket_for(token)
        if ticket is None:
            return render(404, problem=GONE)
        if await rated(ticket):
            return render(200, ticket=ticket, done=True)
        score = request.query_params.get("score", "")
        chosen = int(score) if score in ("1", "2", "3", "4", "5") else 0
        return render(200, ticket=ticket, token=token, chosen=chosen)

    async def send(request: Request) -> Response:
        token = request.path_params["token"]
        ticket = await ticket_for(token)
        if ticket is None:
            return render(404, problem=GONE)
        try:
            form = RatingForm.model_validate(await read_form(request))
        except FormError as error:
            return render(error.status_code, ticket=ticket, token=token, problem=error.message)
        except ValidationError:
            return render(422, ticket=ticket, token=token, problem=INVALID)
        try:
            await rate_ticket(services, int(ticket.id), form.score, form.comment)
        except DomainError as error:
            if await rated(ticket):
                return render(200, ticket=ticket, done=True)
            return render(409, ticket=ticket, problem=str(error).capitalize() + ".")
        return render(200, ticket=ticket, done=True)

    return [
        secured_route(f"{rating_links.PATH}/{{token}}", page, "GET"),
        secured_route(f"{rating_links.PATH}/{{token}}", send, "POST"),
    ]


GONE = "This rating link is not valid or has expired."
INVALID = "Please choose a score from 1 to 5 (a comment is at most 1000 characters)."
