"""A Porch with tickets, analytics and privacy on a `ManualClock` that starts now (chats
carry the database's wall clock; retention compares them with the clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from porch import analytics, privacy, realtime, tickets
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from tests.analytics.conftest import Desk


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    clock = ManualClock(datetime.now(UTC))
    services = build_services(config, clock=clock)
    realtime.install(services)
    service = tickets.setup(services)
    analytics.install(services)
    privacy.install(services)
    site = await services.sites.create("Shop", ["https://shop.example"])
    olivia = await services.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await services.operators.create("omar@shop.example", "Omar", "pw-123456")
    yield Desk(services, clock, service, site, olivia, omar)
    await services.db.dispose()
