"""/webhooks: the key's site's endpoints, their deliveries, redelivery and a test event;
/webhook-events: what can be subscribed to."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from porch import wire
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.pagination import PageQuery, page
from porch.api.v1.schemas import (
    Input,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointWithSecret,
    WebhookEvent,
)
from porch.text import TextOnly
from porch.webhooks import catalog
from porch.webhooks.service import WebhookService

TAG = "webhooks"
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000), TextOnly]
EventName = Annotated[str, StringConstraints(min_length=1, max_length=64), TextOnly]
Events = Annotated[list[EventName], Field(min_length=1, max_length=50)]
Description = Annotated[str, StringConstraints(max_length=200), TextOnly]


class EndpointCreate(Input):
    url: Url
    events: Events = Field(default_factory=lambda: ["*"])
    """Event names (GET /webhook-events), or `*` for every event."""
    description: Description = ""


class EndpointUpdate(Input):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None
    """Turning a disabled endpoint on again starts it afresh."""


def install(api: Api, webhooks: WebhookService) -> None:
    async def list_endpoints(call: Call) -> Reply:
        q: PageQuery = call.query
        found = sorted(await webhooks.list(call.site_id), key=lambda e: -e.id)
        shown = [e for e in found if q.before_id is None or e.id < q.before_id]
        items = [wire.webhook_endpoint(e) for e in shown[: q.limit + 1]]
        return page(items, q.limit, len(shown) > q.limit)

    async def create_endpoint(call: Call) -> Reply:
        body: EndpointCreate = call.body
        made = await webhooks.create(call.site_id, body.url, body.events, body.description)
        return wire.webhook_endpoint(made, with_secret=True)

    async def get_endpoint(call: Call) -> Reply:
        found = await webhooks.get(call.ids["endpoint_id"], call.site_id)
        return wire.webhook_endpoint(found, with_secret=True)

    async def update_endpoint(call: Call) -> Reply:
        body: EndpointUpdate = call.body
        changed = await webhooks.update(
            call.ids["endpoint_id"],
            call.site_id,
            url=body.url,
            events=body.events,
            description=body.description,
            enabled=body.enabled,
        )
        return wire.webhook_endpoint(changed)

    async def delete_endpoint(call: Call) -> Reply:
        await webhooks.delete(call.ids["endpoint_id"], call.site_id)
        return None

    async def test_endpoint(call: Call) -> Reply:
        return wire.webhook_delivery(
            await webhooks.send_test(call.ids["endpoint_id"], call.site_id)
        )

    async def list_deliveries(call: Call) -> Reply:
        q: PageQuery = call.query
        found = await webhooks.deliveries(
            call.ids["endpoint_id"], call.site_id, q.limit, q.before_id
        )
        return page([wire.webhook_delivery(d) for d in found], q.limit, len(found) > q.limit)

    async def redeliver(call: Call) -> Reply:
        endpoint_id = call.ids["endpoint_id"]
        await webhooks.get(endpoint_id, call.site_id)
        original = await webhooks.delivery(call.ids["delivery_id"], call.site_id)
        if original.endpoint_id != endpoint_id:
            from porch.api.errors import not_found

            raise not_found("delivery")
        return wire.webhook_delivery(await webhooks.redeliver(original.id, call.site_id))

    async def list_events(call: Call) -> Reply:
        items = [{"id": name, "description": text} for name, text in catalog.EVENTS.items()]
        return {"data": items, "meta": {"next_cursor": None}}

    one = "/webhooks/{endpoint_id}"
    api.add(
        Operation("GET", "/webhook-events", list_events, "The events webhooks can carry", TAG,
                  response=WebhookEvent, paged=True),
        Operation("GET", "/webhooks", list_endpoints, "List webhook endpoints", TAG,
                  query=PageQuery, response=WebhookEndpoint, paged=True),
        Operation("POST", "/webhooks", create_endpoint,
                  "Add a webhook endpoint (the reply has its whsec_ secret)", TAG, "write",
                  body=EndpointCreate, response=WebhookEndpointWithSecret, status=201),
        Operation("GET", one, get_endpoint, "Get a webhook endpoint with its secret", TAG,
                  response=WebhookEndpointWithSecret),
        Operation("PATCH", one, update_endpoint, "Change or re-enable a webhook endpoint", TAG,
                  "write", body=EndpointUpdate, response=WebhookEndpoint),
        Operation("DELETE", one, delete_endpoint, "Remove a webhook endpoint", TAG, "write",
                  status=204),
        Operation("POST", one + "/test", test_endpoint, "Send a test event", TAG, "write",
                  response=WebhookDelivery, status=202),
        Operation("GET", one + "/deliveries", list_deliveries,
                  "An endpoint's deliveries with each attempt", TAG, query=PageQuery,
                  response=WebhookDelivery, paged=True),
        Operation("POST", one + "/deliveries/{delivery_id}/redeliver", redeliver,
                  "Send a delivery again", TAG, "write", response=WebhookDelivery, status=202),
    )  # fmt: skip
