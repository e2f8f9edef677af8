"""Routes of the demo storefront: a shop page and product pages that carry the snippet."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from porch.demo.catalog import PRODUCTS, find_product
from porch.demo.seed import demo_site
from porch.services import Services
from porch.widget.snippet import snippet


def routes(services: Services) -> list[BaseRoute]:
    if not services.config.demo:
        return []

    async def render(template: str, **context: object) -> Response:
        site = await demo_site(services)
        if site is None:
            return HTMLResponse("The demo site is not seeded; run `porch demo`.", status_code=503)
        html = services.templates.get_template(f"demo/{template}").render(
            snippet=snippet(services.config.base_url, site.key), products=PRODUCTS, **context
        )
        return HTMLResponse(html)

    async def storefront(_request: Request) -> Response:
        return await render("storefront.html")

    async def product(request: Request) -> Response:
        item = find_product(request.path_params["slug"])
        if item is None:
            return HTMLResponse("No such product.", status_code=404)
        return await render("product.html", product=item)

    return [
        Route("/demo", storefront),
        Route("/demo/products/{slug}", product),
    ]
