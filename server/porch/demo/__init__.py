"""The sample storefront served at /demo when running `porch demo`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from porch.demo.routes import routes

    services.routes += routes(services)
