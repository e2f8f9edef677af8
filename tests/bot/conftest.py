"""A Porch with the bot on a `ManualClock`, its demo knowledge base, and the real
`anthropic` SDK pointed at a local fake Messages API (`ANTHROPIC_BASE_URL`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from porch import bot, realtime, tickets
from porch.app import build_services
from porch.bot import settings
from porch.bot.demo import seed_knowledge
from porch.bot.service import BotService
from porch.bot.settings import BotSettingsUpdate, key_box
from porch.clock import ManualClock
from porch.config import Config
from porch.conversations.models import Message
from porch.db.engine import Database
from porch.operators.service import Operator, OperatorService
from porch.services import Services
from porch.sites.directory import SiteDirectory
from porch.sites.models import Site
from porch.visitors.models import Page, Visitor
from tests.bot.fake_anthropic import FakeAnthropic
from tests.panel.test_panel_http import BASE
from tests.support.panel import EMAIL, PASSWORD, app_client, login

PAGE = Page("https://shop.example/", "Home", "")
API_KEY = "sk-ant-test-0123456789abcdef"


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    yield fake
    fake.stop()


@dataclass
class Shop:
    services: Services
    bot: BotService
    site: Site
    olivia: Operator
    visitor: Visitor
    fake: FakeAnthropic

    async def ask(self, body: str, parts: dict[str, Any] | None = None) -> Message:
        """The visitor writes; the bot's job runs."""
        message = await self.services.conversations.send_visitor_message(
            self.visitor.id, f"c-{uuid.uuid4().hex}", body, parts
        )
        await self.services.jobs.run_due()
        return message

    async def transcript(self, conversation_id: int, internal: bool = False) -> list[Message]:
        return await self.services.conversations.messages(
            conversation_id, include_internal=internal
        )

    async def bot_says(self, conversation_id: int) -> list[Message]:
        return [m for m in await self.transcript(conversation_id) if m.author == "bot"]

    async def operator_online(self) -> None:
        await self.services.presence.operator_connected(self.olivia, "sid-olivia")

    async def set_mode(self, mode: str) -> None:
        async with self.services.db.begin() as conn:
            key = key_box(self.services.config.secret_key)
            await settings.save(conn, self.site.id, BotSettingsUpdate(mode=mode), key)  # type: ignore[arg-type]


@pytest.fixture
async def shop(config: Config, fake_api: FakeAnthropic) -> AsyncIterator[Shop]:
    services = build_services(config, clock=ManualClock())
    realtime.install(services)
    tickets.setup(services)
    service = bot.setup(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    visitor = await services.visitors.open_session(site, None, PAGE)
    await seed_knowledge(services, site.id)
    shop = Shop(services, service, site, olivia, visitor, fake_api)
    await shop.set_mode("first")
    yield shop
    await services.db.dispose()


# -- the Bot page over HTTP (test_panel, test_upload) ------------------------------------


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
async def site(db: Database) -> Site:
    from porch.events import EventBus

    await OperatorService(db).create(EMAIL, "Olivia", PASSWORD)
    return await SiteDirectory(db, EventBus()).create("Shop", ["https://shop.example"])


@pytest.fixture
async def panel(
    tmp_path: Path, database_url: str, site: Site, fake_api: FakeAnthropic
) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(data_dir=tmp_path, database_url=database_url, secret_key="bot-secret")
    async with app_client(config, BASE, client_ip="203.0.113.9") as client:
        assert (await login(client)).status_code == 303
        yield client
