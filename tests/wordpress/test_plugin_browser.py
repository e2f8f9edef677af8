"""In Chromium: the widget on a real WordPress front page, talking to a running Porch server,
with an operator answering from the panel."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.async_api import Page, expect

from porch.demo.seed import Demo
from porch.sites.models import Site
from tests.e2e.conftest import Tab
from tests.e2e.pages import Inbox, Storefront
from tests.support.live_server import LiveServer
from tests.wordpress.conftest import Installed
from tests.wordpress.owner import WPAdmin
from tests.wordpress.site import OWNER, SHOPPER, User

TIMEOUT = 30_000


def connect(installed: Installed, porch: LiveServer, site: Site, **extra: str | None) -> None:
    owner = WPAdmin(installed.site.url)
    try:
        owner.login(OWNER)
        owner.configure(porch.url, site.key, **extra)
    finally:
        owner.close()


async def wordpress_login(page: Page, url: str, user: User) -> None:
    await page.goto(url + "/wp-login.php")
    await page.fill("#user_login", user.login)
    await page.fill("#user_pass", user.password)
    await page.click("#wp-submit")
    await page.wait_for_url(url + "/wp-admin/**")
    await page.wait_for_load_state("load")  # wp-admin's own scripts have run


@dataclass
class Chat:
    visitor_tab: Tab
    shop: Storefront
    inbox: Inbox
    porch_errors: list[str]
    """Uncaught errors thrown by Porch's scripts (WordPress's own are WordPress's business:
    Debian's package swaps some bundled libraries, and wp-admin logs errors of its own)."""


async def visitor_asks(
    installed: Installed,
    porch: LiveServer,
    operator: Demo,
    new_tab,
    question: str,
    user: User | None = None,
) -> Chat:
    """A visitor (signed in to WordPress as `user`, if given) asks from the front page;
    the operator signs in to the panel and opens that conversation."""
    visitor_tab, operator_tab = await new_tab(), await new_tab()
    porch_errors: list[str] = []
    visitor_tab.page.on(
        "pageerror",
        lambda exc: (
            porch_errors.append(exc.stack or str(exc)) if porch.url in (exc.stack or "") else None
        ),
    )
    if user is not None:
        await wordpress_login(visitor_tab.page, installed.site.url, user)
    shop = Storefront(visitor_tab.page, installed.site.url)
    await shop.visit("/")
    await shop.open_chat()
    await shop.send(question)

    inbox = Inbox(operator_tab.page, porch.url)
    await inbox.login(operator)
    item = inbox.conversations.filter(has_text=question)
    await expect(item).to_be_visible(timeout=TIMEOUT)
    await item.click()
    await expect(inbox.messages("visitor").filter(has_text=question)).to_be_visible()
    return Chat(visitor_tab, shop, inbox, porch_errors)


async def test_visitor_chats_with_an_operator_from_the_front_page(
    installed: Installed, porch: LiveServer, porch_site: Site, operator: Demo, new_tab
) -> None:
    connect(installed, porch, porch_site)
    question = f"Do you ship to Lisbon? (WordPress {installed.site.version})"
    chat = await visitor_asks(installed, porch, operator, new_tab, question)
    await chat.inbox.reply("We do, in three days.")
    await expect(chat.shop.bodies("operator")).to_have_text(
        ["We do, in three days."], timeout=TIMEOUT
    )
    assert chat.visitor_tab.errors == []


async def test_logged_in_user_appears_verified_in_the_panel(
    installed: Installed, porch: LiveServer, porch_site: Site, operator: Demo, new_tab
) -> None:
    connect(installed, porch, porch_site, identity_secret=porch_site.identity_secret)
    question = f"Where is my order? (WordPress {installed.site.version})"
    chat = await visitor_asks(installed, porch, operator, new_tab, question, SHOPPER)
    head = chat.inbox.page.get_by_test_id("conversation-view")
    await expect(head.get_by_test_id("visitor-verified")).to_be_visible(timeout=TIMEOUT)
    await expect(head.get_by_test_id("visitor-unverified")).to_be_hidden()
    await expect(head.get_by_test_id("visitor-name")).to_have_text(SHOPPER.name)
    await expect(head.get_by_test_id("visitor-email")).to_have_text(SHOPPER.email)
    assert chat.porch_errors == []
