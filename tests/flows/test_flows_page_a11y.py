"""axe-core in Chromium: no serious or critical WCAG 2.2 AA violation on the Flows pages:
the list (with the demo's flows and their figures), the builder (a box selected, its
settings open, "Try it" run) and a flow's versions. Skips without axe-core
(scripts/install-a11y-test-deps)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from porch.demo.seed import Demo
from porch.flows import templates
from porch.flows.store import FlowStore
from porch.services import Services
from tests.e2e import conftest as e2e
from tests.e2e import test_axe_browser as axe_tests
from tests.e2e.pages import Inbox
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

# The browser fixtures of tests/e2e, and axe-core's.
browser, demo_config, demo_server, demo = e2e.browser, e2e.demo_config, e2e.demo_server, e2e.demo
axe, violations = axe_tests.axe, axe_tests.violations


async def test_the_flows_pages(
    browser: Browser,
    demo_server: LiveServer,
    demo: Demo,
    axe: str,
) -> None:
    async def seed(services: Services) -> None:
        store = FlowStore(services.db, services.events, services.clock)
        for name in ("pricing-page-help", "lead-capture"):
            await store.create(demo.site.id, templates.load(name), enabled=True, template=name)

    demo_server.call(seed)
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = await context.new_page()
        await Inbox(page, demo_server.url).login(demo)
        await page.goto(demo_server.url + "/panel/flows")
        rows = page.get_by_test_id("flow-row")
        await expect(rows).to_have_count(2)
        assert await violations(page, axe) == []
        await rows.first.get_by_test_id("flow-open").click()
        builder = page.get_by_test_id("flow-builder")
        await expect(builder).to_have_attribute("data-ready", "true", timeout=60_000)
        await page.locator("[data-testid=flow-node-select][data-node-id=offer]").click()
        await expect(page.get_by_test_id("node-field-text")).to_be_visible()
        await page.get_by_test_id("builder-try").click()
        await page.get_by_test_id("try-fire").click()
        await page.get_by_test_id("try-teaser").click()
        await expect(page.get_by_test_id("try-choice")).not_to_have_count(0)
        assert await violations(page, axe) == []
        await page.get_by_test_id("builder-versions").click()
        await expect(page.get_by_test_id("flow-version")).to_have_count(1)
        assert await violations(page, axe) == []
        await page.goto(demo_server.url + "/panel/flows")
        await rows.first.get_by_test_id("flow-log-link").click()
        await expect(page.get_by_test_id("flow-log-page")).to_be_visible()
        assert await violations(page, axe) == []
    finally:
        await context.close()
