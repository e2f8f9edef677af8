"""Browser fixtures: Debian's Chromium driven by Playwright, and a seeded demo server."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Dialog, Page, async_playwright

from porch.config import Config
from porch.demo.seed import Demo, seed_demo
from tests.e2e.pages import Inbox, Storefront
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import LiveServer, start_live_server


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (scripts/test installs Debian's chromium)")
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
def demo_config(config: Config) -> Config:
    return dataclasses.replace(config, demo=True)


@pytest.fixture
def demo_server(demo_config: Config) -> Iterator[LiveServer]:
    server = start_live_server(demo_config)
    yield server
    server.stop()


@pytest.fixture
def demo(demo_server: LiveServer) -> Demo:
    return demo_server.call(seed_demo)


class Tab:
    """A page in its own browser context (own cookies and storage: a separate person)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.context = context
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._on_dialog)

    async def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        await dialog.dismiss()


@pytest.fixture
async def new_tab(browser: Browser, tmp_path: Path) -> AsyncIterator:
    contexts: list[BrowserContext] = []

    async def make(viewport: dict[str, int] | None = None) -> Tab:
        context = await browser.new_context(viewport=viewport or {"width": 1280, "height": 860})
        contexts.append(context)
        return Tab(context, await context.new_page())

    yield make
    for context in contexts:
        await context.close()


@dataclasses.dataclass
class ChatTabs:
    """An operator signed in to the panel and a shopper on the demo storefront."""

    operator_tab: Tab
    visitor_tab: Tab
    inbox: Inbox
    shop: Storefront

    def __iter__(self) -> Iterator:
        """`operator_tab, visitor_tab, inbox, shop = chat_tabs`"""
        return iter((self.operator_tab, self.visitor_tab, self.inbox, self.shop))

    async def start_chat(self, first_message: str) -> None:
        """The shopper opens the widget and writes; the operator opens the conversation."""
        await self.shop.visit()
        await self.shop.open_chat()
        await self.shop.send(first_message)
        await self.inbox.open_first_conversation()


@pytest.fixture
async def chat_tabs(demo_server: LiveServer, demo: Demo, new_tab) -> ChatTabs:
    operator_tab, visitor_tab = await new_tab(), await new_tab()
    tabs = ChatTabs(
        operator_tab,
        visitor_tab,
        Inbox(operator_tab.page, demo_server.url),
        Storefront(visitor_tab.page, demo_server.url),
    )
    await tabs.inbox.login(demo)
    return tabs
