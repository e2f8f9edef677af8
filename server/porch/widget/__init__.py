"""The chat widget: loader, Brython bundles, the iframe page, and the visitor session route."""

from __future__ import annotations

from starlette.routing import BaseRoute

from porch.services import Services
from porch.widget import assets, session


def routes(services: Services) -> list[BaseRoute]:
    return [*assets.routes(services, services.assets), *session.routes(services)]
