"""The Shopify app's server side (see docs/shopify.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from porch.integrations.shopify import listeners, routes
    from porch.integrations.shopify.service import ShopifyApp

    app = ShopifyApp(services.config, services.db, services.events, services.sites, services.locks)
    listeners.subscribe(app, services)
    services.routes += routes.routes(services, app)
