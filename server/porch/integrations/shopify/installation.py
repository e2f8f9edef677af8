"""Installing Porch on a shop: the authorization code grant and token exchange (embedded
apps), then a Porch site for the shop whose key and identity secret go into app-owned
metafields, where the theme app embed reads them (`app.metafields.porch.*`) together with
this server's URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from porch.integrations.shopify.admin import ShopifyError, TokenGrant
from porch.integrations.shopify.service import ShopifyApp
from porch.integrations.shopify.session_token import shop_of_session_token
from porch.sites.models import Site
from porch.sites.origins import normalize_origin

CALLBACK_PATH = "/shopify/callback"
METAFIELD_NAMESPACE = "porch"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"

SHOP_QUERY = """
query PorchInstall {
  shop { name primaryDomain { url } }
  currentAppInstallation { id }
}
"""

METAFIELDS_SET = """
mutation PorchMetafields($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key namespace }
    userErrors { field message }
  }
}
"""


def authorize_url(app: ShopifyApp, shop: str, nonce: str) -> str:
    query = urlencode(
        {
            "client_id": app.config.shopify_api_key,
            "scope": app.config.shopify_scopes,
            "redirect_uri": app.config.base_url + CALLBACK_PATH,
            "state": nonce,
        }
    )
    return f"{app.client.urls.authorize(shop)}?{query}"


async def install_with_code(app: ShopifyApp, shop: str, code: str) -> Site:
    """The authorization code grant's last step: code → expiring offline token."""
    form = {**app.client_credentials(), "code": code, "expiring": "1"}
    return await _installed(app, shop, await app.client.request_token(shop, form))


async def install_with_session_token(app: ShopifyApp, session_token: str) -> Site:
    """Token exchange: an embedded app's session token → expiring offline token.

    Done on every open of the app in the admin, which also re-links a reinstalled shop.
    """
    shop = shop_of_session_token(
        session_token, app.config.shopify_api_key, app.config.shopify_api_secret
    )
    form = {
        **app.client_credentials(),
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": session_token,
        "subject_token_type": ID_TOKEN,
        "requested_token_type": OFFLINE_TOKEN,
        "expiring": "1",
    }
    return await _installed(app, shop, await app.client.request_token(shop, form))


async def _installed(app: ShopifyApp, shop: str, grant: TokenGrant) -> Site:
    await app.store.save_install(shop, grant)
    return await sync(app, shop)


async def sync(app: ShopifyApp, shop: str) -> Site:
    """Link the shop's site (its origins follow the primary domain) and write the embed's
    metafields again, e.g. after the site's identity secret was rotated."""
    about = await app.graphql(shop, SHOP_QUERY)
    site = await _link_site(app, shop, about.get("shop") or {})
    installation = (about.get("currentAppInstallation") or {}).get("id")
    if not installation:
        raise ShopifyError(f"{shop} did not say which app installation this is")
    await _write_metafields(app, shop, installation, site)
    return site


def shop_origins(shop: str, primary_url: str | None) -> list[str]:
    """Where the storefront is served: the myshopify domain and the primary domain."""
    origins = [f"https://{shop}"]
    primary = normalize_origin(primary_url) if primary_url else None
    if primary and urlsplit(primary).scheme == "https" and primary not in origins:
        origins.append(primary)
    return origins


async def _link_site(app: ShopifyApp, shop: str, about: dict[str, Any]) -> Site:
    """The shop's site, re-enabled with the shop's origins, or a new one."""
    origins = shop_origins(shop, (about.get("primaryDomain") or {}).get("url"))
    stored = await app.store.get(shop)
    site = await app.sites.get(stored.site_id) if stored and stored.site_id else None
    if site is None:
        name = str(about.get("name") or shop)[:200].strip() or shop
        site = await app.sites.create(name, origins)
    else:
        # Origins the operator added, including those put aside at uninstall, stay.
        saved = stored.origins if stored else []
        kept = [o for o in dict.fromkeys([*site.allowed_origins, *saved]) if o not in origins]
        if origins + kept != site.allowed_origins:  # else no widget needs telling
            site = await app.sites.update(site.id, origins=origins + kept)
    await app.store.link_site(shop, site.id, set_aside=[])  # back on the site
    return site


async def _write_metafields(app: ShopifyApp, shop: str, owner_id: str, site: Site) -> None:
    values = {
        "server_url": app.config.base_url,
        "site_key": site.key,
        "identity_secret": site.identity_secret,
    }
    metafields = [
        {
            "ownerId": owner_id,
            "namespace": METAFIELD_NAMESPACE,
            "key": key,
            "type": "single_line_text_field",
            "value": value,
        }
        for key, value in values.items()
    ]
    data = await app.graphql(shop, METAFIELDS_SET, {"metafields": metafields})
    errors = (data.get("metafieldsSet") or {}).get("userErrors") or []
    if errors:
        raise ShopifyError(f"{shop} refused the metafields: {errors[0].get('message')}")
