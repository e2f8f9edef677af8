"""Identity verification in the browser: a customer signed in on the shop is shown to
operators as verified; a visitor who only typed an email is shown as unverified."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from porch.demo.routes import DEMO_CUSTOMER
from porch.demo.seed import Demo
from porch.visitors.identity import identity_hash
from tests.e2e.conftest import ChatTabs
from tests.e2e.pages import Storefront

pytestmark = pytest.mark.e2e


async def test_signed_in_customer_is_verified_in_the_panel(chat_tabs: ChatTabs) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    await shop.visit()
    await visitor_tab.page.get_by_test_id("demo-sign-in").click()
    await expect(visitor_tab.page.get_by_test_id("demo-customer")).to_have_text("Dana Reyes")

    await shop.open_chat()
    await shop.send("Where is order #1001?")
    await inbox.open_first_conversation()
    head = operator_tab.page.get_by_test_id("conversation-view")
    await expect(head.get_by_test_id("visitor-name")).to_have_text("Dana Reyes")
    await expect(head.get_by_test_id("visitor-email")).to_have_text("dana@shop.example")
    await expect(head.get_by_test_id("visitor-verified")).to_be_visible()
    await expect(head.get_by_test_id("visitor-unverified")).to_be_hidden()
    assert not visitor_tab.errors


async def test_a_typed_email_stays_unverified(chat_tabs: ChatTabs) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    await shop.visit()
    await visitor_tab.page.evaluate(
        "Porch.setVisitor({name: 'Dana Reyes', email: 'dana@shop.example', id: '1001',"
        " hash: '0'.repeat(64)})"
    )
    await shop.open_chat()
    await shop.send("I am Dana, honest")
    await inbox.open_first_conversation()
    head = operator_tab.page.get_by_test_id("conversation-view")
    await expect(head.get_by_test_id("visitor-email")).to_have_text("dana@shop.example")
    await expect(head.get_by_test_id("visitor-unverified")).to_be_visible()
    await expect(head.get_by_test_id("visitor-verified")).to_be_hidden()


async def test_signing_in_without_a_reload_brings_back_the_users_conversation(
    chat_tabs: ChatTabs, demo: Demo, new_tab
) -> None:
    _operator_tab, visitor_tab, inbox, shop = chat_tabs
    await shop.visit()
    await visitor_tab.page.get_by_test_id("demo-sign-in").click()
    await shop.open_chat()
    await shop.send("Asked from my laptop")
    await expect(shop.messages("visitor")).to_have_count(1)

    # Another browser: anonymous at first, then the page signs the customer in on the fly.
    phone_tab = await new_tab()
    phone = Storefront(phone_tab.page, shop.base_url)
    await phone.visit()
    await phone.open_chat()
    await expect(phone.messages()).to_have_count(0)
    claim = {**DEMO_CUSTOMER, "hash": identity_hash(demo.site.identity_secret, "1001")}
    await phone_tab.page.evaluate("claim => Porch.setVisitor(claim)", claim)
    await expect(phone.bodies("visitor")).to_have_text(["Asked from my laptop"])
    await phone.send("And now from my phone")
    await inbox.open_first_conversation()
    await expect(inbox.messages("visitor")).to_contain_text(
        ["Asked from my laptop", "And now from my phone"]
    )
    await expect(inbox.conversations).to_have_count(1)
    assert not phone_tab.errors
