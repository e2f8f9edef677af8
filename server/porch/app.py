"""Composition root: builds the ASGI application from a `Config`.

This is the only place that knows every feature; features reach each other through
`Services` and the event bus.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import socketio
from jinja2 import Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from porch import demo, panel, realtime, widget
from porch.chat.service import ChatService
from porch.chat.sites import SiteDirectory
from porch.config import Config
from porch.db.engine import Database
from porch.events import EventBus
from porch.integrations.shopify import listeners as shopify_listeners
from porch.integrations.shopify import routes as shopify
from porch.integrations.shopify.service import ShopifyApp
from porch.operators.service import OperatorService
from porch.operators.sessions import SessionStore
from porch.paths import PACKAGE_DIR, widget_dir
from porch.realtime.packets import JsonPacket
from porch.realtime.presence import Presence
from porch.services import Services
from porch.widget.assets import WidgetAssets


def build_services(config: Config) -> Services:
    db = Database(config.database_url)
    events = EventBus()
    sio = socketio.AsyncServer(
        async_mode="asgi", transports=["websocket", "polling"], serializer=JsonPacket
    )
    assets = WidgetAssets(widget_dir())
    templates = _templates()
    templates.globals["asset_url"] = assets.url
    return Services(
        config=config,
        db=db,
        events=events,
        sio=sio,
        templates=templates,
        chat=ChatService(db, events),
        sites=SiteDirectory(db, events),
        operators=OperatorService(db),
        sessions=SessionStore(db, events),
        presence=Presence(),
        assets=assets,
    )


def _templates() -> Environment:
    """Each feature keeps its templates in its own folder, addressed as `feature/name.html`."""
    loaders = {
        name: FileSystemLoader(Path(PACKAGE_DIR, name, "templates"))
        for name in ("panel", "widget", "demo")
    }
    return Environment(
        loader=PrefixLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def create_app(config: Config) -> ASGIApp:
    services = build_services(config)
    realtime.register(services)
    shopify_app = ShopifyApp(config, services.db, services.chat, services.sites)
    shopify_listeners.subscribe(shopify_app, services.events)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await services.db.dispose()

    routes: list[BaseRoute] = [
        *widget.routes(services),
        *panel.routes(services),
        *demo.routes(services),
        *shopify.routes(services, shopify_app),
    ]
    http = Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
        lifespan=lifespan,
    )
    http.state.services = services
    return socketio.ASGIApp(services.sio, other_asgi_app=http, socketio_path="socket.io")
