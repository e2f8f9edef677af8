"""Settings → Developers in real Chromium: an operator makes an API key (its token shown
once), a client uses it, the page shows when it was last used, and revoking it locks the
client out."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import expect

from porch.demo.seed import Demo
from tests.e2e.pages import Inbox
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e


async def test_a_key_made_in_the_panel_is_shown_once_used_and_revoked(
    demo_server: LiveServer, demo: Demo, new_tab
) -> None:
    tab = await new_tab()
    page = tab.page
    await Inbox(page, demo_server.url).login(demo)
    await page.get_by_test_id("nav-developers").click()
    await page.wait_for_url(demo_server.url + "/panel/developers")

    form = page.get_by_test_id("api-key-form")
    await form.get_by_label("Name").fill("CRM sync <script>")
    await form.get_by_label("Scope").select_option("write")
    await form.get_by_role("button", name="Create key").click()
    shown = page.get_by_test_id("new-api-key-token")
    await expect(shown).to_be_visible()
    token = await shown.input_value()
    assert token.startswith("porch_")
    row = page.get_by_test_id("api-key-row").filter(has_text="CRM sync <script>")
    await expect(row.get_by_test_id("api-key-last-used")).to_have_text("never")

    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=demo_server.url, headers=auth) as api:
        made = await api.post("/api/v1/contacts", json={"name": "Made by the CRM"})
        assert made.status_code == 201, made.text
        assert made.json()["site_id"] == demo.site.id

        await page.goto(demo_server.url + "/panel/developers")
        await expect(page.get_by_test_id("new-api-key-token")).to_have_count(0)  # once only
        await expect(row.get_by_test_id("api-key-last-used")).not_to_have_text("never")

        await row.get_by_test_id("api-key-revoke").click()
        await expect(row).to_have_attribute("data-revoked", "yes")
        assert (await api.get("/api/v1/contacts")).status_code == 401
    assert tab.errors == []
