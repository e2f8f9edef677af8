"""What a visitor and an operator do, in the words of the test hooks (docs/widget.md and
the data-testid attributes of the panel templates)."""

from __future__ import annotations

from playwright.async_api import FrameLocator, Locator, Page, expect

from porch.demo.seed import Demo


class Storefront:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def visit(self, path: str = "/demo") -> None:
        await self.page.goto(self.base_url + path)

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_test_id("porch-launcher")

    @property
    def unread(self) -> Locator:
        return self.page.get_by_test_id("porch-unread")

    @property
    def frame(self) -> FrameLocator:
        return self.page.frame_locator("iframe[data-testid=porch-frame]")

    @property
    def input(self) -> Locator:
        return self.frame.get_by_test_id("porch-input")

    def messages(self, author: str | None = None) -> Locator:
        selector = "[data-testid=porch-message]"
        if author:
            selector += f"[data-author={author}]"
        return self.frame.locator(selector)

    def bodies(self, author: str | None = None) -> Locator:
        """Just the message texts (without the author and time line)."""
        return self.messages(author).locator(".body")

    @property
    def presence(self) -> Locator:
        return self.frame.locator("#porch-presence-text")

    @property
    def email_form(self) -> Locator:
        return self.frame.get_by_test_id("porch-email-form")

    async def open_chat(self) -> None:
        await self.launcher.click()
        await expect(self.input).to_be_visible(timeout=30_000)  # Brython compiles on first open

    async def send(self, text: str) -> None:
        await self.input.fill(text)
        await self.frame.get_by_test_id("porch-send").click()


class Inbox:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def login(self, demo: Demo) -> None:
        await self.sign_in(demo.operator.email, demo.password)

    async def sign_in(self, email: str, password: str) -> None:
        login_url = self.base_url + "/panel/login"
        await self.page.goto(login_url)
        await self.page.fill("input[name=email]", email)
        await self.page.fill("input[name=password]", password)
        await self.page.locator("input[name=password]").press("Enter")
        # The login page is itself under /panel: wait until the browser has left it, or a
        # navigation right after this would race the login's redirect.
        await self.page.wait_for_url(
            lambda url: url.startswith(self.base_url + "/panel") and not url.startswith(login_url)
        )

    @property
    def conversations(self) -> Locator:
        return self.page.get_by_test_id("conversation-item")

    @property
    def typing_preview(self) -> Locator:
        return self.page.get_by_test_id("typing-preview")

    def messages(self, author: str | None = None) -> Locator:
        selector = "[data-testid=message]"
        if author:
            selector += f"[data-author={author}]"
        return self.page.locator(selector)

    async def open_first_conversation(self) -> None:
        await expect(self.conversations.first).to_be_visible(timeout=30_000)
        await self.conversations.first.click()

    async def reply(self, text: str, note: bool = False) -> None:
        toggle = self.page.get_by_test_id("note-toggle")
        if note != (await toggle.is_checked()):
            await toggle.click()
        await self.page.get_by_test_id("reply-input").fill(text)
        await self.page.get_by_test_id("reply-send").click()


class Visitors:
    """The operator's live visitors page (/panel/visitors)."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    async def visit(self) -> None:
        await self.page.goto(self.base_url + "/panel/visitors")

    @property
    def rows(self) -> Locator:
        return self.page.get_by_test_id("visitor-row")

    @property
    def page_title(self) -> Locator:
        return self.rows.get_by_test_id("visitor-page-title")

    @property
    def pages_viewed(self) -> Locator:
        return self.rows.get_by_test_id("pages-viewed")
