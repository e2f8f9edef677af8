"""Routes of the demo storefront: a shop page and product pages that carry the snippet."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from porch.demo.catalog import PLANS, PRODUCTS, find_product
from porch.demo.seed import demo_site
from porch.embed.snippet import snippet
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.identity import identity_hash

# The demo shop's one customer account: signing in shows identity verification at work.
DEMO_CUSTOMER = {"id": "1001", "name": "Dana Reyes", "email": "dana@shop.example"}
SIGNED_IN_COOKIE = "porch_demo_customer"


def identify_script(site: Site) -> str:
    """What a shop's server renders for a signed-in customer (docs/identity.md)."""
    visitor = {**DEMO_CUSTOMER, "hash": identity_hash(site.identity_secret, DEMO_CUSTOMER["id"])}
    data = json.dumps(visitor).replace("<", "\\u003c")
    return (
        "<script>window.Porch=window.Porch||{q:[]};Porch.q.push(['setVisitor',"
        + data
        + "]);</script>"
    )


def routes(services: Services) -> list[BaseRoute]:
    if not services.config.demo:
        return []

    async def render(request: Request, template: str, **context: object) -> Response:
        site = await demo_site(services)
        if site is None:
            return HTMLResponse("The demo site is not seeded; run `porch demo`.", status_code=503)
        signed_in = request.cookies.get(SIGNED_IN_COOKIE) == DEMO_CUSTOMER["id"]
        html = services.templates.get_template(f"demo/{template}").render(
            snippet=snippet(services.config.base_url, site.key),
            identify=identify_script(site) if signed_in else "",
            customer=DEMO_CUSTOMER if signed_in else None,
            products=PRODUCTS,
            **context,
        )
        return HTMLResponse(html)

    async def storefront(request: Request) -> Response:
        return await render(request, "storefront.html")

    async def product(request: Request) -> Response:
        item = find_product(request.path_params["slug"])
        if item is None:
            return HTMLResponse("No such product.", status_code=404)
        return await render(request, "product.html", product=item)

    async def pricing(request: Request) -> Response:
        return await render(request, "pricing.html", plans=PLANS)

    async def cart(request: Request) -> Response:
        return await render(request, "cart.html")

    async def sign_in(_request: Request) -> Response:
        response = RedirectResponse("/demo", status_code=303)
        response.set_cookie(SIGNED_IN_COOKIE, DEMO_CUSTOMER["id"], httponly=True, samesite="lax")
        return response

    async def sign_out(_request: Request) -> Response:
        response = RedirectResponse("/demo", status_code=303)
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response

    return [
        Route("/demo", storefront),
        Route("/demo/products/{slug}", product),
        Route("/demo/pricing", pricing),
        Route("/demo/cart", cart),
        Route("/demo/sign-in", sign_in, methods=["POST"]),
        Route("/demo/sign-out", sign_out, methods=["POST"]),
    ]
