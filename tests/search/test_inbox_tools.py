"""Tags and snoozes on SQLite and PostgreSQL, time moved by a `ManualClock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from porch.errors import Invalid
from tests.search.conftest import Desk


async def open_ids(desk: Desk, status: str = "open", tag: str | None = None) -> list[int]:
    return [s.conversation.id for s in await desk.inbox.inbox(status, tag)]


async def test_tags_filter_the_inbox(desk: Desk) -> None:
    first = await desk.visitor_says("Refund please")
    second = await desk.visitor_says("Where is it?", await desk.another_visitor())
    assert await desk.inbox.add_tag(first, "  Refund ", desk.as_olivia) == ["refund"]
    assert await desk.inbox.add_tag(first, "VIP", desk.as_olivia) == ["refund", "vip"]
    await desk.inbox.add_tag(second, "vip", desk.as_olivia)
    assert await open_ids(desk, tag="refund") == [first]
    assert set(await open_ids(desk, tag="VIP")) == {first, second}
    assert await desk.inbox.remove_tag(first, "vip", desk.as_olivia) == ["refund"]
    assert await open_ids(desk, tag="vip") == [second]
    with pytest.raises(Invalid):
        await desk.inbox.add_tag(first, "<b>", desk.as_olivia)


async def test_a_snooze_leaves_the_open_list_until_its_job_wakes_it(desk: Desk) -> None:
    conversation = await desk.visitor_says("Call me back tomorrow")
    until = await desk.inbox.preset(conversation, "1h")
    await desk.inbox.snooze(conversation, until, desk.as_olivia)
    assert await open_ids(desk) == []
    assert await open_ids(desk, "snoozed") == [conversation]
    desk.clock.advance(minutes=59)
    await desk.run_due()
    assert await open_ids(desk) == []
    desk.clock.advance(minutes=1)
    await desk.run_due()
    assert await open_ids(desk) == [conversation]
    assert await open_ids(desk, "snoozed") == []


async def test_a_visitor_message_wakes_it_early_and_an_old_job_does_nothing(desk: Desk) -> None:
    conversation = await desk.visitor_says("I will check and come back")
    await desk.inbox.snooze(conversation, desk.clock.now() + timedelta(hours=1), desk.as_olivia)
    await desk.visitor_says("Found it: order 1042")
    await desk.run_due()
    assert await open_ids(desk) == [conversation]
    later = desk.clock.now() + timedelta(hours=3)
    await desk.inbox.snooze(conversation, later, desk.as_olivia)  # snoozed again, later
    desk.clock.advance(hours=1)
    await desk.run_due()  # the first snooze's job: not this snooze's
    assert await open_ids(desk) == []
    desk.clock.advance(hours=2)
    await desk.run_due()
    assert await open_ids(desk) == [conversation]


async def test_presets_follow_the_site_time_zone_and_hours(desk: Desk) -> None:
    hours = {
        "timezone": "Europe/Lisbon",
        "weekly": {day: [["10:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    }
    await desk.services.sites.update_settings(desk.site.id, business_hours=hours)
    conversation = await desk.visitor_says("hello")
    desk.clock.set(datetime(2030, 1, 11, 15, 0, tzinfo=UTC))  # a Friday afternoon
    # Tomorrow is Saturday: closed, so the next opening, Monday 10:00 Lisbon (UTC+0).
    assert await desk.inbox.preset(conversation, "tomorrow") == datetime(
        2030, 1, 14, 10, 0, tzinfo=UTC
    )
    assert await desk.inbox.preset(conversation, "next_week") == datetime(
        2030, 1, 14, 10, 0, tzinfo=UTC
    )
    with pytest.raises(Invalid):
        await desk.inbox.snooze(conversation, desk.clock.now(), desk.as_olivia)
