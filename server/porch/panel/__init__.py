"""The operator panel: login, inbox, conversations, live visitors, site settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from porch.panel import auth, pages, sites
    from porch.panel.headers import SECURED

    static = StaticFiles(directory=Path(__file__).resolve().parent / "static")
    services.routes += [
        *auth.routes(services),
        *pages.routes(services),
        *sites.routes(services),
        Mount("/panel/static", app=static, name="panel-static", middleware=SECURED),
    ]
