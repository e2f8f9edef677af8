"""The running application's parts, built once by `porch.app.create_app` and handed to edges.

Edges (routes, socket namespaces) receive this object instead of reading globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socketio
    from jinja2 import Environment

    from porch.chat.service import ChatService
    from porch.chat.sites import SiteDirectory
    from porch.config import Config
    from porch.db.engine import Database
    from porch.events import EventBus
    from porch.operators.service import OperatorService
    from porch.operators.sessions import SessionStore
    from porch.realtime.presence import Presence
    from porch.widget.assets import WidgetAssets


@dataclass
class Services:
    config: Config
    db: Database
    events: EventBus
    sio: socketio.AsyncServer
    templates: Environment
    chat: ChatService
    sites: SiteDirectory
    operators: OperatorService
    sessions: SessionStore
    presence: Presence
    assets: WidgetAssets
    """The widget's and panel's scripts, built once, served with `?v=<digest>` URLs."""
