"""The running application's parts, built once by `porch.app.build_services` and handed to
every feature's `install(services)` and to the edges.

Edges (routes, socket namespaces) receive this object instead of reading globals. Features
add their routes to `routes` and their start/stop work (workers, timers) to `on_startup`
and `on_shutdown`; `porch.app` turns that into the ASGI application.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socketio
    from jinja2 import Environment
    from starlette.routing import BaseRoute
    from starlette.types import ASGIApp

    from porch.attachments.service import AttachmentService
    from porch.backplane import Backplane
    from porch.clock import Clock
    from porch.config import Config
    from porch.conversations.service import ConversationService
    from porch.db.engine import Database
    from porch.embed.assets import WidgetAssets
    from porch.events import EventBus
    from porch.jobs.queue import JobQueue
    from porch.locks import Locks
    from porch.operators.service import OperatorService
    from porch.operators.sessions import SessionStore
    from porch.ratelimit import RateLimiter
    from porch.realtime.presence import Presence
    from porch.sites.directory import SiteDirectory
    from porch.visitors.service import VisitorService

Hook = Callable[[], Awaitable[None]]
SessionExtra = Callable[[Any, Any, Any], Awaitable[dict[str, Any]]]
"""`extra(visitor, page, request)`: keys a feature adds to the widget's session reply."""
VisitorGate = Callable[[Any], Awaitable[str | None]]
"""`gate(visitor)` at a widget's connect: why the visitor may not write yet (None: they may)."""
PageViewGate = Callable[[Any, int | None], Awaitable[bool]]
"""`held(site, visitor_id)` at a widget's session: True keeps the page view unrecorded."""
FirstResponder = Callable[[Any, int], Awaitable[bool]]
"""`answers(conn, site_id)`: whether a feature takes the site's new chats before people."""


@dataclass
class Services:
    config: Config
    clock: Clock
    """The time the server reads: timers, due times and "now" come from it, never from
    `datetime.now`, so tests move time instead of sleeping."""
    db: Database
    events: EventBus
    jobs: JobQueue
    """Durable background work: handlers by kind, enqueued in the causing transaction."""
    sio: socketio.AsyncServer
    templates: Environment
    visitors: VisitorService
    conversations: ConversationService
    sites: SiteDirectory
    operators: OperatorService
    sessions: SessionStore
    presence: Presence
    assets: WidgetAssets
    """The widget's and panel's scripts, built once, served with `?v=<digest>` URLs."""
    limiter: RateLimiter
    """Every edge's rate limits (`porch.ratelimit.LIMITS`), in Redis with several processes."""
    locks: Locks
    """Named locks, across processes with Redis."""
    backplane: Backplane | None = None
    """The Redis several processes share (`--redis-url`); None: one process."""
    attachments: AttachmentService | None = None
    """Set by `porch.attachments`; without it `message.send` refuses attachment ids."""
    routes: list[BaseRoute] = field(default_factory=list)
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)
    """Run in reverse order of registration, after the server stops taking requests."""
    session_extras: list[SessionExtra] = field(default_factory=list)
    """Features' additions to `POST /widget/v1/session`'s reply (flows: what to watch)."""
    visitor_gates: list[VisitorGate] = field(default_factory=list)
    """Checked when a widget connects (privacy: consent first); while one holds, the
    socket's `message.send` is refused with its reason, until the feature lifts it
    (`VisitorNamespace.lift_gate`). Nothing is read per message."""
    first_responders: list[FirstResponder] = field(default_factory=list)
    """Features that answer a site's new chats before people (the bot in mode `first`):
    routing leaves those chats alone; the feature hands them to routing itself."""
    page_view_gates: list[PageViewGate] = field(default_factory=list)
    """Asked by `POST /widget/v1/session` with the site and the visitor's id (None: new):
    True holds the page view back (privacy: not before consent)."""
    middleware: list[Callable[[ASGIApp], ASGIApp]] = field(default_factory=list)
    """ASGI middleware around the whole app (HTTP and Socket.IO): each takes the app and
    returns the app that calls it; the first added is outermost."""
