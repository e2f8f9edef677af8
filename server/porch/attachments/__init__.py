"""Attachments: files and images in chat, both ways (docs/widget.md, "Attachments")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.attachments.service import AttachmentService
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> AttachmentService:
    """The service, its HTTP routes and socket events; `message.send` on both sockets
    takes attachment ids once `services.attachments` is set."""
    from porch.attachments import http, sockets
    from porch.attachments.service import AttachmentService
    from porch.attachments.storage import DiskStorage

    storage = DiskStorage(services.config.data_dir / "attachments")
    service = AttachmentService(services.db, storage, services.clock)
    services.attachments = service
    services.routes += http.routes(services, service)
    sockets.attach(services, service)
    return service
