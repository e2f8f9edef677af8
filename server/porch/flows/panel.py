"""The panel's Flows page (`/panel/flows`): each site's flows with their trigger, status and
figures; create (blank or from a template), duplicate, switch on and off, delete (with
undo), import and export JSON, and the versions of a flow. Plain server-rendered forms
(POST, then redirect); the builder (`panel_builder`) edits one flow's document."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.actors import Actor
from porch.errors import DomainError, NotFound
from porch.flows import panel_figures, readiness, run_log, templates
from porch.flows.documents import DocumentError
from porch.flows.models import Flow
from porch.flows.store import FlowStore
from porch.panel.auth import SignedIn
from porch.panel.forms import FormError, field
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, form_post, operators_only, page_html
from porch.panel.render import error_page
from porch.services import Services

FLOWS_PATH = "/panel/flows"
MAX_IMPORT = 15 * 1024  # a form is at most 16 KB; larger documents: `porch flows import`
DONE = {
    "created": "Flow created.",
    "duplicated": "Flow duplicated.",
    "on": "Flow switched on.",
    "off": "Flow switched off.",
    "imported": "Flow imported.",
    "restored": "Flow restored.",
}
TRIGGER_WORDS = {
    "page_open": "Page opened",
    "time_on_page": "Time on page",
    "time_on_site": "Time on site",
    "first_visit": "First visit",
    "returning_visitor": "Returning visitor",
    "exit_intent": "Exit intent",
    "scroll_depth": "Scroll depth",
    "launcher_click": "Chat button clicked",
    "cart_value": "Cart value",
    "cart_add": "Added to cart",
}


def blank(name: str = "Untitled flow") -> dict[str, Any]:
    """A new flow that runs as is: greet visitors on any page (the builder changes it)."""
    return {
        "format": 1,
        "name": name,
        "trigger": {"type": "page_open", "page": {"match": "contains", "value": "/"}},
        "start": "hello",
        "nodes": {"hello": {"type": "message", "text": "Hi! How can we help?", "x": 40, "y": 200}},
    }


def trigger_summary(document: dict[str, Any]) -> str:
    trigger = document["trigger"]
    kind = str(trigger["type"])
    words = TRIGGER_WORDS.get(kind, kind.replace("_", " ").capitalize())
    if "seconds" in trigger:
        words += f" ({trigger['seconds']} s)"
    if "page" in trigger:
        words += f" on {trigger['page']['value']}"
    return words


def actor_of(who: SignedIn) -> Actor:
    return Actor.operator(who.operator.id, who.operator.name)


def routes(services: Services) -> list[Route]:
    store = FlowStore(services.db, services.events, services.clock)

    async def show(
        who: SignedIn,
        *,
        flash: str = "",
        problem: str = "",
        undo: dict[str, Any] | None = None,
        import_text: str = "",
    ) -> Response:
        sites = []
        for site in await services.sites.all():
            flows = await store.list(site.id)
            figures = await panel_figures.for_site(services.db, site.id, services.clock.now())
            sites.append((site, [(flow, figures.get(flow.id, {})) for flow in flows]))
        html = page_html(
            services,
            who,
            "flows/flows.html",
            "flows",
            sites=sites,
            templates=[(name, templates.load(name)) for name in templates.NAMES],
            windows=panel_figures.WINDOWS,
            empty=panel_figures.Figures(),
            trigger_summary=trigger_summary,
            flash=flash,
            problem=problem,
            undo=undo,
            import_text=import_text,
        )
        status = 422 if problem else 200
        return _html(html, status)

    async def page(request: Request, who: SignedIn) -> Response:
        return await show(who, flash=DONE.get(request.query_params.get("done", ""), ""))

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        async def refused(request: Request, who: SignedIn, exc: Exception) -> Response:
            return await show(who, problem=_words(exc))

        return form_post(
            services, FLOWS_PATH, handler, admins=True, refused=(refused, (DomainError,))
        )

    async def own_flow(request: Request) -> Flow:
        return await store.get(int(request.path_params["flow_id"]))

    async def create(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = await _site_id(services, form)
        name = field(form, "template", 64)
        document = templates.load(name) if name else blank()
        flow = await store.create(site_id, document, actor_of(who), template=name or None)
        return RedirectResponse(f"{FLOWS_PATH}/{flow.id}", status_code=303)

    async def duplicate(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await store.duplicate((await own_flow(request)).id, actor_of(who))
        return _done("duplicated")

    async def switch_on(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        flow = await own_flow(request)
        found = await _problems(store, flow)
        if found:
            return await show(who, problem=f"Can't switch on “{flow.name}”: {' '.join(found)}")
        await store.set_enabled(flow.id, True, actor_of(who))
        return _back(form, "on")

    async def switch_off(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await store.set_enabled((await own_flow(request)).id, False, actor_of(who))
        return _back(form, "off")

    async def delete(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        flow = await own_flow(request)
        await store.delete(flow.id, actor_of(who))
        undo = {
            "name": flow.name,
            "site_id": flow.site_id,
            "enabled": flow.enabled,
            "document": json.dumps(flow.document, ensure_ascii=False),
        }
        return await show(who, flash=f"Deleted “{flow.name}”.", undo=undo)

    async def undelete(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = await _site_id(services, form)
        text = field(form, "document", MAX_IMPORT)
        flow = await store.import_(site_id, text, actor_of(who))
        if form.get("enabled") == "1" and not await _problems(store, flow):
            await store.set_enabled(flow.id, True, actor_of(who))
        return _done("restored")

    async def import_flow(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = await _site_id(services, form)
        text = field(form, "document", MAX_IMPORT)
        try:
            await store.import_(site_id, text, actor_of(who))
        except DocumentError as exc:
            return await show(who, problem=f"Not imported: {_words(exc)}", import_text=text)
        return _done("imported")

    async def export(request: Request, who: SignedIn) -> Response:
        try:
            flow = await own_flow(request)
        except NotFound:
            return error_page(services, 404, "No such flow", "This flow was deleted.")
        body = json.dumps(flow.document, indent=2, ensure_ascii=False)
        filename = f"flow-{flow.id}.json"
        headers = {
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        }
        return Response(body, media_type="application/json", headers=headers)

    async def versions(request: Request, who: SignedIn) -> Response:
        try:
            flow = await own_flow(request)
        except NotFound:
            return error_page(services, 404, "No such flow", "This flow was deleted.")
        html = page_html(
            services,
            who,
            "flows/versions.html",
            "flows",
            flow=flow,
            versions=list(reversed(await store.versions(flow.id))),
            flash="Version restored." if request.query_params.get("done") == "restored" else "",
            pretty=lambda document: json.dumps(document, indent=2, ensure_ascii=False),
        )
        return _html(html, 200)

    async def restore(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        flow = await own_flow(request)
        document = await store.version(flow.id, int(request.path_params["version"]))
        if document is None:
            raise FormError(404, "No such version.")
        await store.save(flow.id, document, actor_of(who))
        return RedirectResponse(f"{FLOWS_PATH}/{flow.id}/versions?done=restored", status_code=303)

    async def flow_log(request: Request, who: SignedIn) -> Response:
        try:
            flow = await own_flow(request)
        except NotFound:
            return error_page(services, 404, "No such flow", "This flow was deleted.")
        steps = await run_log.for_flow(services.db, flow.id)
        return show_log(who, f"Run log of “{flow.name}”", steps, flow)

    async def conversation_log(request: Request, who: SignedIn) -> Response:
        raw = request.query_params.get("conversation", "")
        if not raw.isdigit() or len(raw) > 18:
            return error_page(services, 404, "No such conversation", "Give a conversation id.")
        steps = await run_log.for_conversation(services.db, int(raw))
        return show_log(who, f"Flows in conversation {raw}", steps, None)

    def show_log(who: SignedIn, title: str, steps: Any, flow: Flow | None) -> Response:
        html = page_html(
            services,
            who,
            "flows/log.html",
            "flows",
            title=title,
            steps=steps,
            flow=flow,
            keep_days=run_log.KEEP.days,
            pretty=lambda value: json.dumps(value, ensure_ascii=False),
        )
        return _html(html, 200)

    one = f"{FLOWS_PATH}/{{flow_id:int}}"
    return [
        secured_route(f"{FLOWS_PATH}/log", operators_only(services, conversation_log), "GET"),
        secured_route(f"{one}/log", operators_only(services, flow_log), "GET"),
        secured_route(FLOWS_PATH, operators_only(services, page), "GET"),
        secured_route(f"{FLOWS_PATH}/new", posted(create), "POST"),
        secured_route(f"{FLOWS_PATH}/import", posted(import_flow), "POST"),
        secured_route(f"{FLOWS_PATH}/undelete", posted(undelete), "POST"),
        secured_route(f"{one}/duplicate", posted(duplicate), "POST"),
        secured_route(f"{one}/enable", posted(switch_on), "POST"),
        secured_route(f"{one}/disable", posted(switch_off), "POST"),
        secured_route(f"{one}/delete", posted(delete), "POST"),
        secured_route(f"{one}/export", operators_only(services, export), "GET"),
        secured_route(f"{one}/versions", operators_only(services, versions), "GET"),
        secured_route(f"{one}/versions/{{version:int}}/restore", posted(restore), "POST"),
    ]


async def _problems(store: FlowStore, flow: Flow) -> list[str]:
    ids = {other.id for other in await store.list(flow.site_id)}
    return readiness.problems(flow.document, ids)


async def _site_id(services: Services, form: dict[str, str]) -> int:
    raw = field(form, "site_id", 12)
    if not raw.isdigit() or await services.sites.get(int(raw)) is None:
        raise FormError(422, "Pick a site.")
    return int(raw)


def _words(exc: Exception) -> str:
    return readiness.explain(exc) if isinstance(exc, DocumentError) else str(exc)


def _done(what: str) -> Response:
    return RedirectResponse(f"{FLOWS_PATH}?done={what}", status_code=303)


def _back(form: dict[str, str], what: str) -> Response:
    """To the builder when the switch was there, else to the list."""
    back = form.get("back", "")
    if back.startswith(f"{FLOWS_PATH}/") and back[len(FLOWS_PATH) + 1 :].isdigit():
        return RedirectResponse(f"{back}?done={what}", status_code=303)
    return _done(what)


def _html(html: str, status: int) -> Response:
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
