"""Webhooks: signed deliveries of domain events to each site's endpoints, retried, logged
and redeliverable (docs/api.md, "Webhooks"). Installed by `porch.api`, whose endpoints
and panel page manage them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services
    from porch.webhooks.service import WebhookService


def setup(services: Services) -> WebhookService:
    """The service, its two job handlers and its subscription to every event."""
    from porch.webhooks.service import DELIVER, FANOUT, WebhookService

    webhooks = WebhookService(
        services.db,
        services.events,
        services.clock,
        allow_private=services.config.allow_private_targets,
    )
    services.jobs.register(FANOUT, webhooks.fanout)
    services.jobs.register(DELIVER, webhooks.deliver)
    services.events.enqueue_on(None, FANOUT, when=webhooks.site_has_endpoints)
    services.on_shutdown.append(webhooks.close)
    return webhooks
