"""Analytics in Chromium: a shopper's chat answered and closed by an operator shows on the
Analytics page (first response and resolution counted, the operator's workload), with the
volume chart drawn and its table beside it."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.conftest import ChatTabs

LIVE = 15_000  # ms: the recorder is a job; workers pick it up after the commit


async def test_an_answered_and_closed_chat_shows_in_analytics(chat_tabs: ChatTabs) -> None:
    operator_tab, _, inbox, _ = chat_tabs
    page = operator_tab.page
    await chat_tabs.start_chat("Do you ship to Norway?")
    await inbox.reply("We do!")
    await page.get_by_test_id("close-conversation").click()
    await expect(page.get_by_test_id("reopen-conversation")).to_be_visible()

    await page.get_by_test_id("nav-analytics").click()
    await expect(page.get_by_test_id("analytics-page")).to_be_visible()
    durations = page.get_by_test_id("analytics-table-durations")
    for _ in range(15):  # facts land once the jobs ran; the page is server-drawn
        if "first_response 1" in " ".join((await durations.inner_text()).split()):
            break
        await page.wait_for_timeout(1000)
        await page.reload()
    for measure in ("first_response", "resolution"):
        row = durations.locator("tr", has=page.get_by_role("rowheader", name=measure, exact=True))
        await expect(row).to_contain_text("1")
    workload = page.get_by_test_id("analytics-table-workload")
    await expect(workload.locator("tbody tr")).to_have_count(1, timeout=LIVE)
    await expect(page.get_by_test_id("analytics-volume-chart").locator("rect")).not_to_have_count(0)
    await expect(page.get_by_test_id("analytics-first-response-median")).not_to_have_text("—")
