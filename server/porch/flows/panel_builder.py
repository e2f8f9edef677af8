"""The builder (`/panel/flows/<id>`): a page whose canvas (`widget/porch_flow_builder`, Python
on Brython) edits the flow's document, and its JSON endpoints under the panel: read the
document, save it as a new version (checked with the JSON Schema), switch the flow on or
off, and "Try it" (`trial`). Changes need an admin and the session's CSRF token in the
`X-CSRF-Token` header."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from porch.bodies import BodyTooLarge, read_limited
from porch.errors import NotFound
from porch.flows import documents, readiness, trial
from porch.flows.models import Flow
from porch.flows.panel import FLOWS_PATH, actor_of
from porch.flows.store import FlowStore
from porch.panel import csrf
from porch.panel.auth import SignedIn, signed_in
from porch.panel.headers import secured_route
from porch.panel.pages import ADMINS_ONLY, operators_only, page_html
from porch.panel.render import error_page
from porch.services import Services

CSRF_HEADER = "x-csrf-token"
MAX_BODY = documents.MAX_DOCUMENT_BYTES + 16 * 1024
CSS = Path(__file__).with_name("static") / "flows.css"

Handler = Callable[[Request, SignedIn, Flow, dict[str, Any]], Awaitable[Response]]


class VisitorIn(BaseModel):
    url: str = Field(default="https://example.com/", max_length=2048)
    returning: bool = False
    cart_value: float = Field(default=0.0, ge=0, le=10**9)
    business_hours: bool = True
    operators_online: bool = True


class TryIn(BaseModel):
    document: dict[str, Any]
    visitor: VisitorIn = VisitorIn()
    answers: dict[str, str] = Field(default_factory=dict, max_length=200)


def routes(services: Services) -> list[Route]:
    store = FlowStore(services.db, services.events, services.clock)

    async def page(request: Request, who: SignedIn) -> Response:
        try:
            flow = await store.get(int(request.path_params["flow_id"]))
        except NotFound:
            return error_page(services, 404, "No such flow", "This flow was deleted.")
        site = await services.sites.get(flow.site_id)
        html = page_html(
            services,
            who,
            "flows/builder.html",
            "flows",
            flow=flow,
            site_name=site.name if site else "",
            done=request.query_params.get("done", ""),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def read(request: Request, who: SignedIn) -> Response:
        try:
            flow = await store.get(int(request.path_params["flow_id"]))
        except NotFound:
            return _error(404, "This flow was deleted.")
        others = [{"id": other.id, "name": other.name} for other in await store.list(flow.site_id)]
        return _json({**_state(flow), "document": flow.document, "flows": others})

    async def save(request: Request, who: SignedIn, flow: Flow, body: dict[str, Any]) -> Response:
        try:
            saved = await store.save(flow.id, body.get("document"), actor_of(who))
        except documents.DocumentError as exc:
            return _error(422, readiness.explain(exc), path=exc.path)
        return _json(_state(saved))

    async def switch(request: Request, who: SignedIn, flow: Flow, body: dict[str, Any]) -> Response:
        wanted = body.get("enabled") is True
        if wanted:
            ids = {other.id for other in await store.list(flow.site_id)}
            found = readiness.problems(flow.document, ids)
            if found:
                return _error(422, f"Can't switch on “{flow.name}”: {' '.join(found)}")
        changed = await store.set_enabled(flow.id, wanted, actor_of(who))
        return _json(_state(changed))

    async def try_it(request: Request, who: SignedIn, flow: Flow, body: dict[str, Any]) -> Response:
        try:
            asked = TryIn.model_validate(body)
            document = documents.check(asked.document)
        except ValidationError as exc:
            return _error(422, f"Not a simulated visitor: {exc.errors()[0]['msg']}")
        except documents.DocumentError as exc:
            return _error(422, readiness.explain(exc), path=exc.path)
        site = await services.sites.get(flow.site_id)
        assert site is not None  # a flow goes with its site (cascade)
        simulated = trial.Simulated(**asked.visitor.model_dump())
        walked = trial.run(document, simulated, site, services.clock.now(), asked.answers)
        return _json(walked.as_json())

    def changes(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        return json_post(services, store, handler)

    async def css(request: Request) -> Response:
        return Response(
            CSS.read_bytes(), media_type="text/css", headers={"Cache-Control": "no-cache"}
        )

    one = f"{FLOWS_PATH}/{{flow_id:int}}"
    return [
        secured_route(one, operators_only(services, page), "GET"),
        secured_route(f"{one}/document", operators_only(services, read), "GET"),
        secured_route(f"{one}/document", changes(save), "POST"),
        secured_route(f"{one}/switch", changes(switch), "POST"),
        secured_route(f"{one}/try", changes(try_it), "POST"),
        secured_route(f"{FLOWS_PATH}/assets/flows.css", css, "GET"),
    ]


def json_post(
    services: Services, store: FlowStore, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """An admin's JSON request about one flow, with the session's CSRF token; every
    refusal is a JSON `{"error": ...}` the builder shows."""

    async def endpoint(request: Request) -> Response:
        who = await signed_in(request, services)
        if who is None:
            return _error(401, "Your session ended: sign in again (nothing was saved).")
        if not who.operator.is_admin:
            return _error(403, ADMINS_ONLY)
        try:
            sent = {csrf.FIELD_NAME: request.headers.get(CSRF_HEADER, "")}
            csrf.check_session_form(request, sent, who.session, services.config)
        except csrf.CsrfError:
            return _error(403, "This page has expired: reload it (nothing was saved).")
        try:
            body = json.loads(await read_limited(request, MAX_BODY))
        except BodyTooLarge:
            return _error(413, "This flow is too large to save.")
        except ValueError:
            return _error(400, "The request was not JSON.")
        if not isinstance(body, dict):
            return _error(400, "The request must be a JSON object.")
        try:
            flow = await store.get(int(request.path_params["flow_id"]))
        except NotFound:
            return _error(404, "This flow was deleted.")
        return await handler(request, who, flow, body)

    return endpoint


def _state(flow: Flow) -> dict[str, Any]:
    return {
        "id": flow.id,
        "name": flow.name,
        "enabled": flow.enabled,
        "version": flow.version,
        "updated_at": flow.updated_at.isoformat(),
    }


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers={"Cache-Control": "no-store"})


def _error(status: int, message: str, **more: Any) -> Response:
    return _json({"error": message, **more}, status)
