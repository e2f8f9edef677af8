"""The operator panel: login, inbox, conversations, live visitors, site settings."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from porch.panel import auth, pages, sites
from porch.panel.headers import SECURED
from porch.services import Services

STATIC_DIR = Path(__file__).resolve().parent / "static"


def routes(services: Services) -> list[BaseRoute]:
    static = StaticFiles(directory=STATIC_DIR)
    return [
        *auth.routes(services),
        *pages.routes(services),
        *sites.routes(services),
        Mount("/panel/static", app=static, name="panel-static", middleware=SECURED),
    ]
