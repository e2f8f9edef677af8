"""Canned replies: shared or personal, inserted with `/shortcut` (docs/inbox.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.canned.service import CannedReplies
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> CannedReplies:
    """The service, its socket event and its Settings page (tests call this)."""
    from porch.canned import panel, sockets
    from porch.canned.service import CannedReplies

    canned = CannedReplies(services.db, services.clock)
    sockets.attach(services, canned)
    services.routes += panel.routes(services, canned)
    return canned
