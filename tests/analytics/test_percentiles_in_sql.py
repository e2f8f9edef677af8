"""The database ranks the durations and returns only those around the median and p90:
the figures agree with `percentile` over every duration, at every count (the ranks on
either side of p·(n − 1) move with n), business hours and site filter included."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from porch.analytics.figures import Span, durations, percentile
from porch.analytics.tables import reporting_events

from .conftest import Desk


@pytest.mark.parametrize("count", [0, 1, 2, 7, 101])
async def test_median_and_p90_match_every_duration_sorted(desk: Desk, count: int) -> None:
    rng, now = random.Random(count), desk.clock.now()
    wall = [round(rng.uniform(1, 5000), 3) for _ in range(count)]
    rows = [
        {"key": f"t:{i}", "site_id": desk.site.id, "kind": "first_response",
         "at": now - timedelta(minutes=i + 1), "seconds": s, "business_seconds": s / 3}
        for i, s in enumerate(wall)
    ]  # fmt: skip
    other = desk.site.id + 1000  # another kind and a fact outside the range count for nothing
    rows.append({"key": "t:reply", "site_id": desk.site.id, "kind": "reply", "at": now,
                 "seconds": 1.0, "business_seconds": 1.0})  # fmt: skip
    old = now - timedelta(days=40)
    rows.append({"key": "t:old", "site_id": desk.site.id, "kind": "first_response", "at": old,
                 "seconds": 9e9, "business_seconds": 9e9})  # fmt: skip
    async with desk.services.db.begin() as conn:
        await conn.execute(reporting_events.insert(), rows)
        span = Span(now - timedelta(days=30), now + timedelta(seconds=1), site_id=desk.site.id)
        found = await durations(conn, span, "first_response")
        business = await durations(
            conn, Span(span.start, span.end, business=True), "first_response"
        )
        elsewhere = await durations(
            conn, Span(span.start, span.end, site_id=other), "first_response"
        )
    ordered = sorted(wall)
    assert (found.count, found.median, found.p90) == (
        count,
        percentile(ordered, 0.5),
        percentile(ordered, 0.9),
    )
    thirds = sorted(s / 3 for s in wall)
    assert (business.median, business.p90) == (percentile(thirds, 0.5), percentile(thirds, 0.9))
    assert (elsewhere.count, elsewhere.median) == (0, None)
