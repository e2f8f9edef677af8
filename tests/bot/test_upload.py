"""Uploading a knowledge file on the Bot page over HTTP against the real app: a PDF becomes
a ready source whose passages the bot finds and cites (on the fake Messages API); files
that are not what their name says, too large, or sent without the form's token are
refused and change nothing."""

from __future__ import annotations

import html

import httpx

from porch.sites.models import Site
from tests.bot.fake_anthropic import FakeAnthropic
from tests.bot.test_knowledge import tiny_pdf
from tests.bot.test_panel import post
from tests.support.panel import csrf_from

FACT = "Descale the Brewmaster kettle with citric acid every month."


async def upload(
    client: httpx.AsyncClient, site_id: int, name: str, data: bytes, token: str | None = None
) -> httpx.Response:
    if token is None:
        token = csrf_from((await client.get(f"/panel/bot?site={site_id}")).text)
    files = {"file": (name, data, "application/octet-stream")}
    return await client.post(
        f"/panel/bot/{site_id}/sources/upload", data={"csrf_token": token}, files=files
    )


async def test_an_uploaded_pdf_is_listed_searched_and_cited(
    panel: httpx.AsyncClient,
    site: Site,
    fake_api: FakeAnthropic,
) -> None:
    sent = await upload(panel, site.id, "kettle-care.pdf", tiny_pdf(FACT))
    assert sent.status_code == 303 and "done=uploaded" in sent.headers["location"]
    page = html.unescape((await panel.get(sent.headers["location"])).text)
    row = page.split('data-testid="kb-source"')[1]
    assert "kettle-care.pdf" in row and 'data-testid="kb-status">ready' in row
    assert f'data-testid="kb-size">{len(FACT)} chars, 1 passages' in row
    assert "UTC" in row.split('data-testid="kb-refreshed">')[1][:30]

    question = {"question": "How do I descale the Brewmaster kettle?"}
    tried = await post(panel, f"/panel/bot/{site.id}/playground", question)
    page = html.unescape(tried.text)
    assert f'data-testid="playground-answer">{FACT}' in page
    citations = page.split('data-testid="playground-citations">')[1].split("</ul>")[0]
    assert "kettle-care.pdf" in citations
    [result] = [
        block
        for block in fake_api.last["messages"][-1]["content"]
        if block["type"] == "search_result"
    ]
    assert result["title"] == "kettle-care.pdf" and FACT in result["content"][0]["text"]


async def test_files_that_are_not_what_they_say_are_refused(
    panel: httpx.AsyncClient,
    site: Site,
) -> None:
    renamed = await upload(panel, site.id, "manual.pdf", b"MZ\x90\x00\x03\x00binary")
    assert renamed.status_code == 422
    assert "manual.pdf is not a PDF file" in html.unescape(renamed.text)
    binary = await upload(panel, site.id, "notes.txt", b"\x00\x01\x02\xff" * 50)
    assert "notes.txt is not a text file" in html.unescape(binary.text)
    other = await upload(panel, site.id, "setup.exe", b"MZ")
    assert "only Markdown, text, HTML and PDF" in html.unescape(other.text)
    page = (await panel.get(f"/panel/bot?site={site.id}")).text
    assert 'data-testid="kb-source"' not in page


async def test_large_or_unsigned_uploads_change_nothing(
    panel: httpx.AsyncClient,
    site: Site,
) -> None:
    large = await upload(panel, site.id, "big.txt", b"coffee " * 1_500_000)
    assert large.status_code == 413 and "at most 10 MB" in large.text
    forged = await upload(panel, site.id, "faq.md", b"# FAQ\nBeans.", token="not-the-token")
    assert forged.status_code == 403
    empty = await panel.post(
        f"/panel/bot/{site.id}/sources/upload",
        data={"csrf_token": "x"},
        files={"other": ("a.md", b"x", "text/plain")},
    )
    assert empty.status_code == 422
    page = (await panel.get(f"/panel/bot?site={site.id}")).text
    assert 'data-testid="kb-source"' not in page
