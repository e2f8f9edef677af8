"""Attachments in Chromium: a shopper sends a photo by the paperclip (thumbnail, viewer),
the operator sees it and answers with a file; a renamed executable is refused at upload;
an SVG with a script is only ever downloaded, never run. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import expect

from porch.demo.seed import Demo
from porch.services import Services
from tests.e2e.conftest import ChatTabs
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.e2e

THUMB = re.compile(r"/attachments/[\w-]+/thumb\?e=\d+&s=[0-9a-f]+$")
FILE = re.compile(r"/attachments/[\w-]+/file\?e=\d+&s=[0-9a-f]+$")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert('svg ran')</script></svg>"
)


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "damaged parcel.png"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


async def test_a_shopper_sends_a_photo_the_operator_opens(
    chat_tabs: ChatTabs, tmp_path: Path
) -> None:
    operator_tab, visitor_tab, inbox, shop = chat_tabs
    await chat_tabs.start_chat("My parcel arrived damaged")

    await shop.frame.get_by_test_id("porch-file").set_input_files(str(photo(tmp_path)))
    upload = shop.frame.get_by_test_id("porch-upload")
    await expect(upload).to_have_attribute("data-state", "done", timeout=20_000)
    await shop.frame.get_by_test_id("porch-send").click()
    mine = shop.messages("visitor").last.get_by_test_id("porch-attachment-image")
    await expect(mine.locator("img")).to_have_attribute("src", THUMB, timeout=20_000)
    await expect(upload).to_have_count(0)
    await mine.click()  # the viewer loads with the widget's lazy bundle, on this first open
    shown = shop.frame.get_by_test_id("porch-viewer")
    await expect(shown.locator("img")).to_have_js_property("complete", True)
    assert await shown.locator("img").evaluate("i => i.naturalWidth") == 640
    await shown.get_by_role("button", name="Close").click()
    await expect(shown).to_have_count(0)
    await expect(mine).to_be_focused()

    image = inbox.messages("visitor").last.get_by_test_id("attachment-image")
    await expect(image).to_be_visible(timeout=20_000)
    await expect(image.locator("img")).to_have_attribute("alt", "damaged parcel.png")
    await expect(image.locator("img")).to_have_attribute("src", THUMB, timeout=20_000)
    await expect(image.locator("img")).to_have_js_property("complete", True)
    assert await image.locator("img").evaluate("i => i.naturalWidth") == 320
    await image.click()
    viewer = operator_tab.page.get_by_test_id("attachment-viewer")
    await expect(viewer).to_be_visible()
    await expect(viewer.locator("img")).to_have_js_property("complete", True)
    assert await viewer.locator("img").evaluate("i => i.naturalWidth") == 640
    await operator_tab.page.keyboard.press("Escape")
    await expect(viewer).to_have_count(0)

    label = tmp_path / "return-label.pdf"
    label.write_bytes(b"%PDF-1.4\n% a return label\n")
    await operator_tab.page.get_by_test_id("attach-input").set_input_files(str(label))
    await expect(operator_tab.page.get_by_test_id("upload")).to_have_attribute(
        "data-state", "done", timeout=20_000
    )
    await inbox.reply("Here is a return label")
    link = shop.messages("operator").last.get_by_test_id("porch-attachment")
    await expect(link).to_contain_text("return-label.pdf")
    await expect(link).to_have_attribute("href", FILE, timeout=20_000)
    assert not visitor_tab.errors and not operator_tab.errors


async def test_a_renamed_executable_is_refused(chat_tabs: ChatTabs, tmp_path: Path) -> None:
    _operator_tab, _visitor_tab, _inbox, shop = chat_tabs
    await shop.visit()
    await shop.open_chat()
    fake = tmp_path / "invoice.pdf"
    fake.write_bytes(EXE)
    await shop.frame.get_by_test_id("porch-file").set_input_files(str(fake))
    upload = shop.frame.get_by_test_id("porch-upload")
    await expect(upload).to_have_attribute("data-state", "failed", timeout=20_000)
    await expect(upload).to_contain_text("cannot be sent here")
    await expect(shop.frame.get_by_test_id("porch-send")).to_be_enabled()


async def test_an_svg_with_a_script_is_downloaded_never_run(
    demo_server: LiveServer, demo: Demo, chat_tabs: ChatTabs, tmp_path: Path
) -> None:
    async def allow_svg(services: Services) -> None:
        await services.sites.update_settings(demo.site.id, attachment_types=["images", "svg"])

    demo_server.call(allow_svg)
    _operator_tab, visitor_tab, _inbox, shop = chat_tabs
    await shop.visit()
    await shop.open_chat()
    drawing = tmp_path / "drawing.svg"
    drawing.write_bytes(SVG)
    await shop.frame.get_by_test_id("porch-file").set_input_files(str(drawing))
    await expect(shop.frame.get_by_test_id("porch-upload")).to_have_attribute(
        "data-state", "done", timeout=20_000
    )
    await shop.frame.get_by_test_id("porch-send").click()
    link = shop.messages("visitor").last.get_by_test_id("porch-attachment")
    await expect(link).to_have_attribute("href", FILE, timeout=20_000)
    async with visitor_tab.page.expect_download() as download:
        await link.click()
    assert (await download.value).suggested_filename == "drawing.svg"
    href = await link.get_attribute("href")
    page = await visitor_tab.context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    with contextlib.suppress(PlaywrightError):  # "Download is starting": never rendered
        await page.goto(demo_server.url + str(href))
    assert dialogs == [] and visitor_tab.dialogs == []
