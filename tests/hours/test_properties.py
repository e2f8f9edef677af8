"""Property tests: the calculator against a minute-by-minute walk (`walk.py`), and the
invariants business time must keep.

Schedules are drawn on the minute grid, in zones with every kind of clock change: an hour
forward and back (Paris, New York), at midnight (Santiago, Havana, Sao Paulo until 2019),
half an hour (Lord Howe), two hours (Troll), a 45-minute offset (Chatham), negative summer
time (Dublin), Ramadan changes (Casablanca), none (Kolkata, UTC). Half the windows hold a
change, with schedule boundaries drawn around the wall-clock times it skips or repeats.

Sizes: windows of up to two weeks, walked minute by minute (about 20 000 steps at most).
Every test has `deadline=None` (a loaded machine makes single examples slow) and
`database=None` (no example database); `max_examples` is 60 for the walked test and 120
for the others, so that this file takes about 5 s here (well under 20 s on a loaded
two-core machine). Runs of 800 and 1500 examples passed too.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch.hours.calculator import (
    NeverOpen,
    add_business_time,
    business_seconds_between,
    business_time_between,
    is_open,
    next_closing,
    next_opening,
    open_intervals,
)
from porch.hours.models import DAYS, BusinessHours, format_minutes
from tests.hours.walk import MINUTE, open_minutes, runs, transitions

ZONES = (
    "Europe/Paris",
    "America/New_York",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Asia/Kolkata",
    "UTC",
    "America/Sao_Paulo",
    "Antarctica/Troll",
    "Pacific/Chatham",
)
FIRST_YEAR, LAST_YEAR = 2016, 2027
EPOCH = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
YEARS_IN_MINUTES = (LAST_YEAR - FIRST_YEAR) * 365 * 24 * 60
TWO_WEEKS = 14 * 24 * 60
WALKED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CHEAP = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Minutes where clock changes happen (00:00, 01:00-03:00, 23:00-24:00) are drawn often.
COMMON = (0, 30, 60, 90, 120, 150, 180, 1380, 1410, 1440)


def day_hours(near: tuple[int, ...] = ()) -> st.SearchStrategy[list[list[str]]]:
    """Up to three sorted intervals (touching ones allowed: a start at an end), with
    boundaries often at `near` (the wall-clock minutes of a clock change)."""
    boundaries = st.one_of(
        st.integers(0, 1440), st.sampled_from(COMMON), *([st.sampled_from(near)] if near else [])
    )

    def pairs(points: list[int]) -> list[list[str]]:
        points = sorted(points)
        spans = zip(points[::2], points[1::2], strict=False)
        return [[format_minutes(a), format_minutes(b)] for a, b in spans if a < b]

    return st.lists(boundaries, max_size=6).map(pairs)


def wall_minute(at: datetime, zone: str) -> int:
    wall = at.astimezone(ZoneInfo(zone))
    return wall.hour * 60 + wall.minute


@st.composite
def windows(draw: st.DrawFn, max_minutes: int = TWO_WEEKS) -> tuple[BusinessHours, datetime, int]:
    """A schedule, a start instant on a whole minute and a window length in minutes. Half
    the time the window holds a clock change, and the schedule has boundaries around the
    wall-clock times it skips or repeats."""
    zone = draw(st.sampled_from(ZONES))
    minutes = draw(st.one_of(st.integers(1, max_minutes), st.just(max_minutes)))
    changes = transitions(zone, FIRST_YEAR, LAST_YEAR)
    near: tuple[int, ...] = ()
    if draw(st.booleans()) and changes:
        change = draw(st.sampled_from(changes))
        start = change - draw(st.integers(0, min(minutes - 1, 3 * 24 * 60))) * MINUTE
        before, after = wall_minute(change - MINUTE, zone) + 1, wall_minute(change, zone)
        points = {before, after, (before + after) // 2, before - 15, before + 15}
        near = tuple(sorted(p for p in points | {after - 15, after + 15} if 0 <= p <= 1440))
    else:
        start = EPOCH + draw(st.integers(0, YEARS_IN_MINUTES)) * MINUTE
    weekly = {day: draw(day_hours(near)) for day in DAYS if draw(st.integers(0, 5))}
    days = sorted(draw(st.sets(st.integers(-1, minutes // 1440 + 1), max_size=3)))
    first = start.date()
    holidays: list[dict[str, Any]] = [
        {"date": (first + timedelta(days=offset)).isoformat(), "hours": draw(day_hours(near))}
        for offset in days
    ]
    hours = BusinessHours.model_validate({"timezone": zone, "weekly": weekly, "holidays": holidays})
    return hours, start, minutes


@WALKED
@given(window=windows(), data=st.data())
def test_the_calculator_agrees_with_a_minute_by_minute_walk(
    window: tuple[BusinessHours, datetime, int], data: st.DataObject
) -> None:
    hours, start, minutes = window
    end = start + minutes * MINUTE
    flags = open_minutes(hours, start, end)
    at = [start + index * MINUTE for index in range(minutes)]

    stretches = runs(flags, start)
    assert list(open_intervals(hours, start, end)) == stretches
    assert business_seconds_between(hours, start, end) == 60 * sum(flags)

    # is_open where it changes, and a few minutes anywhere.
    edges = {0, minutes - 1} | {i for i in range(1, minutes) if flags[i] != flags[i - 1]}
    picked = data.draw(st.lists(st.integers(0, minutes - 1), max_size=5))
    for index in sorted(edges | {i - 1 for i in edges if i} | set(picked)):
        assert is_open(hours, at[index]) == flags[index], at[index]

    # The next opening and closing, from the start and from a few minutes.
    for index in {0, *picked}:
        opening = next((i for i in range(index, minutes) if flags[i]), None)
        found = next_opening(hours, at[index])
        if opening is not None:
            assert found == at[opening]
        else:
            assert found is None or found >= end
        closing = next((i for i in range(index, minutes) if not flags[i]), None)
        found = next_closing(hours, at[index])
        if closing is not None:
            assert found == at[closing]
        else:
            assert found is None or found >= end

    # Due times: the k-th open minute's end (k = 0: the start itself).
    opened = [i for i, flag in enumerate(flags) if flag]
    for k in {0, len(opened), *data.draw(st.lists(st.integers(0, len(opened)), max_size=4))}:
        due = add_business_time(hours, start, k * MINUTE)
        assert due == (start if k == 0 else at[opened[k - 1]] + MINUTE)


@CHEAP
@given(
    window=windows(),
    offset=st.integers(0, 10**6 - 1),
    first=st.timedeltas(timedelta(), timedelta(days=14)),
    second=st.timedeltas(timedelta(), timedelta(days=14)),
)
def test_due_times_are_exact_monotonic_and_additive(
    window: tuple[BusinessHours, datetime, int],
    offset: int,
    first: timedelta,
    second: timedelta,
) -> None:
    hours, start, _ = window
    start += timedelta(microseconds=offset)
    shorter, longer = sorted([first, second])
    try:
        due_longer = add_business_time(hours, start, longer)
    except NeverOpen:
        # Only when there is less than that much open time left, ever.
        assert hours.weekly_is_empty
        left = business_time_between(hours, start, start + timedelta(days=30))
        assert left < longer
        return
    due_shorter = add_business_time(hours, start, shorter)
    assert due_shorter.tzinfo is UTC and due_longer.tzinfo is UTC
    assert business_time_between(hours, start, due_longer) == longer
    assert business_time_between(hours, start, due_shorter) == shorter
    assert start <= due_shorter <= due_longer
    assert add_business_time(hours, due_shorter, longer - shorter) == due_longer
    # Due the moment the time runs out: never later than needed.
    if longer:
        assert business_time_between(hours, start, due_longer - timedelta(microseconds=1)) < longer


@CHEAP
@given(
    window=windows(),
    cuts=st.lists(st.integers(-3 * 24 * 3600, 17 * 24 * 3600), min_size=3, max_size=3),
)
def test_business_time_is_additive_and_never_more_than_real_time(
    window: tuple[BusinessHours, datetime, int], cuts: list[int]
) -> None:
    hours, start, _ = window
    a, b, c = (start + timedelta(seconds=cut) for cut in cuts)
    assert business_time_between(hours, a, c) == business_time_between(
        hours, a, b
    ) + business_time_between(hours, b, c)
    low, high = sorted([a, c])
    between = business_time_between(hours, low, high)
    assert timedelta() <= between <= high - low
    stretches = list(open_intervals(hours, low, high))
    assert sum((closes - opens for opens, closes in stretches), timedelta()) == between
    for opens, closes in stretches:
        assert low <= opens < closes <= high
    for (_, closes), (opens, _) in itertools.pairwise(stretches):
        assert closes < opens  # in order, and touching stretches are joined


@CHEAP
@given(window=windows(), offset=st.integers(0, 14 * 24 * 3600))
def test_openings_and_closings_are_where_they_say(
    window: tuple[BusinessHours, datetime, int], offset: int
) -> None:
    hours, start, _ = window
    at = start + timedelta(seconds=offset)
    opening, closing = next_opening(hours, at), next_closing(hours, at)
    if is_open(hours, at):
        assert opening == at
        assert closing is None or (closing > at and not is_open(hours, closing))
        if closing is not None:
            assert business_time_between(hours, at, closing) == closing - at
    else:
        assert closing == at
        if opening is not None:
            assert opening > at and is_open(hours, opening)
            assert business_time_between(hours, at, opening) == timedelta()
            assert not is_open(hours, opening - timedelta(microseconds=1))
        else:
            assert hours.weekly_is_empty
