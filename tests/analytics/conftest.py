"""A Porch with tickets and analytics installed on a `ManualClock`: tests move time and run
the due jobs (the recorder is a job) instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from porch import analytics
from porch.config import Config
from porch.operators.service import Operator
from tests.support.desk import Desk as BaseDesk
from tests.support.desk import open_desk


class Desk(BaseDesk):
    async def reply(self, who: Operator, conversation_id: int, after: timedelta) -> None:
        self.clock.advance(after)
        await self.services.conversations.post_message(
            self.operator(who), conversation_id, f"r-{self.clock.now().isoformat()}", "On its way"
        )

    async def close(self, who: Operator, conversation_id: int, after: timedelta) -> None:
        self.clock.advance(after)
        await self.services.conversations.close(conversation_id, self.operator(who))


@pytest.fixture
async def desk(config: Config) -> AsyncIterator[Desk]:
    async with open_desk(config, Desk, analytics.install) as opened:
        yield opened
