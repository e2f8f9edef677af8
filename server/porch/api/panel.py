"""Settings → Developers (`/panel/developers`): API keys (made here, the token shown once;
revoked here), webhook endpoints with their deliveries, a test event, redelivery, and the
API reference rendered from the OpenAPI document.

Plain server-rendered forms like the Settings page: POST with the CSRF token, then a
redirect, except a new key, whose token is shown in the reply itself and never again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from porch.actors import Actor
from porch.api.keys import KeyService, NewKey
from porch.errors import DomainError
from porch.panel.auth import SignedIn
from porch.panel.forms import FormError, field
from porch.panel.headers import secured_route
from porch.panel.pages import Posted, admins_only, form_post, operators_only, page_html
from porch.services import Services
from porch.webhooks import catalog
from porch.webhooks.service import WebhookService

DEVELOPERS_PATH = "/panel/developers"
DELIVERIES_SHOWN = 10
MAX_ID = 2**31 - 1


def routes(
    services: Services, keys: KeyService, webhooks: WebhookService, spec: dict[str, Any]
) -> list[Route]:

    async def show(
        who: SignedIn, new_key: NewKey | None = None, problem: str = "", status: int = 200
    ) -> Response:
        sites = await services.sites.all()
        endpoints = await webhooks.list()
        deliveries = {
            e.id: await webhooks.deliveries(e.id, None, DELIVERIES_SHOWN) for e in endpoints
        }
        html = page_html(
            services,
            who,
            "api/developers.html",
            "developers",
            sites={s.id: s for s in sites},
            keys=await keys.list(),
            new_key=new_key,
            endpoints=endpoints,
            deliveries=deliveries,
            events=catalog.EVENTS,
            problem=problem,
            openapi_path="/api/v1/openapi.json",
        )
        return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})

    async def page(request: Request, who: SignedIn) -> Response:
        return await show(who)

    async def reference(request: Request, who: SignedIn) -> Response:
        html = page_html(
            services,
            who,
            "api/reference.html",
            "developers",
            spec=spec,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def refused(_request: Request, who: SignedIn, exc: Exception) -> Response:
        return await show(who, problem=str(exc), status=422)

    def posted(handler: Posted) -> Callable[[Request], Awaitable[Response]]:
        """Keys and webhooks reach the whole site's data: admins' forms only."""
        return form_post(
            services, DEVELOPERS_PATH, handler, admins=True, refused=(refused, (DomainError,))
        )

    def back(anchor: str = "") -> Response:
        return RedirectResponse(DEVELOPERS_PATH + anchor, status_code=303)

    def form_id(form: dict[str, str], name: str) -> int:
        value = field(form, name, 12)
        if not value.isdigit() or not 0 < int(value) <= MAX_ID:
            raise FormError(422, f"The {name} field is not an id.")
        return int(value)

    def path_id(request: Request, name: str) -> int:
        value = int(request.path_params[name])
        if value > MAX_ID:
            raise FormError(404, "No such record.")
        return value

    async def create_key(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = form_id(form, "site_id")
        if await services.sites.get(site_id) is None:
            raise FormError(422, "No such site.")
        made = await keys.create(
            site_id, field(form, "name", 100), field(form, "scope", 8), _actor(who)
        )
        return await show(who, new_key=made)

    async def revoke_key(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        await keys.revoke(path_id(request, "key_id"), actor=_actor(who))
        return back("#keys")

    async def add_endpoint(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        site_id = form_id(form, "site_id")
        if await services.sites.get(site_id) is None:
            raise FormError(422, "No such site.")
        events = [e.strip() for e in field(form, "events", 2000).split(",") if e.strip()]
        await webhooks.create(
            site_id, field(form, "url", 2000).strip(), events or ["*"],
            field(form, "description", 200),
        )  # fmt: skip
        return back("#webhooks")

    async def endpoint_action(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        endpoint_id, action = path_id(request, "endpoint_id"), request.path_params["action"]
        if action == "test":
            await webhooks.send_test(endpoint_id)
        elif action == "enable":
            await webhooks.update(endpoint_id, enabled=True)
        elif action == "disable":
            await webhooks.update(endpoint_id, enabled=False)
        elif action == "delete":
            await webhooks.delete(endpoint_id)
        else:
            raise FormError(404, "No such action.")
        return back(f"#endpoint-{endpoint_id}")

    async def redeliver(request: Request, who: SignedIn, form: dict[str, str]) -> Response:
        delivery = await webhooks.redeliver(path_id(request, "delivery_id"))
        return back(f"#endpoint-{delivery.endpoint_id}")

    return [
        secured_route(DEVELOPERS_PATH, admins_only(services, page), "GET"),
        secured_route(f"{DEVELOPERS_PATH}/reference", operators_only(services, reference), "GET"),
        secured_route(f"{DEVELOPERS_PATH}/keys", posted(create_key), "POST"),
        secured_route(f"{DEVELOPERS_PATH}/keys/{{key_id:int}}/revoke", posted(revoke_key), "POST"),
        secured_route(f"{DEVELOPERS_PATH}/webhooks", posted(add_endpoint), "POST"),
        secured_route(
            f"{DEVELOPERS_PATH}/webhooks/{{endpoint_id:int}}/{{action}}",
            posted(endpoint_action),
            "POST",
        ),
        secured_route(
            f"{DEVELOPERS_PATH}/deliveries/{{delivery_id:int}}/redeliver",
            posted(redeliver),
            "POST",
        ),
    ]


def _actor(who: SignedIn) -> Actor:
    return Actor.operator(who.operator.id, who.operator.name)
