"""Panel JSON routes of the Shopify app, for signed-in operators only: a visitor's recent
orders (shown beside the conversation) and customers' data requests (to hand over)."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from porch.integrations.shopify import orders
from porch.integrations.shopify.admin import ShopifyError
from porch.integrations.shopify.service import NotInstalled, ShopifyApp
from porch.panel.auth import signed_in
from porch.panel.headers import secured_route
from porch.services import Services

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
_NO_STORE = {"Cache-Control": "no-store"}

Handler = Callable[[Request], Awaitable[Response]]


def json(
    data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(data, status_code=status, headers={**_NO_STORE, **(headers or {})})


def routes(services: Services, app: ShopifyApp) -> list[Route]:
    def operators_only(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            if await signed_in(request, services) is None:
                return json({"ok": False, "error": "sign in first"}, 401)
            return await handler(request)

        return endpoint

    async def visitor_orders(request: Request) -> Response:
        visitor_id = request.path_params["visitor_id"]
        visitor = await services.visitors.get(visitor_id) if visitor_id <= MAX_ID else None
        if visitor is None:
            return json({"ok": False, "error": "no such visitor"}, 404)
        site = await services.sites.get(visitor.site_id)
        shop = await app.store.for_site(visitor.site_id)
        if site is None or shop is None:
            return json({"ok": True, "shop": None, "orders": []})
        if not (visitor.verified and visitor.external_id):
            # An email typed into the chat proves nothing: no orders for unverified visitors.
            return json({"ok": True, "shop": shop.shop, "verified": False, "orders": []})
        try:
            found = await orders.recent_orders(app, site, visitor.external_id)
        except NotInstalled as exc:
            return json({"ok": False, "shop": shop.shop, "error": str(exc)}, 409)
        except ShopifyError as exc:
            return json({"ok": False, "shop": shop.shop, "error": str(exc)}, 502)
        wire = [order.to_wire() for order in found]
        return json({"ok": True, "shop": shop.shop, "verified": True, "orders": wire})

    async def data_requests(request: Request) -> Response:
        found = await app.store.data_requests()
        return json({"ok": True, "data_requests": [r.to_wire() for r in found]})

    async def data_request(request: Request) -> Response:
        request_id = request.path_params["request_id"]
        found = await app.store.data_request(request_id) if request_id <= MAX_ID else None
        if found is None:
            return json({"ok": False, "error": "no such data request"}, 404)
        body = jsonlib.dumps(found.to_wire(with_export=True), indent=2, ensure_ascii=False)
        filename = f"porch-data-request-{found.id}.json"
        return Response(
            body,
            media_type="application/json",
            headers={**_NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
        )

    base = "/panel/api/shopify/data-requests"
    return [
        secured_route(
            "/panel/api/visitors/{visitor_id:int}/orders", operators_only(visitor_orders), "GET"
        ),
        secured_route(base, operators_only(data_requests), "GET"),
        secured_route(f"{base}/{{request_id:int}}", operators_only(data_request), "GET"),
    ]
