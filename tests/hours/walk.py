"""The slow, obvious answer the property tests compare the calculator with: walk real time
minute by minute and ask, for each minute, whether the site is open.

The definition walked (docs/business-hours.md, "Clock changes"): an instant is open when
the highest local time the clocks have shown so far (its high-water mark) falls inside one
of the intervals of that local day. It reads the clocks with `datetime.astimezone` only,
never with the calculator's conversion from wall time to real time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from porch.hours.models import BusinessHours, Span

MINUTE = timedelta(minutes=1)
WARM_UP = timedelta(hours=6)
"""Walked before the window so that the high-water mark has seen any repeated hour."""


def open_minutes(hours: BusinessHours, start: datetime, end: datetime) -> list[bool]:
    """For each minute of [start, end) (both on whole minutes): open or not."""
    zone = hours.zone
    special = {holiday.date: holiday.hours for holiday in hours.holidays}

    @cache
    def spans(day: date) -> tuple[Span, ...]:
        found = special.get(day)
        return found if found is not None else hours.weekly.day(day.weekday())

    flags: list[bool] = []
    high: datetime | None = None
    at = start - WARM_UP
    while at < end:
        wall = at.astimezone(zone).replace(tzinfo=None)
        if high is None or wall > high:
            high = wall
        if at >= start:
            minute = high.hour * 60 + high.minute
            flags.append(any(a <= minute < b for a, b in spans(high.date())))
        at += MINUTE
    return flags


def runs(flags: list[bool], start: datetime) -> list[tuple[datetime, datetime]]:
    """The open stretches the flags describe, as [start, end) instants."""
    stretches: list[tuple[datetime, datetime]] = []
    begun: int | None = None
    for index, flag in enumerate([*flags, False]):
        if flag and begun is None:
            begun = index
        elif not flag and begun is not None:
            stretches.append((start + begun * MINUTE, start + index * MINUTE))
            begun = None
    return stretches


@cache
def transitions(zone_name: str, first_year: int, last_year: int) -> tuple[datetime, ...]:
    """The instants (whole minutes, UTC) when the zone's UTC offset changes, found by
    reading the offset once a day and bisecting the days where it differs."""
    zone = ZoneInfo(zone_name)

    def offset(at: datetime) -> timedelta | None:
        return at.astimezone(zone).utcoffset()

    found: list[datetime] = []
    at = datetime(first_year, 1, 1, tzinfo=UTC)
    stop = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    while at < stop:
        later = at + timedelta(days=1)
        if offset(later) != offset(at):
            low, high = at, later
            while high - low > MINUTE:
                middle = low + (high - low) // MINUTE // 2 * MINUTE
                low, high = (middle, high) if offset(middle) == offset(low) else (low, middle)
            found.append(high)
        at = later
    return tuple(found)
