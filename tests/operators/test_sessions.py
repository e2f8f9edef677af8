"""Operator sessions are rows: signing out ends a session for every copy of its cookie and
closes its open panel sockets; expired, forged and unknown sessions open nothing; the
table holds only hashes of the tokens in the cookies."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import socketio
import sqlalchemy as sa

from porch.db.engine import Database
from porch.events import EventBus
from porch.operators.events import SessionsRevoked
from porch.operators.service import Operator, OperatorService
from porch.operators.sessions import SessionStore
from porch.operators.tables import operator_sessions, operators
from porch.panel.sessions import COOKIE_NAME, decode_session, encode_session
from porch.services import Services
from tests.support.chat_clients import TIMEOUT, Client, Seeded
from tests.support.live_server import LiveServer

PASSWORD = "pw-123456"  # what `seed` gives its operator
BROWSER = "Mozilla/5.0 (Porch tests)"


@pytest.fixture
async def opened() -> AsyncIterator[list[httpx.AsyncClient | Client]]:
    """Browsers and sockets a test opens; closed afterwards."""
    things: list[httpx.AsyncClient | Client] = []
    yield things
    for thing in things:
        await (thing.aclose() if isinstance(thing, httpx.AsyncClient) else thing.close())


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


@pytest.fixture
def sign_in(
    live_server: LiveServer, seeded: Seeded, opened: list
) -> Callable[[], Awaitable[httpx.AsyncClient]]:
    """A new browser that signs in through the login form."""

    async def open_browser() -> httpx.AsyncClient:
        browser = httpx.AsyncClient(base_url=live_server.url, headers={"User-Agent": BROWSER})
        opened.append(browser)
        page = await browser.get("/panel/login")
        form = {
            "csrf_token": csrf_from(page.text),
            "email": seeded.operator.email,
            "password": PASSWORD,
        }
        assert (await browser.post("/panel/login", data=form)).status_code == 303
        return browser

    return open_browser


async def sign_out(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/panel")
    reply = await browser.post("/panel/logout", data={"csrf_token": csrf_from(page.text)})
    assert reply.status_code == 303 and reply.headers["location"] == "/panel/login"


async def socket_with(server: LiveServer, cookie: str, opened: list) -> Client:
    client = Client("/operator")
    opened.append(client)
    return await client.connect(server.url, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})


async def assert_refused(server: LiveServer, cookie: str) -> None:
    """Neither a panel page nor the panel socket opens with this cookie."""
    async with httpx.AsyncClient(base_url=server.url, cookies={COOKIE_NAME: cookie}) as other:
        page = await other.get("/panel")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/panel/login")
    client = Client("/operator")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(server.url, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
    await client.close()


def stored_sessions(server: LiveServer) -> list[sa.Row]:
    async def run(services: Services) -> list[sa.Row]:
        async with services.db.connect() as conn:
            return list(await conn.execute(sa.select(operator_sessions)))

    return server.call(run)


async def test_signing_out_ends_the_session_and_closes_its_sockets(
    live_server: LiveServer, sign_in, opened: list
) -> None:
    browser = await sign_in()
    cookie = browser.cookies[COOKIE_NAME]
    first, second = [await socket_with(live_server, cookie, opened) for _ in range(2)]
    assert (await first.call("inbox.list", {"status": "open"}))["ok"] is True
    await sign_out(browser)
    for socket in (first, second):
        await asyncio.wait_for(socket.disconnected.wait(), TIMEOUT)
    assert COOKIE_NAME not in browser.cookies
    await assert_refused(live_server, cookie)  # a copy of the old cookie is worth nothing
    assert stored_sessions(live_server) == []


async def test_two_sign_ins_are_two_sessions(
    live_server: LiveServer, sign_in, opened: list
) -> None:
    laptop, phone = await sign_in(), await sign_in()
    assert laptop.cookies[COOKIE_NAME] != phone.cookies[COOKIE_NAME]
    laptop_socket = await socket_with(live_server, laptop.cookies[COOKIE_NAME], opened)
    phone_socket = await socket_with(live_server, phone.cookies[COOKIE_NAME], opened)
    assert len(stored_sessions(live_server)) == 2
    await sign_out(laptop)
    await asyncio.wait_for(laptop_socket.disconnected.wait(), TIMEOUT)
    assert (await phone.get("/panel")).status_code == 200
    assert (await phone_socket.call("inbox.list", {"status": "open"}))["ok"] is True
    assert not phone_socket.disconnected.is_set()
    assert len(stored_sessions(live_server)) == 1


async def test_an_expired_session_is_refused(live_server: LiveServer, sign_in) -> None:
    browser = await sign_in()
    assert (await browser.get("/panel")).status_code == 200

    async def expire(services: Services) -> None:
        past = datetime.now(UTC) - timedelta(seconds=1)
        async with services.db.begin() as conn:
            await conn.execute(operator_sessions.update().values(expires_at=past))

    live_server.call(expire)
    await assert_refused(live_server, browser.cookies[COOKIE_NAME])


async def test_tampered_and_unknown_cookies_are_refused(live_server: LiveServer, sign_in) -> None:
    cookie = (await sign_in()).cookies[COOKIE_NAME]
    await assert_refused(live_server, cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    # Signed with the real key (as if it leaked) but naming no stored session:
    await assert_refused(live_server, encode_session(live_server.config.secret_key, "made-up"))


async def test_the_table_keeps_a_hash_of_the_token_never_the_token(
    live_server: LiveServer, sign_in
) -> None:
    browser = await sign_in()
    cookie = browser.cookies[COOKIE_NAME]
    token = decode_session(live_server.config.secret_key, cookie)
    assert token
    [row] = stored_sessions(live_server)
    assert row.id == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) and cookie != value for value in row)
    assert row.user_agent == BROWSER and row.ip == "127.0.0.1"
    assert row.expires_at - row.created_at == timedelta(days=14)
    page = await browser.get("/panel")
    assert csrf_from(page.text) == row.csrf_token  # CSRF is bound to the session row


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def store_parts(database_url: str) -> AsyncIterator[tuple[SessionStore, Operator, Clock]]:
    db = Database(database_url)
    clock = Clock()
    operator = await OperatorService(db).create("sam@shop.example", "Sam", PASSWORD)
    yield SessionStore(db, EventBus(), lifetime=timedelta(hours=1), clock=clock), operator, clock
    await db.dispose()


async def test_resolve_slides_last_seen_at_most_once_a_minute(store_parts) -> None:
    store, operator, clock = store_parts
    new = await store.create(operator, user_agent="x" * 1000, ip="203.0.113.9")
    assert len(new.session.user_agent) == 300
    clock.now += timedelta(seconds=30)
    assert (await store.resolve(new.token)).last_seen_at == new.session.created_at
    clock.now += timedelta(seconds=31)
    assert (await store.resolve(new.token)).last_seen_at == clock.now
    clock.now += timedelta(seconds=5)
    again = await store.resolve(new.token)
    assert again.last_seen_at == clock.now - timedelta(seconds=5)
    assert again.operator == operator and again.expires_at == new.session.expires_at


async def test_expired_sessions_resolve_to_nothing_and_are_cleared(store_parts) -> None:
    store, operator, clock = store_parts
    old = await store.create(operator)
    clock.now += timedelta(hours=1)
    assert await store.resolve(old.token) is None
    fresh = await store.create(operator)  # clears the operator's expired sessions
    async with store.db.connect() as conn:
        ids = list(await conn.scalars(sa.select(operator_sessions.c.id)))
    assert ids == [fresh.session.id]
    assert await store.resolve("") is None and await store.resolve("t" * 500) is None


async def test_revoke_all_ends_every_session_of_one_operator(store_parts) -> None:
    store, operator, _clock = store_parts
    heard: list[SessionsRevoked] = []

    async def hear(event: SessionsRevoked) -> None:
        heard.append(event)

    store.events.subscribe(SessionsRevoked, hear)
    other = await OperatorService(store.db).create("kim@shop.example", "Kim", PASSWORD)
    mine = [await store.create(operator) for _ in range(2)]
    theirs = await store.create(other)
    assert await store.revoke_all_for_operator(operator.id) == 2
    assert [await store.resolve(new.token) for new in mine] == [None, None]
    assert (await store.resolve(theirs.token)) is not None
    assert len(heard) == 1 and heard[0].operator_id == operator.id
    assert sorted(heard[0].session_ids) == sorted(new.session.id for new in mine)
    assert await store.revoke_all_for_operator(operator.id) == 0 and len(heard) == 1


async def test_deleting_an_operator_deletes_their_sessions(store_parts) -> None:
    store, operator, _clock = store_parts
    new = await store.create(operator)
    async with store.db.begin() as conn:
        await conn.execute(operators.delete().where(operators.c.id == operator.id))
    assert await store.resolve(new.token) is None
    async with store.db.connect() as conn:
        assert await conn.scalar(sa.select(sa.func.count()).select_from(operator_sessions)) == 0
