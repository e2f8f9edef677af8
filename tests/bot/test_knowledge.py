"""The knowledge base: sources added, chunked, found by full text, removed; URLs fetched
safely."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from porch.bot.knowledge.fetch import FetchRefused, fetch
from porch.bot.knowledge.store import KnowledgeBase
from porch.bot.retrieval import retrieve
from porch.errors import Invalid
from tests.bot.conftest import Shop


async def test_demo_knowledge_answers_paraphrases(shop: Shop) -> None:
    hits = await retrieve(shop.services.db, shop.site.id, "How many days until my parcel arrives?")
    assert hits and hits[0].title == "Shipping and delivery"
    assert hits[0].url.endswith("/demo?help=shipping")
    assert hits[0].score > 0


async def test_files_and_qa_pairs_are_added_listed_and_removed(shop: Shop, tmp_path: Path) -> None:
    kb = KnowledgeBase(shop.services.db, shop.services.clock)
    page = tmp_path / "loyalty.md"
    page.write_text("# Loyalty\n\nEvery tenth bag is free with the Porch Club card.\n")
    [added] = await kb.add(shop.site.id, str(page))
    pair = await kb.add_qa(shop.site.id, "Do you sell matcha?", "No, we only sell coffee.")
    assert (added.status, added.title, added.chunks) == ("ready", "Loyalty", 1)
    listed = {s.id for s in await kb.sources(shop.site.id)}
    assert {added.id, pair.id} <= listed
    [hit, *_] = await retrieve(shop.services.db, shop.site.id, "is there a loyalty card")
    assert "tenth bag" in hit.text
    [hit, *_] = await retrieve(shop.services.db, shop.site.id, "matcha")
    assert hit.title == "Do you sell matcha?"
    await kb.remove(shop.site.id, added.id)
    hits = await retrieve(shop.services.db, shop.site.id, "Porch Club card tenth")
    assert all("tenth bag" not in h.text for h in hits)


async def test_sources_of_another_site_are_never_retrieved(shop: Shop) -> None:
    other = await shop.services.sites.create("Other", ["https://other.example"])
    assert await retrieve(shop.services.db, other.id, "shipping costs") == []


async def test_unreadable_files_are_refused_with_a_reason(shop: Shop, tmp_path: Path) -> None:
    kb = KnowledgeBase(shop.services.db, shop.services.clock)
    odd = tmp_path / "image.png"
    odd.write_bytes(b"\x89PNG....")
    [failed] = await kb.add(shop.site.id, str(odd))
    assert failed.status == "failed" and "Markdown" in (failed.error or "")
    with pytest.raises(Invalid):
        await kb.add(shop.site.id, str(tmp_path / "missing.md"))
    with pytest.raises(Invalid):
        await kb.add_qa(shop.site.id, "", "answer")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/", "http://localhost:5432/", "http://10.0.0.8/", "file:///etc/passwd"]
)
async def test_fetching_refuses_local_and_private_addresses(url: str) -> None:
    with pytest.raises(FetchRefused):
        await fetch(url)


async def test_a_refused_url_is_a_failed_source(shop: Shop) -> None:
    kb = KnowledgeBase(shop.services.db, shop.services.clock)
    [source] = await kb.add(shop.site.id, "http://127.0.0.1:9/help")
    assert source.status == "failed" and "private or local" in (source.error or "")


async def test_pages_and_sitemaps_are_fetched_when_private_addresses_are_allowed(
    shop: Shop,
) -> None:
    from aiohttp import web

    from tests.support.live_server import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = (
        "<html><head><title>Opening hours</title></head><body><nav>Home | Shop</nav>"
        "<main><h1>Opening hours</h1><p>The roastery café is open Tuesday to Sunday from"
        " 8 am to 4 pm, and closed on Mondays for roasting.</p></main></body></html>"
    )
    sitemap = f"<urlset><url><loc>{base}/hours</loc></url></urlset>"
    app = web.Application()
    app.router.add_get("/hours", lambda _r: web.Response(text=page, content_type="text/html"))
    app.router.add_get(
        "/sitemap.xml", lambda _r: web.Response(text=sitemap, content_type="application/xml")
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        kb = KnowledgeBase(shop.services.db, shop.services.clock)
        [refused] = await kb.add(shop.site.id, f"{base}/hours")
        assert refused.status == "failed"
        [source] = await kb.add(shop.site.id, f"{base}/sitemap.xml", allow_private=True)
        assert (source.status, source.title, source.location) == (
            "ready",
            "Opening hours",
            f"{base}/hours",
        )
        [hit, *_] = await retrieve(shop.services.db, shop.site.id, "when is the café open")
        assert "Tuesday to Sunday" in hit.text
        refreshed = await kb.refresh(shop.site.id, source.id, allow_private=True)
        assert refreshed.status == "ready"
    finally:
        await runner.cleanup()


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


async def test_pdf_and_html_files_are_read_as_text(shop: Shop, tmp_path: Path) -> None:
    kb = KnowledgeBase(shop.services.db, shop.services.clock)
    pdf = tmp_path / "warehouse.pdf"
    pdf.write_bytes(tiny_pdf("Our warehouse ships from Portland, Oregon."))
    page = tmp_path / "care.html"
    page.write_text(
        "<html><head><title>Mug care</title></head><body><article><h1>Mug care</h1>"
        "<p>Our stoneware mugs are dishwasher safe but not microwave safe, because of"
        " the metallic glaze on the rim.</p></article></body></html>"
    )
    [from_pdf] = await kb.add(shop.site.id, str(pdf))
    [from_html] = await kb.add(shop.site.id, str(page))
    assert (from_pdf.status, from_html.status, from_html.title) == ("ready", "ready", "Mug care")
    [hit, *_] = await retrieve(shop.services.db, shop.site.id, "where is the warehouse")
    assert "Portland, Oregon" in hit.text
    [hit, *_] = await retrieve(shop.services.db, shop.site.id, "microwave mugs")
    assert "dishwasher safe" in hit.text


async def test_the_sources_calls_every_edge_uses(shop: Shop) -> None:
    """porch.bot.knowledge.sources: what the panel (and the API) call."""
    from porch.bot.knowledge import sources
    from porch.errors import Invalid, NotFound

    s, site_id = shop.services, shop.site.id
    before = len(await sources.list_sources(s, site_id))
    with pytest.raises(Invalid, match="not a PDF file"):
        await sources.add_file(s, site_id, "terms.pdf", b"just words")
    with pytest.raises(Invalid, match="starts with http"):
        await sources.add_page(s, site_id, "ftp://shop.example/")
    added = await sources.add_file(s, site_id, "care.md", b"# Mug care\nHand wash the mugs.")
    pair = await sources.add_qa(s, site_id, "Gift wrap?", "Yes, for $3.")
    wire = added.to_wire()
    assert (wire["title"], wire["kind"], wire["status"]) == ("Mug care", "file", "ready")
    assert len(await sources.list_sources(s, site_id)) == before + 2
    await sources.remove(s, site_id, pair.id)
    with pytest.raises(NotFound):
        await sources.refresh(s, site_id, pair.id)
    assert len(await sources.list_sources(s, site_id)) == before + 1


async def test_a_refresh_indexes_a_file_again_from_its_text(shop: Shop) -> None:
    from porch.bot.knowledge import sources
    from porch.bot.retrieval import retrieve

    s, site_id = shop.services, shop.site.id
    added = await sources.add_file(s, site_id, "care.md", b"# Mug care\nHand wash the mugs.")
    shop.services.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    again = await sources.refresh(s, site_id, added.id)
    assert (again.status, again.chunks, again.title) == ("ready", 1, "Mug care")
    assert again.refreshed_at > added.refreshed_at
    [hit] = [h for h in await retrieve(s.db, site_id, "hand wash mugs") if h.title == "Mug care"]
    assert "Hand wash the mugs." in hit.text
