"""API v1: one module per resource, each adding its operations to the `Api`."""

from __future__ import annotations

from porch.api.edge import Api
from porch.api.v1 import (
    analytics,
    canned,
    contacts,
    conversations,
    flows,
    knowledge,
    operators,
    properties,
    sites,
    tags,
    tickets,
    webhooks,
)
from porch.visitors.properties import PropertyDefinitions
from porch.webhooks.service import WebhookService


def install(api: Api, webhook_service: WebhookService) -> None:
    definitions = PropertyDefinitions(api.services.db, api.services.clock)
    contacts.install(api, definitions)
    properties.install(api, definitions)
    analytics.install(api)
    conversations.install(api)
    operators.install(api)
    tickets.install(api)
    sites.install(api)
    webhooks.install(api, webhook_service)
    tags.install(api)
    canned.install(api)
    flows.install(api)
    knowledge.install(api)
