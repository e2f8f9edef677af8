"""`POST /widget/v1/session` over real HTTP: CORS per site, bad input, identity across reloads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from porch.services import Services
from porch.visitors.identity import identity_hash
from porch.visitors.tables import page_views, visitors
from tests.support.chat_clients import PAGE, Seeded
from tests.support.live_server import LiveServer

SHOP = "https://shop.example"


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        yield client


async def post(
    http: httpx.AsyncClient, body: Any, origin: str | None = SHOP, **kwargs: Any
) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return await http.post("/widget/v1/session", json=body, headers=headers, **kwargs)


def rows(server: LiveServer, table: sa.Table) -> int:
    async def run(services: Services) -> int:
        async with services.db.connect() as conn:
            return await conn.scalar(sa.select(sa.func.count()).select_from(table))

    return server.call(run)


def site_with_subdomains(server: LiveServer) -> str:
    """A site for the shop and any subdomain of sub.example: its key."""

    async def make(services: Services) -> str:
        return (await services.sites.create("S", [SHOP, "https://*.sub.example"])).key

    return server.call(make)


def body(site_key: str, token: str | None = None, page: dict | None = None) -> dict:
    return {"site_key": site_key, "visitor_token": token, "page": page or PAGE}


async def test_new_visitor_gets_a_token_and_the_site_look(
    http: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await post(http, body(seeded.site.key))
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == SHOP
    data = reply.json()
    assert data["visitor_token"] and len(data["visitor"]["name"].split()) == 2
    assert data["site"] == {
        "name": "Shop",
        "typing_preview": True,
        "color": "#4f46e5",
        "greeting": "Hi! How can we help?",
        "theme": "auto",
        "language": "auto",
    }
    assert data["operators_online"] is False
    assert data["unread"] == 0


async def test_token_keeps_the_visitor_across_reloads(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    first = (await post(http, body(seeded.site.key))).json()
    page2 = {"url": f"{SHOP}/cart", "title": "Cart", "referrer": f"{SHOP}/"}
    second = (await post(http, body(seeded.site.key, first["visitor_token"], page2))).json()
    third = (await post(http, body(seeded.site.key, second["visitor_token"]))).json()
    assert first["visitor"] == second["visitor"] == third["visitor"]
    assert rows(live_server, visitors) == 1
    assert rows(live_server, page_views) == 3


async def test_forged_or_foreign_tokens_get_a_new_visitor(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    mine = (await post(http, body(seeded.site.key))).json()

    async def other_site(services: Services) -> str:
        return (await services.sites.create("Other", [SHOP])).key

    other_key = live_server.call(other_site)
    foreign = (await post(http, body(other_key, mine["visitor_token"]))).json()
    assert foreign["visitor"]["id"] != mine["visitor"]["id"]
    forged_token = mine["visitor_token"][:-3] + "abc"
    forged = (await post(http, body(seeded.site.key, forged_token))).json()
    assert forged["visitor"]["id"] not in (mine["visitor"]["id"], foreign["visitor"]["id"])


@pytest.mark.parametrize(
    "origin",
    [SHOP, "https://shop.example:443", "https://www.sub.example", "https://a.b.sub.example"],
)
async def test_allowed_origins(
    live_server: LiveServer, http: httpx.AsyncClient, origin: str
) -> None:
    reply = await post(http, body(site_with_subdomains(live_server)), origin=origin)
    assert reply.status_code == 200
    assert reply.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://shop.example",
        "https://shop.example:8443",
        "https://shop.example.evil.example",
        "https://sub.example",
        "null",
    ],
)
async def test_disallowed_origins_are_refused_readably(
    live_server: LiveServer, http: httpx.AsyncClient, origin: str
) -> None:
    reply = await post(http, body(site_with_subdomains(live_server)), origin=origin)
    assert reply.status_code == 403
    assert reply.json()["error"]["code"] == "forbidden"
    # The loader can read the refusal (and stop retrying); nothing was created.
    assert reply.headers["access-control-allow-origin"] == origin
    assert rows(live_server, visitors) == 0


async def test_porch_own_origin_is_always_allowed(
    live_server: LiveServer, http: httpx.AsyncClient, seeded: Seeded
) -> None:
    reply = await post(http, body(seeded.site.key), origin=live_server.url)
    assert reply.status_code == 200


async def test_unknown_site_is_404(http: httpx.AsyncClient, seeded: Seeded) -> None:
    reply = await post(http, body("site_does_not_exist"))
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "not_found"


async def test_preflight(http: httpx.AsyncClient, seeded: Seeded) -> None:
    request = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    ok = await http.options("/widget/v1/session", headers={"Origin": SHOP, **request})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "content-type" in ok.headers["access-control-allow-headers"].lower()
    bad = await http.options(
        "/widget/v1/session", headers={"Origin": "https://evil.example", **request}
    )
    assert bad.status_code == 403
    assert "access-control-allow-origin" not in bad.headers


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        "{}",
        '{"site_key": 5, "page": {"url": "https://shop.example/"}}',
        '{"site_key": "k", "page": {"url": "https://shop.example/"}, "extra": 1}',
        '{"site_key": "k", "page": {"url": "javascript:alert(1)"}}',
        '{"site_key": "k", "page": {"url": "https://shop.example/", "title": 7}}',
        '{"site_key": "k", "visitor_token": 12, "page": {"url": "https://shop.example/"}}',
        '{"site_key": "k"}',
    ],
)
async def test_bad_bodies_are_422_with_a_message(
    http: httpx.AsyncClient, live_server: LiveServer, seeded: Seeded, payload: str
) -> None:
    # A real site key, so a body that slipped through validation would create a visitor.
    reply = await http.post(
        "/widget/v1/session",
        content=payload.replace('"k"', f'"{seeded.site.key}"'),
        headers={"Origin": SHOP, "Content-Type": "application/json"},
    )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert rows(live_server, visitors) == 0


async def test_long_fields_and_huge_bodies_are_refused(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    long_url = {"url": SHOP + "/" + "a" * 2100, "title": "", "referrer": ""}
    assert (await post(http, body(seeded.site.key, page=long_url))).status_code == 422
    huge = {**body(seeded.site.key), "padding": "x" * 20_000}
    assert (await post(http, huge)).status_code == 413
    assert rows(live_server, visitors) == 0


async def test_sessions_are_rate_limited_per_client_ip(
    http: httpx.AsyncClient, live_server: LiveServer, seeded: Seeded
) -> None:
    # The bucket refills one a second, so count until refused rather than assume the
    # first 60 requests fit in one second (bounded: 200 requests at most).
    accepted = 0
    for _ in range(200):
        refused = await post(http, body(seeded.site.key))
        if refused.status_code != 200:
            break
        accepted += 1
    assert accepted >= 60
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json() == {
        "error": {
            "code": "rate_limited",
            "message": "too many new sessions, slow down",
            "event": "session",
        }
    }
    assert rows(live_server, visitors) == accepted
    other_ip = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=live_server.url, transport=other_ip) as elsewhere:
        assert (await post(elsewhere, body(seeded.site.key))).status_code == 200


async def test_install_check_answers_like_a_session_but_stores_nothing(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    key, secret = seeded.site.key, seeded.site.identity_secret

    async def check(body: dict, origin: str = SHOP) -> httpx.Response:
        return await http.post("/widget/v1/check", json=body, headers={"Origin": origin})

    ok = await check({"site_key": key, "identity_hash": identity_hash(secret, key)})
    assert ok.status_code == 200
    assert ok.json() == {"site": {"name": "Shop"}, "identity": "verified"}
    wrong = await check({"site_key": key, "identity_hash": identity_hash("other", key)})
    assert wrong.json()["identity"] == "rejected"
    assert "identity" not in (await check({"site_key": key})).json()
    assert (await check({"site_key": "site_unknown"})).status_code == 404
    assert (await check({"site_key": key}, origin="https://evil.example")).status_code == 403
    assert (await check({"site_key": key, "page": {}})).status_code == 422
    assert rows(live_server, visitors) == 0 and rows(live_server, page_views) == 0


async def test_the_browser_language_time_zone_and_device_reach_the_inbox(
    http: httpx.AsyncClient, seeded: Seeded, live_server: LiveServer
) -> None:
    """What the loader sends (and the request's user agent) is kept for the details
    panel; a time zone the server does not know is dropped, never refused."""
    from porch import wire

    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
    said = {"language": "fr-FR", "time_zone": "Europe/Paris"}
    reply = await http.post(
        "/widget/v1/session",
        json={**body(seeded.site.key), "browser": said},
        headers={"Origin": SHOP, "User-Agent": firefox},
    )
    visitor_id = reply.json()["visitor"]["id"]

    def details() -> dict[str, Any]:
        async def run(services: Services) -> dict[str, Any]:
            return wire.visitor_summary(await services.visitors.summary(visitor_id, []))

        return live_server.call(run)

    shown = details()
    assert shown["location"] == "Europe/Paris · fr-FR"
    assert shown["device"] == "Firefox 133 on Windows"

    odd = {"language": "fr-FR", "time_zone": "Mars/Olympus"}
    again = await post(
        http, {**body(seeded.site.key, reply.json()["visitor_token"]), "browser": odd}
    )
    assert again.status_code == 200
    assert details()["location"] == "Europe/Paris · fr-FR"  # the odd zone kept nothing
    too_much = {**body(seeded.site.key), "browser": {str(n): "x" for n in range(5)}}
    assert (await post(http, too_much)).status_code == 422
