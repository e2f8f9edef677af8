"""A Porch with flows installed on a `ManualClock` that starts at the real time (page views
and messages are stamped by the database's clock): tests move time and run the due jobs
instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from porch import flows, realtime, tickets
from porch.actors import Actor
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.conversations.models import Message
from porch.flows.engine import FlowEngine
from porch.flows.models import Flow
from porch.services import Services
from porch.sites.models import Site
from porch.visitors.models import Page, Visitor

HOME = Page("https://shop.example/", "Home", "https://search.example/?q=shoes")
PRICING = Page("https://shop.example/pricing", "Pricing", "")
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


@dataclass
class Shop:
    services: Services
    clock: ManualClock
    engine: FlowEngine
    site: Site
    visitor: Visitor
    seen: list[object] = field(default_factory=list)

    def sync(self) -> None:
        """Bring the manual clock up to the real time rows are stamped with (page views
        and messages), never back."""
        self.clock.set(max(self.clock.now(), datetime.now(UTC)))

    async def settle(self) -> None:
        """Run every due job (and those they cause) at the manual clock's time."""
        self.sync()
        while await self.services.jobs.run_due():
            pass

    async def later(self, **delta: float) -> None:
        self.clock.advance(**delta)
        await self.settle()

    async def add(self, document: dict[str, Any], enabled: bool = True) -> Flow:
        return await self.engine.store.create(self.site.id, document, enabled=enabled)

    async def template(self, name: str) -> Flow:
        from porch.flows import templates

        return await self.add(templates.load(name))

    async def page(self, page: Page) -> None:
        await self.services.visitors.record_page_view(self.visitor.id, page)

    def context(self, page: Page = HOME, **more: Any) -> dict[str, Any]:
        return {"url": page.url, "referrer": page.referrer, "user_agent": CHROME, **more}

    async def watchers(self, page: Page = HOME, **more: Any) -> list[dict[str, Any]]:
        self.sync()
        return await self.engine.watchers(self.visitor.id, self.context(page, **more))

    async def fire(self, on: str, flow: Flow, page: Page = HOME, **more: Any) -> Any:
        event = more.pop("event", None)
        self.sync()
        return await self.engine.fire(
            self.visitor.id, on, [flow.id], self.context(page, **more), event
        )

    async def thread(self) -> list[Message]:
        """The visitor's latest conversation, as operators see it (no internal notes)."""
        hello = await self.services.conversations.visitor_hello(self.visitor.id)
        return list(hello.messages)

    async def bodies(self) -> list[tuple[str, str]]:
        return [(m.author, m.body) for m in await self.thread()]

    async def click(self, label: str) -> Message:
        """The visitor clicks the newest offer of `label`, as the widget sends it."""
        from porch.flows import choices

        for message in reversed(await self.thread()):
            for choice in (message.parts or {}).get("choices", []):
                if choice["label"] == label:
                    body = await choices.offered_label(
                        self.services.db, self.visitor.id, message.id, choice["id"]
                    )
                    parts = choices.answer_parts(message.id, choice["id"])
                    sent = await self.services.conversations.send_visitor_message(
                        self.visitor.id, f"click-{message.id}-{choice['id']}", body, parts
                    )
                    await self.settle()
                    return sent
        raise AssertionError(f"no choice {label!r} offered")

    async def say(self, body: str) -> Message:
        sent = await self.services.conversations.send_visitor_message(
            self.visitor.id, f"say-{len(await self.thread())}", body
        )
        await self.settle()
        return sent

    async def record(self, event: object) -> None:
        self.seen.append(event)


@pytest.fixture
async def shop(config: Config) -> AsyncIterator[Shop]:
    clock = ManualClock(datetime.now(UTC))
    services = build_services(config, clock=clock)
    realtime.install(services)
    tickets.setup(services)
    engine = flows.setup(services)
    site = await services.sites.create("Acme Shoes", ["https://shop.example"])
    visitor = await services.visitors.open_session(site, None, HOME)
    yield Shop(services, clock, engine, site, visitor)
    await services.db.dispose()


def operator_actor(operator_id: int) -> Actor:
    return Actor.operator(operator_id, "Olivia")
