"""A Porch with tickets, analytics and privacy on a `ManualClock` that starts now (chats
carry the database's wall clock; retention compares them with the clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from porch import analytics, privacy
from porch.config import Config
from tests.analytics.conftest import Desk
from tests.support.desk import open_desk


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    async with open_desk(
        config, Desk, analytics.install, privacy.install, start=datetime.now(UTC)
    ) as opened:
        yield opened
