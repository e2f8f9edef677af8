"""`POST /shopify/webhooks`: Shopify's signed notifications.

The raw body's HMAC is checked before anything is read from it (401 when it does not
match); each `X-Shopify-Webhook-Id` is handled once, since Shopify retries deliveries.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from porch.bodies import BodyTooLarge, read_limited
from porch.integrations.shopify import lifecycle
from porch.integrations.shopify.service import ShopifyApp
from porch.integrations.shopify.signatures import valid_shop, webhook_verified

PATH = "/shopify/webhooks"
MAX_BODY_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


class CustomerRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: int = Field(ge=1)
    email: str | None = Field(default=None, max_length=320)


class CustomerPayload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    customer: CustomerRef


Handler = Callable[[ShopifyApp, str, bytes], Awaitable[None]]


async def _uninstalled(app: ShopifyApp, shop: str, body: bytes) -> None:
    await lifecycle.uninstalled(app, shop)


async def _data_request(app: ShopifyApp, shop: str, body: bytes) -> None:
    customer = CustomerPayload.model_validate_json(body).customer
    await lifecycle.customer_data_request(app, shop, str(customer.id), customer.email)


async def _customer_redact(app: ShopifyApp, shop: str, body: bytes) -> None:
    customer = CustomerPayload.model_validate_json(body).customer
    await lifecycle.redact_customer(app, shop, str(customer.id), customer.email)


async def _shop_redact(app: ShopifyApp, shop: str, body: bytes) -> None:
    await lifecycle.redact_shop(app, shop)


HANDLERS: dict[str, Handler] = {
    "app/uninstalled": _uninstalled,
    "customers/data_request": _data_request,
    "customers/redact": _customer_redact,
    "shop/redact": _shop_redact,
}


def _answer(status: int, message: str) -> Response:
    return JSONResponse({"ok": status < 300, "message": message}, status_code=status)


async def receive(app: ShopifyApp, request: Request) -> Response:
    try:
        body = await read_limited(request, MAX_BODY_BYTES)
    except BodyTooLarge:
        return _answer(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    signature = request.headers.get("x-shopify-hmac-sha256")
    if not webhook_verified(body, signature, app.config.shopify_api_secret):
        return _answer(401, "the HMAC does not match")
    topic = request.headers.get("x-shopify-topic", "")
    shop = request.headers.get("x-shopify-shop-domain", "")
    webhook_id = request.headers.get("x-shopify-webhook-id", "")
    if not valid_shop(shop) or not 0 < len(webhook_id) <= 100:
        return _answer(400, "a webhook needs a shop domain and a webhook id")
    handler = HANDLERS.get(topic)
    if handler is None:
        return _answer(200, f"topic {topic[:100]!r} is not handled")
    if not await app.store.first_delivery(webhook_id, topic, shop):
        return _answer(200, "already handled")
    try:
        await handler(app, shop, body)
    except ValidationError as exc:
        return _answer(400, f"unexpected payload for {topic}: {exc.error_count()} problem(s)")
    except Exception:
        log.exception("Shopify webhook %s for %s failed", topic, shop)
        await app.store.forget_delivery(webhook_id)  # so Shopify's retry is handled
        return _answer(503, "not handled; try again later")
    return _answer(200, "handled")
