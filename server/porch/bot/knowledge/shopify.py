"""A Shopify store's products and policies as knowledge, read through the Admin GraphQL API
of the existing integration (porch.integrations.shopify): one source per product and per
policy, replaced as a whole on each import."""

from __future__ import annotations

from typing import Any

from porch.bot.knowledge import extract
from porch.bot.knowledge.models import Document, Source
from porch.bot.knowledge.store import KnowledgeBase
from porch.integrations.shopify.service import NotInstalled, ShopifyApp
from porch.sites.models import Site

MAX_PRODUCTS = 100
KNOWLEDGE_QUERY = f"""
query PorchKnowledge {{
  shop {{ name primaryDomain {{ url }} shopPolicies {{ title body url }} }}
  products(first: {MAX_PRODUCTS}) {{ nodes {{ title handle description onlineStoreUrl }} }}
}}
"""


async def documents(app: ShopifyApp, site: Site) -> list[Document]:
    stored = await app.store.for_site(site.id)
    if stored is None or not stored.installed:
        raise NotInstalled(f"site {site.key} is not a Shopify store with Porch installed")
    data = await app.graphql(stored.shop, KNOWLEDGE_QUERY, {})
    store = data.get("shop") or {}
    base = str((store.get("primaryDomain") or {}).get("url") or "").rstrip("/")
    found = [_product(node, base) for node in (data.get("products") or {}).get("nodes") or []]
    found += [_policy(node) for node in store.get("shopPolicies") or []]
    return [d for d in found if d.text.strip()]


def _product(node: dict[str, Any], base: str) -> Document:
    title = str(node.get("title") or "Product")
    url = str(
        node.get("onlineStoreUrl") or (f"{base}/products/{node.get('handle')}" if base else "")
    )
    return Document(title, url, f"# {title}\n\n{node.get('description') or ''}")


def _policy(node: dict[str, Any]) -> Document:
    title = str(node.get("title") or "Policy")
    _title, text = extract.html_text(f"<html><body>{node.get('body') or ''}</body></html>")
    return Document(title, str(node.get("url") or ""), f"# {title}\n\n{text}")


async def import_store(kb: KnowledgeBase, app: ShopifyApp, site: Site) -> list[Source]:
    """Replace the site's Shopify sources with the store's products and policies now."""
    fresh = await documents(app, site)
    for source in await kb.sources(site.id):
        if source.kind == "shopify":
            await kb.remove(site.id, source.id)
    return [await kb.add_document(site.id, "shopify", document) for document in fresh]
