"""`GET /api/v1/analytics/summary`: the same figures as the page, for the key's site only,
with its query validated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from porch.actors import Actor
from porch.config import Config
from tests.api.conftest import World, make_world


@pytest.fixture
async def world(config: Config) -> AsyncIterator[World]:
    made = await make_world(config)
    yield made
    await made.http.aclose()
    await made.services.db.dispose()


async def test_summary_counts_the_sites_own_conversations(world: World) -> None:
    olivia = Actor.operator(world.olivia.id, world.olivia.name)
    mine = await world.chat("Hello")
    await world.chat("Elsewhere", site=world.other_site)
    await world.services.conversations.post_message(olivia, mine, "r-1", "Hi!")
    await world.services.conversations.close(mine, olivia)
    await world.run_due()
    today = world.clock.now().date()
    since = (today - timedelta(days=1)).isoformat()

    reply = await world.get(
        "/api/v1/analytics/summary", world.read_token, since=since, until=today.isoformat()
    )

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert sum(day["conversations"] for day in body["volume"]) == 1
    assert body["first_response"]["count"] == 1
    assert body["resolution"]["count"] == 1
    assert body["reopen_rate"] == 0
    assert body["workload"] == [
        {"operator_id": world.olivia.id, "name": "Olivia", "replies": 1, "resolved": 1}
    ]


async def test_a_bad_range_is_a_validation_error(world: World) -> None:
    for params in ({"since": "2030-02-01", "until": "2030-01-01"}, {"since": "soon"},
                   {"hours": "lunar"}, {"colour": "red"}):  # fmt: skip
        reply = await world.get("/api/v1/analytics/summary", **params)
        assert reply.status_code == 422, params
