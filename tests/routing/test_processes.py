"""Routing with two server processes sharing PostgreSQL and Redis (each a full set of
services with its own Redis connection and process id): who is online is known to both,
and the round-robin takes turns across them, because its state is in the database."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Collection

import pytest

from porch import realtime, routing, tickets
from porch.app import build_services
from porch.clock import ManualClock
from porch.config import Config
from porch.services import Services
from tests.scale.test_redis_state import REDIS_URL, _unreachable
from tests.support.desk import PAGE


async def _ignore(_visitors: Collection[int], _operators: Collection[int]) -> None:
    return None


@pytest.fixture
async def two(config: Config) -> AsyncIterator[tuple[Services, Services]]:
    if config.database_url.startswith("sqlite"):
        pytest.skip("several processes need PostgreSQL")
    if (reason := await _unreachable()) is not None:
        pytest.skip(reason)
    shared = dataclasses.replace(
        config, redis_url=REDIS_URL, redis_prefix=f"porch-test:{uuid.uuid4().hex[:10]}:"
    )
    clock = ManualClock()
    made = []
    for _ in range(2):
        services = build_services(shared, clock=clock)
        realtime.install(services)
        tickets.setup(services)
        routing.install(services)
        await services.presence.start(_ignore)
        made.append(services)
    yield made[0], made[1]
    for services in made:
        await services.presence.stop()
        await services.db.dispose()
        assert services.backplane is not None
        await services.backplane.close()


async def test_two_processes_take_turns_from_one_cursor(two: tuple[Services, Services]) -> None:
    first, second = two
    site = await first.sites.create("Shop", ["https://shop.example"])
    await first.sites.update_settings(site.id, routing={"chats": True})
    olivia = await first.operators.create("olivia@shop.example", "Olivia", "pw-123456")
    omar = await first.operators.create("omar@shop.example", "Omar", "pw-123456")
    await first.presence.operator_connected(olivia, "sid-olivia")  # her tab on process 1
    await second.presence.operator_connected(omar, "sid-omar")  # his on process 2
    owners = []
    for turn in range(4):
        here = (first, second)[turn % 2]  # each chat lands on the other process
        visitor = await here.visitors.open_session(site, None, PAGE)
        message = await here.conversations.send_visitor_message(visitor.id, "m1", "Hello?")
        await here.jobs.run_due()
        summary = await here.conversations.summary(message.conversation_id)
        owners.append(summary.conversation.assignee_id)
    assert owners == [olivia.id, omar.id, olivia.id, omar.id]
