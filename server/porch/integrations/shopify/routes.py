"""HTTP edges of the Shopify app: install (code grant), the embedded app home (token
exchange), webhooks, the app proxy, and the panel's JSON routes (orders, data requests).

Every request from Shopify is checked before use: the shop domain, the query HMAC with a
fresh timestamp, the OAuth state nonce, session tokens, webhook and proxy signatures.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from porch.integrations.shopify import installation, panel_api, webhooks
from porch.integrations.shopify.admin import ShopifyError
from porch.integrations.shopify.service import ShopifyApp
from porch.integrations.shopify.session_token import InvalidSessionToken, shop_of_session_token
from porch.integrations.shopify.signatures import (
    proxy_verified,
    query_verified,
    valid_shop,
)
from porch.ratelimit import client_ip
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.identity import identity_hash

STATE_COOKIE = "porch_shopify_state"
STATE_MAX_AGE = 600
HMAC_TOLERANCE_SECONDS = 90  # as in Shopify's own library
MAX_QUERY = 4096
EMBED_HANDLE = "porch-chat"  # the app embed block's file name in the theme extension

_pages = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(default=True),
)


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _refusal(exc: Refused) -> Response:
    return PlainTextResponse(exc.message, status_code=exc.status, headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store"}


def _params(request: Request) -> list[tuple[str, str]]:
    if len(request.url.query) > MAX_QUERY:
        raise Refused(414, "The query string is too long.")
    return list(request.query_params.multi_items())


def _shop(params: list[tuple[str, str]]) -> str:
    shop = dict(params).get("shop", "")
    if not valid_shop(shop):
        raise Refused(400, "Not a Shopify shop domain (name.myshopify.com).")
    return shop


def _signed(app: ShopifyApp, params: list[tuple[str, str]]) -> None:
    """The query carries a valid HMAC made moments ago."""
    if not query_verified(params, app.config.shopify_api_secret):
        raise Refused(401, "The request's HMAC does not match.")
    timestamp = dict(params).get("timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > HMAC_TOLERANCE_SECONDS:
        raise Refused(401, "The request is too old; start again from the Shopify admin.")


def _from_shopify(app: ShopifyApp, request: Request, signed: bool) -> tuple[dict[str, str], str]:
    """The query and shop of a request from the Shopify admin, checked (and its HMAC too,
    when `signed`)."""
    if not app.configured:
        raise Refused(503, "The Shopify app is not configured on this Porch server.")
    params = _params(request)
    shop = _shop(params)
    if signed:
        _signed(app, params)
    return dict(params), shop


def routes(services: Services, app: ShopifyApp) -> list[BaseRoute]:
    limiter = services.limiter  # "install": each start stores a state nonce

    def edge(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as exc:
                return _refusal(exc)
            except ShopifyError as exc:
                return _refusal(Refused(502, f"Shopify could not complete this: {exc}"))

        return endpoint

    async def start_install(request: Request) -> Response:
        # Links from Shopify are signed; a URL typed by the merchant is not.
        _query, shop = _from_shopify(app, request, signed="hmac" in request.query_params)
        if not await limiter.allow("install", client_ip(request)):
            raise Refused(429, "Too many installs started from here; try again in a minute.")
        nonce = await app.store.new_state(shop)
        response = RedirectResponse(installation.authorize_url(app, shop, nonce), status_code=302)
        response.set_cookie(
            STATE_COOKIE,
            nonce,
            max_age=STATE_MAX_AGE,
            path="/shopify",
            httponly=True,
            samesite="lax",
            secure=services.config.secure_cookies,
        )
        return response

    async def callback(request: Request) -> Response:
        query, shop = _from_shopify(app, request, signed=True)
        state = query.get("state", "")
        if state != request.cookies.get(STATE_COOKIE) or not await app.store.take_state(
            state, shop
        ):
            raise Refused(403, "This install link has expired or was not started here.")
        code = query.get("code", "")
        if not 0 < len(code) <= 256:
            raise Refused(400, "Shopify sent no authorization code.")
        await installation.install_with_code(app, shop, code)
        response = RedirectResponse(_admin_app_url(app, shop), status_code=302)
        response.delete_cookie(STATE_COOKIE, path="/shopify")
        return response

    async def home(request: Request) -> Response:
        """The app's page inside the Shopify admin (embedded: loaded with a session token)."""
        query, shop = _from_shopify(app, request, signed=True)
        session_token = query.get("id_token", "")
        if not session_token:
            stored = await app.store.get(shop)
            if stored is None or not stored.installed:
                return RedirectResponse(f"/shopify/install?shop={quote(shop)}", status_code=302)
        site = await _installed_site(shop, session_token)
        return _home_page(app, shop, site)

    async def _installed_site(shop: str, session_token: str) -> Site:
        stored = await app.store.get(shop)
        if session_token:
            try:
                token_shop = shop_of_session_token(
                    session_token, app.config.shopify_api_key, app.config.shopify_api_secret
                )
            except InvalidSessionToken as exc:
                raise Refused(401, str(exc)) from exc
            if token_shop != shop:
                raise Refused(401, "The session token is for another shop.")
            if await app.store.tokens(shop) is None:  # not installed, or sealed under an old key
                return await installation.install_with_session_token(app, session_token)
            return await installation.sync(app, shop)
        site = await services.sites.get(stored.site_id) if stored and stored.site_id else None
        if site is None:
            raise Refused(409, "The shop has no Porch site; reinstall the app.")
        return site

    async def proxy(request: Request) -> Response:
        """Storefront requests through Shopify's app proxy (`/apps/porch/...`)."""
        params = _params(request)
        if not proxy_verified(params, app.config.shopify_api_secret):
            raise Refused(401, "The app proxy signature does not match.")
        shop = _shop(params)
        stored = await app.store.get(shop)
        site = await services.sites.get(stored.site_id) if stored and stored.site_id else None
        if site is None or not stored or not stored.installed:
            raise Refused(404, "Porch is not installed on this shop.")
        reply = {"site_key": site.key, "server_url": services.config.base_url}
        customer = dict(params).get("logged_in_customer_id", "")
        if customer.isdigit():
            # Shopify signed who is logged in, so the hash may be handed to their browser.
            reply |= {
                "customer_id": customer,
                "hash": identity_hash(site.identity_secret, customer),
            }
        return panel_api.json(reply)

    async def receive_webhook(request: Request) -> Response:
        return await webhooks.receive(app, request)

    return [
        Route("/shopify", edge(home), methods=["GET"]),
        Route("/shopify/install", edge(start_install), methods=["GET"]),
        Route(installation.CALLBACK_PATH, edge(callback), methods=["GET"]),
        Route(webhooks.PATH, receive_webhook, methods=["POST"]),
        Route("/shopify/proxy", edge(proxy), methods=["GET"]),
        Route("/shopify/proxy/{rest:path}", edge(proxy), methods=["GET"]),
        *panel_api.routes(services, app),
    ]


def _admin_app_url(app: ShopifyApp, shop: str) -> str:
    return f"{app.client.urls.base(shop)}/admin/apps/{app.config.shopify_api_key}"


def _home_page(app: ShopifyApp, shop: str, site: Site) -> Response:
    base = app.client.urls.base(shop)
    editor = (
        f"{base}/admin/themes/current/editor?context=apps"
        f"&activateAppId={app.config.shopify_api_key}/{EMBED_HANDLE}"
    )
    html = _pages.get_template("home.html").render(
        api_key=app.config.shopify_api_key,
        shop=shop,
        site_name=site.name,
        site_key=site.key,
        theme_editor_url=editor,
        panel_url=app.config.base_url + "/panel",
    )
    # Only the shop's admin may frame this page.
    csp = f"frame-ancestors https://{shop} https://admin.shopify.com"
    return HTMLResponse(html, headers={**_NO_STORE, "Content-Security-Policy": csp})
