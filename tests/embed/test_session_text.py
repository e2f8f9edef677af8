"""Text in `POST /widget/v1/session` and `/widget/v1/check`, on SQLite and PostgreSQL:
emoji are stored intact; NUL (which PostgreSQL cannot store) is a clear 422 on both, never
a 500; and a non-ASCII identity hash is just a wrong hash."""

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
EMOJI = "🚀 Rocket mug 𝒜 🇫🇷 👍🏽 👩‍👩‍👧"
NUL = "a\x00b"


@pytest.fixture
async def http(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url, headers={"Origin": SHOP}) as client:
        yield client


def stored(server: LiveServer) -> dict[str, Any]:
    async def run(services: Services) -> dict[str, Any]:
        async with services.db.connect() as conn:
            titles = await conn.scalars(sa.select(page_views.c.title).order_by(page_views.c.id))
            count = await conn.scalar(sa.select(sa.func.count()).select_from(visitors))
            return {"titles": list(titles), "visitors": count}

    return server.call(run)


async def session(http: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await http.post("/widget/v1/session", json={"visitor_token": None, **fields})


async def test_emoji_page_titles_are_stored_intact(
    live_server: LiveServer, http: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = {**PAGE, "title": EMOJI, "url": PAGE["url"] + "?q=🚀"}
    reply = await session(http, site_key=seeded.site.key, page=page)
    assert reply.status_code == 200, reply.text
    assert stored(live_server)["titles"] == [EMOJI]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"page": {**PAGE, "title": NUL}}, "page.title"),
        ({"page": {**PAGE, "url": PAGE["url"] + NUL}}, "page.url"),
        ({"page": {**PAGE, "referrer": SHOP + "/" + NUL}}, "page.referrer"),
        ({"site_key": NUL}, "site_key"),
        ({"visitor_token": NUL}, "visitor_token"),
    ],
)
async def test_nul_is_422_and_stores_nothing(
    live_server: LiveServer, http: httpx.AsyncClient, seeded: Seeded, fields: dict, where: str
) -> None:
    before = stored(live_server)
    reply = await session(http, **{"site_key": seeded.site.key, "page": PAGE, **fields})
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == f"{where}: must not contain NUL characters (U+0000)"
    assert stored(live_server) == before


async def test_an_identity_with_nul_is_rejected_and_the_session_opens(
    live_server: LiveServer, http: httpx.AsyncClient, seeded: Seeded
) -> None:
    claim = {"id": NUL, "hash": identity_hash(seeded.site.identity_secret, NUL)}
    reply = await session(http, site_key=seeded.site.key, page=PAGE, identity=claim)
    assert reply.status_code == 200, reply.text
    assert reply.json()["identity"] == "rejected: id: must not contain NUL characters (U+0000)"
    assert reply.json()["visitor"]["verified"] is False


@pytest.mark.parametrize(
    "presented",
    ["é", "ü" * 64, "🚀", "\u0131" * 64],
    ids=["e-acute", "64 u-umlauts", "emoji", "64 dotless-i"],
)
async def test_a_non_ascii_identity_hash_is_a_wrong_hash(
    http: httpx.AsyncClient, seeded: Seeded, presented: str
) -> None:
    reply = await http.post(
        "/widget/v1/check", json={"site_key": seeded.site.key, "identity_hash": presented}
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["identity"] == "rejected"


async def test_check_refuses_nul_like_the_session(http: httpx.AsyncClient, seeded: Seeded) -> None:
    reply = await http.post(
        "/widget/v1/check", json={"site_key": seeded.site.key, "identity_hash": NUL}
    )
    assert reply.status_code == 422, reply.text
    assert "NUL" in reply.json()["error"]["message"]
