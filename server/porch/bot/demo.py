"""The demo shop's knowledge base (`porch demo`): a few help pages of Porch Coffee
Roasters, and its bot turned on ("bot first"), so a shopper on the demo storefront gets
cited answers. Idempotent: a site that has sources already is left as it is."""

from __future__ import annotations

import os
from pathlib import Path

from porch.bot import settings
from porch.bot.knowledge import extract
from porch.bot.knowledge.models import Document
from porch.bot.knowledge.store import KnowledgeBase
from porch.bot.settings import BotSettingsUpdate, key_box
from porch.services import Services

DEMO_KB = Path(__file__).parent / "demo_kb"
HELP_PAGE = "/demo?help="


def documents(base_url: str) -> list[Document]:
    found = []
    for path in sorted(DEMO_KB.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = extract.markdown_title(text) or path.stem
        found.append(Document(title, f"{base_url}{HELP_PAGE}{path.stem}", text))
    return found


async def seed_knowledge(services: Services, site_id: int) -> None:
    kb = KnowledgeBase(services.db, services.clock)
    if await kb.sources(site_id):
        return
    for document in documents(services.config.base_url):
        await kb.add_document(site_id, "file", document)
    # Bot first when the installation has a key; else off (it would only hand off).
    keyed = bool(os.environ.get("ANTHROPIC_API_KEY"))
    update = BotSettingsUpdate(mode="first" if keyed else "off", name="Porch Bot")
    async with services.db.begin() as conn:
        await settings.save(conn, site_id, update, key_box(services.config.secret_key))
