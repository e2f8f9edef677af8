"""Composition root: builds the ASGI application from a `Config`.

This is the only place that knows every feature. Each feature package has one
`install(services)` that adds its routes, listeners, job handlers and start/stop hooks;
adding a feature is one line in `FEATURES`. Features reach each other through `Services`
and the event bus, never by calling into each other's edges.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from porch import (
    analytics,
    api,
    attachments,
    bot,
    canned,
    demo,
    email,
    embed,
    flows,
    inbox,
    jobs,
    operators,
    ops,
    panel,
    privacy,
    realtime,
    receipts,
    routing,
    search,
    tickets,
)
from porch.backplane import Backplane
from porch.clock import Clock, SystemClock
from porch.config import Config
from porch.conversations.drafts import Drafts, MemoryDrafts, RedisDrafts
from porch.conversations.service import ConversationService
from porch.db.engine import Database
from porch.email.mailbox import seal_with as seal_imap_passwords
from porch.embed.assets import WidgetAssets
from porch.events import EventBus
from porch.integrations import shopify
from porch.jobs.queue import JobQueue
from porch.locks import Locks, MemoryLocks, RedisLocks
from porch.operators.service import OperatorService
from porch.operators.sessions import SessionStore
from porch.paths import PACKAGE_DIR, widget_dir
from porch.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from porch.realtime.asgi import SocketApp
from porch.realtime.managers import LocalManager, RedisManager
from porch.realtime.packets import JsonPacket
from porch.realtime.presence import MemoryPresence, Presence
from porch.realtime.redis_presence import RedisPresence
from porch.realtime.server import SocketServer
from porch.services import Services
from porch.sites.directory import SiteDirectory
from porch.visitors.service import VisitorService

FEATURES: tuple[Callable[[Services], None], ...] = (
    ops.install,
    realtime.install,
    embed.install,
    panel.install,
    demo.install,
    shopify.install,
    tickets.install,
    search.install,
    canned.install,
    inbox.install,
    email.install,
    api.install,
    flows.install,
    operators.install,
    routing.install,
    bot.install,
    attachments.install,
    receipts.install,
    analytics.install,
    privacy.install,
    jobs.install,
)
"""Each feature's `install(services)`, in order. Jobs come last: their workers start after
every other feature's start-up hooks and stop before their shutdown hooks, so handlers
never run against a half-started or half-stopped feature."""

TEMPLATE_FOLDERS = (
    "panel",
    "analytics",
    "embed",
    "demo",
    "jobs",
    "tickets",
    "search",
    "canned",
    "email",
    "api",
    "operators",
    "bot",
    "flows",
    "privacy",
)
"""Features with a `templates/` folder; their templates are addressed `feature/name.html`."""


def build_services(config: Config, clock: Clock | None = None) -> Services:
    """Every shared part; `clock` is the time the server reads (tests pass a `ManualClock`)."""
    clock = clock or SystemClock()
    db = Database(config.database_url)
    events = EventBus()
    state = _shared_state(config)
    sio = SocketServer(
        async_mode="asgi",
        transports=["websocket", "polling"],
        serializer=JsonPacket,
        client_manager=state.manager,
    )
    assets = WidgetAssets(widget_dir())
    templates = _templates()
    templates.globals["asset_url"] = assets.url
    visitors = VisitorService(db, events)
    jobs = JobQueue(db, now=clock.now)
    events.jobs_committed = jobs.notify
    services = Services(
        config=config,
        clock=clock,
        db=db,
        events=events,
        jobs=jobs,
        sio=sio,
        templates=templates,
        visitors=visitors,
        conversations=ConversationService(db, events, visitors, state.drafts),
        sites=SiteDirectory(db, events),
        operators=OperatorService(db),
        sessions=SessionStore(db, events),
        presence=state.presence,
        assets=assets,
        limiter=state.limiter,
        locks=state.locks,
        backplane=state.backplane,
    )
    services.on_shutdown.append(state.close)  # runs last: shutdown hooks run in reverse
    seal_imap_passwords(services)  # in every command too: settings may carry the password
    return services


@dataclass
class SharedState:
    """The live state a process keeps that several processes must share: in memory for
    one process, in Redis with `--redis-url` (docs/operations.md, "Several processes")."""

    manager: LocalManager | RedisManager
    presence: Presence
    drafts: Drafts
    limiter: RateLimiter
    locks: Locks
    backplane: Backplane | None = None

    async def close(self) -> None:
        await self.manager.close()
        if self.backplane is not None:
            await self.backplane.close()


def _shared_state(config: Config) -> SharedState:
    if not config.redis_url:
        return SharedState(
            LocalManager(), MemoryPresence(), MemoryDrafts(), MemoryRateLimiter(), MemoryLocks()
        )
    backplane = Backplane(config.redis_url, config.redis_prefix)
    return SharedState(
        manager=RedisManager(config.redis_url, config.redis_prefix),
        presence=RedisPresence(backplane),
        drafts=RedisDrafts(backplane),
        limiter=RedisRateLimiter(backplane),
        locks=RedisLocks(backplane),
        backplane=backplane,
    )


def _templates() -> Environment:
    loaders = {
        name: FileSystemLoader(Path(PACKAGE_DIR, name, "templates")) for name in TEMPLATE_FOLDERS
    }
    return Environment(
        loader=PrefixLoader(loaders),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def create_app(config: Config, clock: Clock | None = None) -> ASGIApp:
    services = build_services(config, clock)
    for install in FEATURES:
        install(services)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for start in services.on_startup:
            await start()
        try:
            yield
        finally:
            for stop in reversed(services.on_shutdown):
                await stop()
            await services.db.dispose()

    http = Starlette(
        routes=services.routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=500)],
        lifespan=lifespan,
    )
    http.state.services = services
    app: ASGIApp = SocketApp(services.sio, other_asgi_app=http)
    for wrap in reversed(services.middleware):  # the first added ends up outermost
        app = wrap(app)
    return app
