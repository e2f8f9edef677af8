"""Business time: when a site is open, and how much open time lies between two instants.

Every instant in and out is a timezone-aware `datetime`; results are in UTC (an aware
instant in another zone is accepted and converted, a naive one is refused). The schedule
is in the site's local wall-clock time, so a day when the clocks change is handled here:

**The rule for clock changes.** An interval of a local day is one stretch of real time,
from the first instant the clocks show its start (or a later time) to the first instant
they show its end (or a later time). So:

- spring forward (a gap, e.g. 02:00-03:00 does not exist): a start or an end that falls
  in the gap is the instant the gap ends (03:00 new time); an interval wholly in the gap
  has no time that day;
- fall back (an overlap, e.g. 02:00-03:00 happens twice): a start or an end that falls
  in the repeated hour is its first occurrence; an interval that spans the change lasts
  its real length (09:00-17:00 is 8 hours of business time on any day; 00:00-06:00 is
  7 hours on the night the clocks go back and 5 on the night they go forward);
- business time is always real elapsed time: each real second is counted at most once.

Equivalently: an instant is open when the highest local time the clocks have shown so far
(its "high-water mark") lies inside one of its day's intervals. The property tests walk
minute by minute with exactly that definition.

Work is proportional to the days spanned (a few conversions per open interval), never to
minutes; searches that could go on forever stop: a schedule with no weekly hours runs out
after its last holiday with hours, a 24/7 week after its last holiday.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from porch.hours.models import MINUTES_PER_DAY, BusinessHours

Interval = tuple[datetime, datetime]
"""[start, end) in UTC."""

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_FIRST_DAY = date(1, 1, 3)
_LAST_DAY = date(9998, 12, 31)
"""Days beyond these are outside the calendar we compute in (no overflow near year 1
or 9999)."""


class NeverOpen(ValueError):
    """Business time never elapses: the schedule has no open time after this instant."""


def is_open(hours: BusinessHours, at: datetime) -> bool:
    if hours.always_open:
        _utc(at)
        return True
    at = _utc(at)
    return any(True for _ in open_intervals(hours, at, at + _TICK))


def next_opening(hours: BusinessHours, at: datetime) -> datetime | None:
    """The first instant at or after `at` when the site is open (`at` itself if it is
    open then); None if it never opens again."""
    at = _utc(at)
    if hours.always_open:
        return at
    for start, end in _day_intervals(hours, _local_date(hours, at) - _DAY):
        if end > at:
            return max(start, at)
    return None


def next_closing(hours: BusinessHours, at: datetime) -> datetime | None:
    """The first instant at or after `at` when the site is closed (`at` itself if it is
    closed then); None if it never closes again (24/7 from some point on)."""
    at = _utc(at)
    if hours.always_open:
        return None
    forever = None
    if hours.weekly_is_full:
        # Past the last holiday every day is 00:00-24:00: open for good.
        last = max(hours.last_holiday or _local_date(hours, at), _local_date(hours, at))
        forever = local_instant(hours.zone, last + 2 * _DAY, 0)
    open_until: datetime | None = None
    for start, end in _day_intervals(hours, _local_date(hours, at) - _DAY):
        if end <= at:
            continue
        if open_until is None:
            if start > at:
                return at
            open_until = end
        elif start <= open_until:
            open_until = max(open_until, end)
        else:
            return open_until
        if forever is not None and open_until >= forever:
            return None
    return at if open_until is None else open_until


def open_intervals(hours: BusinessHours, start: datetime, end: datetime) -> Iterator[Interval]:
    """The stretches of [start, end) when the site is open, in order, in UTC; touching
    stretches are joined (an overnight shift written as 22:00-24:00 and 00:00-06:00 is
    one stretch, ending at 06:00)."""
    start, end = _utc(start), _utc(end)
    if end <= start:
        return
    if hours.always_open:
        yield start, end
        return
    current: Interval | None = None
    last_day = _local_date(hours, end) + _DAY
    for opens, closes in _day_intervals(hours, _local_date(hours, start) - _DAY, last_day):
        if closes <= start:
            continue
        if opens >= end:
            break
        if current is not None and opens <= current[1]:
            current = (current[0], max(current[1], closes))
        else:
            if current is not None:
                yield max(current[0], start), current[1]
            current = (opens, closes)
        if current[1] >= end:
            break
    if current is not None:
        yield max(current[0], start), min(current[1], end)


def business_time_between(hours: BusinessHours, start: datetime, end: datetime) -> timedelta:
    """Open time between two instants, exact to the microsecond. Negative when `end` is
    before `start` (so that between(a, b) + between(b, c) == between(a, c) always)."""
    start, end = _utc(start), _utc(end)
    if end < start:
        return -business_time_between(hours, end, start)
    total = timedelta()
    for opens, closes in open_intervals(hours, start, end):
        total += closes - opens
    return total


def business_seconds_between(hours: BusinessHours, start: datetime, end: datetime) -> float:
    """`business_time_between` in seconds."""
    return business_time_between(hours, start, end).total_seconds()


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """The first instant by which `duration` of business time has elapsed since `start`:
    an SLA's due time. 24/7: `start + duration`. A duration that runs out exactly at a
    closing time gives that closing time, not the next opening. Raises NeverOpen when the
    schedule has too little open time left, ValueError for a negative duration."""
    start = _utc(start)
    if duration < timedelta():
        raise ValueError("a duration of business time cannot be negative")
    if not duration or hours.always_open:
        return start + duration
    remaining = duration
    for opens, closes in _day_intervals(hours, _local_date(hours, start) - _DAY):
        if closes <= start:
            continue
        opens = max(opens, start)
        if closes - opens >= remaining:
            return opens + remaining
        remaining -= closes - opens
    raise NeverOpen(
        f"{duration} of business time never elapses after {start.isoformat()}: "
        "the business hours have too little open time left"
    )


# Local wall-clock time to real time.


def local_instant(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """The first instant, in UTC, at which the clocks in `zone` show `minute` minutes after
    midnight of `day`, or a later time: the instant itself in a normal hour, its first
    occurrence in a repeated hour, the end of the gap in a skipped hour. Minute 1440 is
    00:00 of the next day."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + _DAY, minute - MINUTES_PER_DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    # fold=0 is the earlier of two occurrences (PEP 495); in a gap it reads the wall time
    # with the offset from before the change, which lands after the gap.
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    return _end_of_gap(zone, wall)


def _end_of_gap(zone: ZoneInfo, wall: datetime) -> datetime:
    """The instant the clocks jump over `wall` (a time that does not exist): the first
    instant whose local time is later than `wall`. Found by bisection on whole seconds
    (every change in the tz database is on a whole second), between the readings of
    `wall` with the offsets from before and after the change."""
    readings = [
        int(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).timestamp()) for fold in (0, 1)
    ]
    before, after = min(readings), max(readings)  # before: shows less than `wall`
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) > wall:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _day_intervals(
    hours: BusinessHours, first_day: date, last_day: date | None = None
) -> Iterator[Interval]:
    """Each local day's open intervals as real-time intervals, in order (they never
    overlap, and touch when a day's hours run up to the next day's), from `first_day` to
    `last_day` (None: as far as the calendar goes). With no weekly hours it jumps from one
    holiday with hours to the next, and stops after the last."""
    zone = hours.zone
    day = max(first_day, _FIRST_DAY)
    stop = _LAST_DAY if last_day is None else min(last_day, _LAST_DAY)
    while day <= stop:
        if hours.weekly_is_empty:
            special = hours.next_special_open_date(day)
            if special is None or special > stop:
                return
            day = special
        for start, end in hours.spans_on(day):
            opens, closes = local_instant(zone, day, start), local_instant(zone, day, end)
            if opens < closes:
                yield opens, closes
        day += _DAY


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone: pass an aware instant (UTC)")
    return at.astimezone(UTC)


def _local_date(hours: BusinessHours, at: datetime) -> date:
    day = at.astimezone(hours.zone).date()
    return min(max(day, _FIRST_DAY), _LAST_DAY)
