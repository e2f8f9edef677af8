"""The panel's search results page (`/panel/search?q=…`), reached from the top bar's box.

Server-rendered: snippets are (text, is_hit) pieces that the template escapes like any
text, hits inside `<mark>`; a message holding `<script>` shows as those characters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.panel.auth import SignedIn
from porch.panel.headers import secured_route
from porch.panel.pages import operators_only, page_html
from porch.search.models import KINDS, Filters
from porch.search.service import MAX_QUERY, SearchService
from porch.services import Services
from porch.text import TextOnly

SEARCH_PATH = "/panel/search"
STATUSES = ("open", "pending", "resolved", "closed")


class SearchForm(BaseModel):
    q: Annotated[str, StringConstraints(max_length=MAX_QUERY), TextOnly] = ""
    kind: Literal["", "ticket", "conversation", "contact"] = ""
    status: Literal["", "open", "pending", "resolved", "closed"] = ""
    since: date | None = Field(None, alias="from")
    until: date | None = Field(None, alias="to")

    def filters(self) -> Filters:
        return Filters(
            kinds=(self.kind,) if self.kind else KINDS,
            status=self.status or None,
            since=_midnight(self.since),
            until=_midnight(self.until + timedelta(days=1) if self.until else None),
            limit=30,
        )


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), UTC) if day else None


def _form(request: Request) -> tuple[SearchForm, str]:
    raw = {k: v for k, v in request.query_params.items() if v != ""}
    try:
        return SearchForm.model_validate(raw), ""
    except ValidationError:
        query = str(raw.get("q", ""))[:MAX_QUERY]
        safe = {"q": query} if "\x00" not in query else {}
        return SearchForm.model_validate(safe), "Some filters were not valid."


def routes(services: Services, search: SearchService) -> list[Route]:
    async def page(request: Request, who: SignedIn) -> Response:
        form, problem = _form(request)
        hits = await search.search(form.q, form.filters()) if form.q and not problem else []
        html = page_html(
            services,
            who,
            "search/search.html",
            "search",
            form=form,
            hits=hits,
            problem=problem,
            kinds=KINDS,
            statuses=STATUSES,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    return [secured_route(SEARCH_PATH, operators_only(services, page), "GET")]
