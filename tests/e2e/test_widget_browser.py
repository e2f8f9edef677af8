"""The loader + iframe widget in Chromium, against a protocol-faithful fake Porch server.

The widget's own routes (loader, bundles, frame) are the real ones; the session route and
the `/visitor` namespace are a small fake following docs/protocol.md, so these tests pin the
browser side independently of the server. The host page runs on another origin, as on a
customer's site.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import socketio
from jinja2 import Environment, FileSystemLoader, PrefixLoader, select_autoescape
from playwright.async_api import Browser, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from porch.clock import SystemClock
from porch.embed import assets
from porch.paths import PACKAGE_DIR, widget_dir
from porch.realtime.dispatch import when_connected
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.e2e

TOKEN = "tok-visitor-1"
SITE = {"name": "Acme Shoes", "typing_preview": True, "color": "#0a7d55", "greeting": "Hi!"}


@dataclass
class FakePorch:
    """What the fake server saw, plus a way to act as an operator."""

    sio: socketio.AsyncServer
    loop: asyncio.AbstractEventLoop | None = None
    messages: list[dict] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)
    reads: int = 0
    pages: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)
    sends: list[str] = field(default_factory=list)
    """Bodies of every `message.send` received, resends included."""
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def message(self, author: str, body: str, client_id: str | None = None) -> dict:
        return {
            "id": next(self.ids),
            "conversation_id": 1,
            "client_id": client_id,
            "author": author,
            "author_name": "Olivia" if author == "operator" else "Visitor",
            "body": body,
            "internal": False,
            "created_at": "2026-11-21T10:00:00+00:00",
        }

    def operator_says(self, body: str) -> None:
        coro = self.sio.emit("message", self.message("operator", body), namespace="/visitor")
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def operator_typing(self, typing: bool) -> None:
        data = {"typing": typing, "name": "Olivia"}
        coro = self.sio.emit("operator.typing", data, namespace="/visitor")
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)


def fake_porch() -> tuple[FakePorch, socketio.ASGIApp]:
    sio = socketio.AsyncServer(async_mode="asgi")
    fake = FakePorch(sio)

    @sio.on("connect", namespace="/visitor")
    async def connect(sid: str, _environ: dict, auth: dict | None) -> None:
        fake.loop = asyncio.get_running_loop()
        if not auth or auth.get("token") != TOKEN:
            raise socketio.exceptions.ConnectionRefusedError("bad token")
        hello = {
            "visitor": {"id": 7, "name": "Amber Fox", "email": None},
            "conversation": {"id": 1, "status": "open"} if fake.messages else None,
            "messages": fake.messages[-100:],
            "operators_online": True,
            "settings": {"typing_preview": True},
            "unread": 0,
        }

        async def greet() -> None:  # after the CONNECT packet, as the real server does
            await when_connected(sio, sid, "/visitor")
            await sio.emit("hello", hello, to=sid, namespace="/visitor")

        sio.start_background_task(greet)

    @sio.on("message.send", namespace="/visitor")
    async def send(sid: str, data: dict) -> dict | None:
        fake.sends.append(data["body"])
        if data["body"] == "slow down":
            error = {"code": "rate_limited", "message": "You are sending too fast"}
            return {"ok": False, "error": {**error, "event": "message.send"}}
        if data["body"] == "lose my ack" and data["client_id"] not in fake.dropped:
            # Stored, but the connection dies before the ack: the widget must resend.
            fake.dropped.add(data["client_id"])
            fake.messages.append(fake.message("visitor", data["body"], data["client_id"]))
            await sio.disconnect(sid, namespace="/visitor")
            return None
        if data["body"] == "lose my message" and data["client_id"] not in fake.dropped:
            # Lost before it was stored: only a resend after the reconnect delivers it.
            fake.dropped.add(data["client_id"])
            await sio.disconnect(sid, namespace="/visitor")
            return None
        stored = next((m for m in fake.messages if m["client_id"] == data["client_id"]), None)
        if stored is None:
            stored = fake.message("visitor", data["body"], data["client_id"])
            fake.messages.append(stored)
        return {"ok": True, "message": stored}

    @sio.on("typing", namespace="/visitor")
    async def typing(_sid: str, data: dict) -> None:
        fake.drafts.append(data["draft"])

    @sio.on("read", namespace="/visitor")
    async def read(_sid: str, _data: dict) -> None:
        fake.reads += 1

    @sio.on("page.view", namespace="/visitor")
    async def page_view(_sid: str, data: dict) -> None:
        fake.pages.append(data)

    @sio.on("visitor.update", namespace="/visitor")
    async def visitor_update(_sid: str, data: dict) -> dict:
        fake.updates.append(data)
        return {"ok": True}

    async def session(request: Request) -> Response:
        cors = {
            "Access-Control-Allow-Origin": request.headers.get("origin", "*"),
            "Access-Control-Allow-Headers": "content-type",
            "Access-Control-Allow-Methods": "POST",
        }
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=cors)
        body = await request.json()
        assert body["site_key"] == "demo"
        reply = {
            "visitor_token": TOKEN,
            "visitor": {"id": 7, "name": "Amber Fox"},
            "site": SITE,
            "operators_online": True,
            "unread": 0,
        }
        return JSONResponse(reply, headers=cors)

    templates = Environment(
        loader=PrefixLoader({"embed": FileSystemLoader(PACKAGE_DIR / "embed" / "templates")}),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    services = SimpleNamespace(templates=templates, sites=NoSites(), clock=SystemClock())
    http = Starlette(
        routes=[
            *assets.routes(services, assets.WidgetAssets(widget_dir())),  # type: ignore[arg-type]
            Route("/widget/v1/session", session, methods=["POST", "OPTIONS"]),
        ]
    )
    return fake, socketio.ASGIApp(sio, other_asgi_app=http)


class NoSites:
    """The fake server knows no site: the frame takes the browser's language and theme."""

    async def by_key(self, _key: str) -> None:
        return None


HOST_PAGE = """<!doctype html><html><head><title>Shoe shop</title>
<link rel="icon" href="data:,">
<script>
window.Porch = window.Porch || {q: []};
["open", "close", "toggle", "on", "setVisitor"].forEach(function (m) {
  Porch[m] = Porch[m] || function () { Porch.q.push([m].concat([].slice.call(arguments))); };
});
window.seen = [];
Porch.on("message", function (m) { window.seen.push(m.body); });
</script>
<script async src="PORCH/widget/porch.js" data-site="demo"></script>
</head><body><h1>Shoes</h1><p style="height:3000px">Lots of shoes</p></body></html>"""


@dataclass
class Site:
    porch: FakePorch
    porch_url: str
    host_url: str


@pytest.fixture
def site() -> Iterator[Site]:
    fake, app = fake_porch()
    porch = serve_in_thread(app)
    page = HOST_PAGE.replace("PORCH", porch.url)
    host = serve_in_thread(Starlette(routes=[Route("/", lambda _r: HTMLResponse(page))]))
    yield Site(fake, porch.url, host.url)
    porch.stop()
    host.stop()


async def open_site(browser: Browser, site: Site) -> tuple[Page, list[str]]:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    await page.goto(site.host_url)
    return page, errors


async def until(predicate: object) -> None:
    """Wait for server-side state the browser caused (the browser side uses expect)."""
    for _ in range(200):
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("server never saw the expected state")


async def test_visitor_chats_with_an_operator(browser: Browser, site: Site) -> None:
    page, errors = await open_site(browser, site)
    launcher = page.locator("[data-testid=porch-launcher]")
    await expect(launcher).to_have_attribute("aria-label", "Open chat")
    await launcher.click()
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("iframe[data-testid=porch-frame]")
    await expect(frame.locator("#porch-title")).to_have_text("Acme Shoes")
    await expect(frame.locator("#porch-presence")).to_contain_text("We usually reply")
    composer = frame.locator("[data-testid=porch-input]")
    await expect(composer).to_be_focused()

    attack = "<img src=x onerror=alert(1)>"
    await composer.fill(attack)
    await composer.press("Enter")
    mine = frame.locator("[data-testid=porch-message][data-author=visitor]")
    await expect(mine).to_have_count(1)
    await expect(mine.locator(".body")).to_have_text(attack)
    await expect(mine).to_have_attribute("data-state", "sent")
    await expect(frame.locator("img")).to_have_count(0)
    await expect(composer).to_have_value("")

    site.porch.operator_typing(True)
    await expect(frame.locator("[data-testid=porch-typing]")).to_contain_text("Olivia is typing")
    site.porch.operator_says("Hello! How can I help?")
    theirs = frame.locator("[data-testid=porch-message][data-author=operator]")
    await expect(theirs).to_have_text("Olivia · " + await _clock(page) + "Hello! How can I help?")
    await expect(frame.locator("[data-testid=porch-typing]")).to_be_hidden()
    assert await page.evaluate("window.seen") == ["Hello! How can I help?"]

    await composer.press("Escape")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    assert [m["body"] for m in site.porch.messages] == [attack]
    assert errors == []


async def _clock(page: Page) -> str:
    return await page.evaluate(
        "new Date('2026-11-21T10:00:00+00:00')"
        ".toLocaleTimeString(navigator.language, {hour: '2-digit', minute: '2-digit'})"
    )


async def test_unread_badge_counts_while_closed_and_clears_on_open(
    browser: Browser, site: Site
) -> None:
    page, errors = await open_site(browser, site)
    await expect(page.locator("iframe[data-testid=porch-frame]")).to_be_attached()
    badge = page.locator("[data-testid=porch-unread]")
    await expect(badge).to_be_hidden()
    await until(lambda: site.porch.loop is not None)
    site.porch.operator_says("Psst, 10% off today")
    site.porch.operator_says("Still there?")
    await expect(badge).to_have_text("2")
    await expect(badge).to_have_attribute("aria-label", "2 unread messages")
    await page.locator("[data-testid=porch-launcher]").click()
    await expect(badge).to_be_hidden()
    await until(lambda: site.porch.reads >= 1)
    assert errors == []


async def test_typing_preview_sends_the_final_draft_and_clears_on_send(
    browser: Browser, site: Site
) -> None:
    page, _errors = await open_site(browser, site)
    await page.evaluate("Porch.open()")
    composer = page.frame_locator("iframe[data-testid=porch-frame]").locator(
        "[data-testid=porch-input]"
    )
    await composer.press_sequentially("where is my order", delay=20)
    await until(lambda: site.porch.drafts and site.porch.drafts[-1] == "where is my order")
    assert len(site.porch.drafts) < len("where is my order")  # throttled, not per keystroke
    await composer.press("Enter")
    await until(lambda: site.porch.drafts[-1] == "")


async def test_failed_send_shows_the_reason_and_retries(browser: Browser, site: Site) -> None:
    page, _errors = await open_site(browser, site)
    await page.evaluate("Porch.open()")
    frame = page.frame_locator("iframe[data-testid=porch-frame]")
    await frame.locator("[data-testid=porch-input]").fill("slow down")
    await frame.locator("[data-testid=porch-send]").click()
    mine = frame.locator("[data-testid=porch-message][data-author=visitor]")
    await expect(mine).to_have_attribute("data-state", "failed")
    await expect(mine.get_by_role("alert")).to_contain_text("You are sending too fast")
    await expect(mine.get_by_role("button", name="Retry")).to_be_visible()


@pytest.mark.parametrize(
    ("text", "sends"),
    [
        # The ack is lost: the reconnect's history already holds it, so it is not resent.
        ("lose my ack", ["lose my ack"]),
        # Lost before it was stored: resent once after the reconnect.
        ("lose my message", ["lose my message", "lose my message"]),
    ],
)
async def test_a_lost_message_is_stored_exactly_once(
    browser: Browser, site: Site, text: str, sends: list[str]
) -> None:
    page, _errors = await open_site(browser, site)
    await page.evaluate("Porch.open()")
    frame = page.frame_locator("iframe[data-testid=porch-frame]")
    await frame.locator("[data-testid=porch-input]").fill(text)
    await frame.locator("[data-testid=porch-input]").press("Enter")
    mine = frame.locator("[data-testid=porch-message][data-author=visitor]")
    await expect(mine).to_have_attribute("data-state", "sent")
    await expect(mine).to_have_count(1)
    assert [m["body"] for m in site.porch.messages] == [text]
    assert site.porch.sends == sends


async def test_spa_navigation_and_set_visitor_reach_the_server(
    browser: Browser, site: Site
) -> None:
    page, _errors = await open_site(browser, site)
    await page.evaluate("Porch.setVisitor({name: 'Amber', email: 'a@example.com', plan: 'pro'})")
    await expect(page.locator("iframe[data-testid=porch-frame]")).to_be_attached()
    await until(lambda: site.porch.updates)
    assert site.porch.updates[0] == {
        "name": "Amber",
        "email": "a@example.com",
        "attributes": {"plan": "pro"},
    }
    await page.evaluate("history.pushState({}, '', '/checkout')")
    await until(lambda: site.porch.pages)
    assert site.porch.pages[-1]["url"] == site.host_url + "/checkout"
