"""The visitor's experience of the widget, in Chromium against the real server.

Phone widths, keyboard-only use, presence and the email fallback, the typing-preview
setting, a server outage mid-chat, identity across pages and SPA navigation, what the host
page pays, and a page whose origin the site does not allow. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import Page, Request, Route, expect

from porch.demo.seed import Demo
from porch.services import Services
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Inbox, Storefront, Visitors
from tests.support.live_server import LiveServer, start_live_server

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ONLINE = "We usually reply in a few minutes"
OFFLINE = "Leave us a message and we'll email you"
# Settled means the slide-in transition has finished, not merely come within a pixel.
FRAME_FILLS_VIEWPORT = """() => {
    const root = document.querySelector('#porch-widget').shadowRoot;
    if (root.getAnimations().some(a => a.playState !== 'finished')) return false;
    const r = root.querySelector('iframe').getBoundingClientRect();
    return Math.abs(r.x) < 0.5 && Math.abs(r.y) < 0.5 &&
        Math.abs(r.width - innerWidth) < 1 && Math.abs(r.height - innerHeight) < 1;
}"""
RECONNECT_MS = 40_000  # the widget backs off up to ~12 s between reconnect attempts


async def _focus_launcher_by_tab(shop: Storefront) -> None:
    """Press Tab until the launcher (inside the loader's shadow root) has focus."""
    await expect(shop.launcher).to_be_visible()
    for _ in range(30):
        await shop.page.keyboard.press("Tab")
        if await shop.launcher.evaluate("el => el.getRootNode().activeElement === el"):
            return
    raise AssertionError("Tab never reached the chat launcher")


async def _conversation_bodies(server: LiveServer) -> list[list[str]]:
    """Every stored message body, per conversation (operators' view, notes included)."""

    async def read(services: Services) -> list[list[str]]:
        result = []
        for summary in await services.conversations.inbox("open"):
            messages = await services.conversations.messages(
                summary.conversation.id, include_internal=True
            )
            result.append([m.body for m in messages])
        return result

    return server.call(read)


async def test_phone_width_chat_fills_the_screen(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    tab = await new_tab(viewport=PHONE)
    shop = Storefront(tab.page, demo_server.url)
    await shop.visit()
    await expect(shop.launcher).to_be_visible()

    await shop.open_chat()
    # The panel slides in; wait for it to settle, then it must cover the whole viewport.
    await tab.page.wait_for_function(FRAME_FILLS_VIEWPORT)
    box = await tab.page.get_by_test_id("porch-frame").bounding_box()
    assert box is not None
    assert (round(box["x"]), round(box["y"])) == (0, 0)
    assert (round(box["width"]), round(box["height"])) == (PHONE["width"], PHONE["height"])
    await expect(shop.launcher).to_be_hidden()  # the full-screen chat covers it

    await shop.send("Hi from my phone")
    await expect(shop.messages("visitor")).to_contain_text(["Hi from my phone"])
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")

    await shop.frame.get_by_test_id("porch-close").click()
    await expect(shop.launcher).to_be_visible()
    await expect(shop.launcher).to_have_attribute("aria-expanded", "false")
    await expect(shop.input).to_be_hidden()
    assert tab.errors == []


async def test_keyboard_only_visitor(demo_server: LiveServer, demo: Demo, new_tab) -> None:
    tab = await new_tab()
    shop = Storefront(tab.page, demo_server.url)
    keyboard = tab.page.keyboard
    await shop.visit()
    await _focus_launcher_by_tab(shop)
    await expect(shop.launcher).to_have_attribute("aria-expanded", "false")
    await expect(shop.launcher).to_have_attribute("aria-label", "Open chat")

    await keyboard.press("Enter")
    await expect(shop.launcher).to_have_attribute("aria-expanded", "true")
    await expect(shop.launcher).to_have_attribute("aria-label", "Close chat")
    await expect(shop.input).to_be_focused(timeout=30_000)  # Brython compiles on first open

    await keyboard.type("First line")
    await keyboard.press("Shift+Enter")
    await keyboard.type("second line")
    await expect(shop.input).to_have_value("First line\nsecond line")
    await keyboard.press("Enter")
    await expect(shop.bodies("visitor")).to_have_js_property(
        "textContent", "First line\nsecond line"
    )
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")
    await expect(shop.input).to_have_value("")
    assert await _conversation_bodies(demo_server) == [["First line\nsecond line"]]

    await keyboard.press("Escape")
    await expect(shop.input).to_be_hidden()
    await expect(shop.launcher).to_be_focused()
    await expect(shop.launcher).to_have_attribute("aria-expanded", "false")
    await expect(shop.launcher).to_have_attribute("aria-label", "Open chat")
    assert tab.errors == []


async def test_presence_line_and_email_fallback(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    visitor_tab, operator_tab = await new_tab(), await new_tab()
    shop = Storefront(visitor_tab.page, demo_server.url)
    await shop.visit()
    await shop.open_chat()

    # Nobody online: the widget offers to email the answer.
    await expect(shop.presence).to_have_text(OFFLINE)
    await expect(shop.email_form).to_be_visible()
    await shop.frame.locator("#porch-email").fill("amber@example.com")
    await shop.email_form.get_by_role("button", name="Save").click()
    await expect(
        shop.frame.get_by_text("Thanks! We'll reply to amber@example.com.")
    ).to_be_visible()
    await expect(shop.email_form).to_be_hidden()

    async def emails(services: Services) -> list[str | None]:
        return [v.visitor.email for v in await services.visitors.list_live(online=[])]

    assert demo_server.call(emails) == ["amber@example.com"]

    # An operator logs in: the promise changes live.
    inbox = Inbox(operator_tab.page, demo_server.url)
    await inbox.login(demo)
    await expect(shop.presence).to_have_text(ONLINE)
    await expect(shop.email_form).to_be_hidden()

    # The operator steps away: back to the email promise, without asking for it again.
    presence = operator_tab.page.get_by_test_id("presence-toggle")
    await expect(presence).to_be_enabled()
    await presence.click()
    await expect(presence).to_have_attribute("data-status", "away")
    await expect(shop.presence).to_have_text(OFFLINE)
    await expect(shop.email_form).to_be_hidden()

    await presence.click()
    await expect(shop.presence).to_have_text(ONLINE)
    assert visitor_tab.errors == [] and operator_tab.errors == []


async def test_typing_preview_setting_off_keeps_drafts_private(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    demo_server.call(lambda s: s.sites.update_settings(demo.site.id, typing_preview=False))
    operator_tab, visitor_tab = await new_tab(), await new_tab()
    inbox = Inbox(operator_tab.page, demo_server.url)
    shop = Storefront(visitor_tab.page, demo_server.url)
    await inbox.login(demo)
    await shop.visit()
    await shop.open_chat()
    await shop.send("Hello")
    await inbox.open_first_conversation()
    await expect(inbox.messages("visitor")).to_contain_text(["Hello"])

    # Record every text the preview ever shows, so even a flash of the draft is caught.
    await operator_tab.page.evaluate(
        """() => {
            const node = document.querySelector('[data-testid=typing-preview]');
            window.__previews = [];
            new MutationObserver(() => {
                if (!node.hidden) window.__previews.push(node.textContent);
            }).observe(node, {attributes: true, childList: true, characterData: true,
                              subtree: true});
        }"""
    )
    await shop.input.fill("my secret draft")
    await shop.input.press_sequentially(" 4471")
    # A round trip through the server after the draft, then the visitor sends something else.
    await inbox.reply("Take your time")
    await expect(shop.messages("operator")).to_contain_text(["Take your time"])
    await shop.input.fill("Actually, a question about grinders")
    await shop.input.press("Enter")

    await expect(inbox.messages("visitor")).to_contain_text(
        ["Hello", "Actually, a question about grinders"]
    )
    await expect(inbox.typing_preview).to_be_hidden()
    assert await operator_tab.page.evaluate("window.__previews") == []
    assert await operator_tab.page.get_by_text("secret draft").count() == 0


@pytest.fixture
def restarts(demo_server: LiveServer):
    """Start the server again on the same config and port; stopped at teardown."""
    started: list[LiveServer] = []

    def restart() -> LiveServer:
        started.append(start_live_server(demo_server.config))
        return started[-1]

    yield restart
    for server in started:
        server.stop()


async def test_message_sent_during_an_outage_is_delivered_once(
    demo_server: LiveServer, demo: Demo, new_tab, restarts
) -> None:
    tab = await new_tab()
    shop = Storefront(tab.page, demo_server.url)
    await shop.visit()
    await shop.open_chat()
    await shop.send("Before the outage")
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")

    demo_server.stop()
    await expect(shop.frame.locator("#porch-status")).to_have_text("Reconnecting…")
    await shop.send("During the outage")
    pending = shop.messages("visitor").filter(has_text="During the outage")
    await expect(pending).to_have_attribute("data-state", "pending")

    restarts()
    await expect(pending).to_have_attribute("data-state", "sent", timeout=RECONNECT_MS)
    await expect(shop.frame.locator("#porch-status")).to_be_hidden()
    await expect(shop.messages("visitor")).to_have_count(2)
    assert await _conversation_bodies(demo_server) == [["Before the outage", "During the outage"]]

    await tab.page.reload()
    await shop.open_chat()
    await expect(shop.bodies("visitor")).to_have_text(["Before the outage", "During the outage"])
    await expect(shop.frame.locator("[data-state=pending]")).to_have_count(0)
    assert await _conversation_bodies(demo_server) == [["Before the outage", "During the outage"]]


async def test_identity_and_history_follow_the_visitor_across_pages(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    operator_tab, visitor_tab = await new_tab(), await new_tab()
    inbox = Inbox(operator_tab.page, demo_server.url)
    visitors = Visitors(operator_tab.page, demo_server.url)
    shop = Storefront(visitor_tab.page, demo_server.url)
    await inbox.login(demo)
    await visitors.visit()

    await shop.visit()
    await shop.open_chat()
    await shop.send("Which roast is mildest?")
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")
    await expect(visitors.pages_viewed).to_have_text("1")

    await shop.launcher.click()
    await visitor_tab.page.get_by_role("link", name="Morning Mist").click()
    await visitor_tab.page.wait_for_url("**/demo/products/morning-mist")
    await shop.open_chat()
    await expect(shop.bodies("visitor")).to_have_text(["Which roast is mildest?"])
    await expect(visitors.rows).to_have_count(1)
    await expect(visitors.page_title).to_have_text("Morning Mist · Porch Coffee Roasters")
    await expect(visitors.pages_viewed).to_have_text("2")

    await visitor_tab.page.go_back()
    await shop.open_chat()
    await expect(shop.bodies("visitor")).to_have_text(["Which roast is mildest?"])
    await expect(visitors.rows).to_have_count(1)
    await expect(visitors.page_title).to_have_text("Porch Coffee Roasters")
    await expect(visitors.pages_viewed).to_have_text("3")
    assert len(await _conversation_bodies(demo_server)) == 1


async def _wait_until_read(server: LiveServer) -> None:
    """Until no visitor has an unread reply left (the widget's `read` is stored)."""

    async def unread(services: Services) -> int:
        found = await services.visitors.list_live(online=[])
        return sum([await services.conversations.visitor_unread(v.visitor.id) for v in found])

    for _ in range(100):
        if server.call(unread) == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the visitor's read never reached the server")


async def test_a_reply_sent_while_away_shows_on_the_launcher_on_return(
    chat_tabs: ChatTabs, demo_server: LiveServer
) -> None:
    _operator_tab, visitor_tab, inbox, shop = chat_tabs
    await chat_tabs.start_chat("Do you have decaf?")
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")
    await visitor_tab.page.goto("about:blank")  # the shopper leaves

    await inbox.reply("Internal: check the stock", note=True)
    await inbox.reply("Yes, our Night Owl is decaf.")
    await expect(inbox.messages("operator")).to_contain_text(["Yes, our Night Owl is decaf."])

    # Back on the shop: the loader alone shows the badge, the widget frame held back.
    frame_wanted = asyncio.Event()

    async def hold_frame(route: Route) -> None:
        await frame_wanted.wait()
        await route.continue_()

    await visitor_tab.page.route(re.compile(r"/widget/frame\?"), hold_frame)
    await shop.visit()
    await expect(shop.unread).to_have_text("1")
    await expect(shop.unread).to_have_attribute("aria-label", "1 unread message")
    await expect(shop.launcher).to_have_attribute("aria-expanded", "false")
    frame_wanted.set()

    await shop.open_chat()
    await expect(shop.bodies("operator")).to_have_text(["Yes, our Night Owl is decaf."])
    await expect(shop.unread).to_be_hidden()
    await _wait_until_read(demo_server)

    await visitor_tab.page.reload()
    await expect(shop.launcher).to_be_visible()  # drawn with the session's unread count
    await expect(shop.unread).to_be_hidden()
    assert visitor_tab.errors == []


async def test_spa_navigation_is_reported_as_a_page_view(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    operator_tab, visitor_tab = await new_tab(), await new_tab()
    visitors = Visitors(operator_tab.page, demo_server.url)
    shop = Storefront(visitor_tab.page, demo_server.url)
    await Inbox(operator_tab.page, demo_server.url).login(demo)
    await visitors.visit()
    await shop.visit()
    await expect(shop.launcher).to_be_visible()
    await expect(visitors.page_title).to_have_text("Porch Coffee Roasters")

    # The chat stays closed: the page view still reaches the operators.
    await visitor_tab.page.evaluate(
        """() => {
            history.pushState({}, '', '/demo/checkout');
            document.title = 'Checkout · Porch Coffee Roasters';
        }"""
    )
    await expect(visitors.page_title).to_have_text("Checkout · Porch Coffee Roasters")
    await expect(visitors.pages_viewed).to_have_text("2")
    await expect(visitors.rows).to_contain_text("/demo/checkout")


async def test_the_host_page_never_runs_brython(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    tab = await new_tab()
    page: Page = tab.page
    host_requests: list[Request] = []
    page.on("request", lambda r: host_requests.append(r) if r.frame == page.main_frame else None)
    shop = Storefront(page, demo_server.url)
    await shop.visit()
    await shop.open_chat()
    await shop.send("Hello")
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")

    assert await page.evaluate("typeof window.__BRYTHON__") == "undefined"
    assert await page.locator("script[src*=brython]").count() == 0
    scripts = [r.url for r in host_requests if r.resource_type == "script"]
    assert scripts == [demo_server.url + "/widget/porch.js"]
    assert not [r.url for r in host_requests if "brython" in r.url or "/assets/" in r.url]
    # Brython does run, in the frame.
    frame = page.frame_locator("iframe[data-testid=porch-frame]")
    assert await frame.locator("html").evaluate("() => typeof window.__BRYTHON__") == "object"


async def test_launcher_appears_when_the_session_request_failed_once(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    """A network failure (Porch restarting, a flaky connection) is retried, not final."""
    tab = await new_tab()
    attempts: list[str] = []

    async def flaky(route: Route) -> None:
        attempts.append(route.request.method)
        if len(attempts) == 1:
            await route.abort("connectionrefused")
        else:
            await route.continue_()

    await tab.page.route("**/widget/v1/session", flaky)
    shop = Storefront(tab.page, demo_server.url)
    await shop.visit()
    await expect(shop.launcher).to_be_visible(timeout=RECONNECT_MS)
    await shop.open_chat()
    await shop.send("Made it")
    await expect(shop.messages("visitor")).to_have_attribute("data-state", "sent")
    assert attempts == ["POST", "POST"]


@pytest.fixture
def foreign_site(demo_server: LiveServer, demo: Demo) -> Iterator[str]:
    """Someone else's shop on another 127.0.0.1 port pasting the demo site's snippet.

    Served for real (not with page.route): Chromium only lets a loopback page load
    loopback scripts."""
    html = (
        "<!doctype html><title>Not allowed</title><h1>Someone else's shop</h1>"
        f'<script async src="{demo_server.url}/widget/porch.js" data-site="{demo.site.key}">'
        "</script>"
    ).encode()

    class ShopPage(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), ShopPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_launcher_stays_away_from_origins_the_site_does_not_allow(
    demo_server: LiveServer, demo: Demo, new_tab, foreign_site: str
) -> None:
    tab = await new_tab()
    page: Page = tab.page
    is_session = lambda r: r.url.endswith("/widget/v1/session")  # noqa: E731
    refusal_read = lambda m: m.text == "Porch: session refused (403)"  # noqa: E731
    async with page.expect_console_message(refusal_read), page.expect_response(is_session) as r:
        await page.goto(foreign_site + "/shop")
    # The loader read the 403 (so it does not retry) and drew nothing.
    assert (await r.value).status == 403
    await expect(page.get_by_role("heading", name="Someone else's shop")).to_be_visible()
    await expect(page.locator("#porch-widget")).to_have_count(0)
    await expect(page.locator("iframe")).to_have_count(0)

    async def visitor_count(services: Services) -> int:
        return len(await services.visitors.list_live(online=[]))

    assert demo_server.call(visitor_count) == 0
