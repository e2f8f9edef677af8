"""A site's knowledge sources as one set of calls, for every edge that manages them (the
panel's Bot page, the CLI, the REST API): list, add a page or sitemap, a file, a Q&A
pair, refresh, remove. Addresses on private networks are fetched only when the site's
`allow_private_urls` bot setting or PORCH_ALLOW_PRIVATE_TARGETS allows them. Refused input
raises `porch.errors.Invalid`, an unknown source `NotFound`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from porch.bot import settings
from porch.bot.knowledge import extract
from porch.bot.knowledge.models import Source
from porch.bot.knowledge.store import MAX_FILE_BYTES, KnowledgeBase
from porch.errors import Invalid

if TYPE_CHECKING:
    from porch.services import Services


def _kb(services: Services) -> KnowledgeBase:
    return KnowledgeBase(services.db, services.clock)


async def private_allowed(services: Services, site_id: int) -> bool:
    async with services.db.connect() as conn:
        allowed = (await settings.load(conn, site_id)).allow_private_urls
    return allowed or services.config.allow_private_targets


async def list_sources(services: Services, site_id: int) -> list[Source]:
    return await _kb(services).sources(site_id)


async def add_page(services: Services, site_id: int, url: str) -> list[Source]:
    """A page, or a sitemap (.xml: each of its pages); a page that cannot be fetched or
    read is kept as a failed source with the reason."""
    if not url.startswith(("http://", "https://")):
        raise Invalid("a page's address starts with http:// or https://")
    allow = await private_allowed(services, site_id)
    return await _kb(services).add(site_id, url, allow_private=allow)


async def add_file(services: Services, site_id: int, name: str, data: bytes) -> Source:
    """Markdown, text, HTML or PDF (≤ 10 MB), checked by its content: Invalid otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise Invalid(f"files are at most {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        extract.file_kind(name, data)
    except extract.Unreadable as error:
        raise Invalid(str(error)) from error
    source = await _kb(services).add_file(site_id, name, data)
    if source.status != "ready":
        await _kb(services).remove(site_id, source.id)
        raise Invalid(f"{name} could not be read: {source.error}")
    return source


async def add_qa(services: Services, site_id: int, question: str, answer: str) -> Source:
    return await _kb(services).add_qa(site_id, question, answer)


async def refresh(services: Services, site_id: int, source_id: int) -> Source:
    """Read a page again (other sources keep their text; the date moves)."""
    allow = await private_allowed(services, site_id)
    return await _kb(services).refresh(site_id, source_id, allow_private=allow)


async def remove(services: Services, site_id: int, source_id: int) -> None:
    await _kb(services).remove(site_id, source_id)
