"""Consent in Chromium: with `consent_required`, the widget shows the site's privacy
notice and its policy link, keeps the message box closed until the shopper agrees, and
the agreement is stored (and remembered: a reload asks no more)."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.async_api import expect

from porch.demo.seed import Demo
from porch.privacy.tables import consents
from porch.services import Services
from tests.e2e.pages import Storefront
from tests.support.live_server import LiveServer

NOTICE = "We keep your messages for a year to answer you."


async def test_the_shopper_agrees_before_the_first_message(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    async def ask(services: Services) -> None:
        await services.sites.update_settings(
            demo.site.id, consent_required=True, consent_text=NOTICE,
            consent_link="https://shop.example/privacy",
        )  # fmt: skip

    async def stored(services: Services) -> list[str]:
        async with services.db.connect() as conn:
            return list(await conn.scalars(sa.select(consents.c.notice)))

    demo_server.call(ask)
    shop = Storefront((await new_tab()).page, demo_server.url)
    await shop.visit()
    await shop.launcher.click()
    notice = shop.frame.get_by_test_id("porch-consent")
    await expect(notice).to_be_visible(timeout=30_000)
    await expect(notice).to_contain_text(NOTICE)
    link = notice.get_by_test_id("porch-consent-link")
    await expect(link).to_have_attribute("href", "https://shop.example/privacy")
    await expect(shop.input).to_be_hidden()

    await notice.get_by_test_id("porch-consent-accept").click()
    await expect(shop.input).to_be_visible()
    await expect(notice).to_have_count(0)
    assert demo_server.call(stored) == [NOTICE]
    await shop.send("Hello!")
    await expect(shop.bodies("visitor")).to_have_text(["Hello!"])

    await shop.page.reload()
    await shop.open_chat()
    await expect(shop.frame.get_by_test_id("porch-consent")).to_have_count(0)
