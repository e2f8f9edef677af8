"""A customer's orders, read through the Admin GraphQL API: the recent ones (shown to
operators beside a conversation) and one looked up by number and email (for the bot)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from porch.integrations.shopify.admin import ShopifyError
from porch.integrations.shopify.service import NotInstalled, ShopifyApp
from porch.sites.models import Site

RECENT = 5
ORDER_NUMBER = re.compile(r"^#?(\d{1,12})$")
EMAIL = re.compile(r"^[^@\s\"\\]{1,64}@[^@\s\"\\]{1,255}$")

ORDER_FIELDS = """
  name
  createdAt
  email
  displayFinancialStatus
  displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
"""

CUSTOMER_ORDERS = f"""
query PorchCustomerOrders($id: ID!, $first: Int!) {{
  customer(id: $id) {{
    orders(first: $first, sortKey: CREATED_AT, reverse: true) {{ nodes {{ {ORDER_FIELDS} }} }}
  }}
}}
"""

ORDERS_SEARCH = f"""
query PorchFindOrder($query: String!) {{
  orders(first: 5, query: $query) {{ nodes {{ {ORDER_FIELDS} }} }}
}}
"""


@dataclass(frozen=True)
class Order:
    number: str  # "#1001", as the shop shows it
    created_at: str
    financial_status: str | None
    fulfillment_status: str | None
    total: str
    currency: str
    email: str | None

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def _order(node: dict[str, Any]) -> Order:
    money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
    return Order(
        number=str(node.get("name") or ""),
        created_at=str(node.get("createdAt") or ""),
        financial_status=node.get("displayFinancialStatus"),
        fulfillment_status=node.get("displayFulfillmentStatus"),
        total=str(money.get("amount") or "0"),
        currency=str(money.get("currencyCode") or ""),
        email=node.get("email"),
    )


async def _shop_of(app: ShopifyApp, site: Site) -> str:
    stored = await app.store.for_site(site.id)
    if stored is None or not stored.installed:
        raise NotInstalled(f"site {site.key} is not a Shopify store with Porch installed")
    return stored.shop


async def recent_orders(
    app: ShopifyApp, site: Site, customer_id: str, limit: int = RECENT
) -> list[Order]:
    """The customer's latest orders, newest first."""
    if not customer_id.isdigit():
        raise ShopifyError("a Shopify customer id is a number")
    shop = await _shop_of(app, site)
    variables = {"id": f"gid://shopify/Customer/{customer_id}", "first": limit}
    data = await app.graphql(shop, CUSTOMER_ORDERS, variables)
    customer = data.get("customer") or {}
    return [_order(n) for n in (customer.get("orders") or {}).get("nodes") or []]


async def find_order(app: ShopifyApp, site: Site, number: str, email: str) -> Order | None:
    """The order with this number placed with this email, if both match.

    Both must match so that knowing an order number alone reveals nothing.
    """
    wanted = ORDER_NUMBER.match(number.strip())
    email = email.strip()
    if wanted is None or not EMAIL.match(email):
        return None
    shop = await _shop_of(app, site)
    name = f"#{wanted.group(1)}"
    data = await app.graphql(shop, ORDERS_SEARCH, {"query": f'name:{name} email:"{email}"'})
    for node in (data.get("orders") or {}).get("nodes") or []:
        order = _order(node)
        if order.number == name and (order.email or "").lower() == email.lower():
            return order
    return None
